// CategoryMetrics on a hand-computed example: per-category mIoU and oIoU, samples with an empty
// union left out of their category's mIoU (as the RSRefSeg 2 evaluator drops its NaN), a category
// with no scored sample, the mean over categories, table and JSON.
#include "train/categorymetrics.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <QtTest>

#include <cmath>

using namespace rsrefseg;

namespace {

SampleIoU counts(std::uint64_t i, std::uint64_t u)
{
    SampleIoU s;
    s.intersection = i;
    s.unionArea = u;
    s.iou = u ? double(i) / double(u) : 0.0;
    return s;
}

} // namespace

class TestCategoryMetrics : public QObject
{
    Q_OBJECT

  private slots:
    void handComputed()
    {
        CategoryMetrics m;
        // vehicle: a 2x2 prediction over a 2x2 truth shifted by one column: I = 2, U = 6 -> 1/3.
        cv::Mat pred = cv::Mat::zeros(4, 4, CV_8UC1), truth = pred.clone();
        pred(cv::Rect(0, 0, 2, 2)).setTo(1);
        truth(cv::Rect(1, 0, 2, 2)).setTo(1);
        m.add("vehicle", SegmentationMetrics::compare(pred, truth));
        m.add("vehicle", counts(3, 4));  // 0.75
        m.add("vehicle", counts(0, 0));  // both empty: not in the vehicle mIoU
        m.add("ship", counts(2, 5));     // 0.4
        m.add("", counts(0, 0));         // no category, nothing to score
        const CategoryReport r = m.report();

        QCOMPARE(r.categories.size(), std::size_t(3));
        const CategoryScore &none = r.categories[0]; // sorted: none, ship, vehicle
        const CategoryScore &ship = r.categories[1];
        const CategoryScore &vehicle = r.categories[2];
        QCOMPARE(QString::fromStdString(none.category), QString("none"));
        QCOMPARE(none.samples, std::size_t(1));
        QCOMPARE(none.scoredSamples, std::size_t(0));
        QVERIFY(std::isnan(none.mIoU));
        QCOMPARE(none.oIoU, 0.0);
        QCOMPARE(ship.mIoU, 0.4);
        QCOMPARE(ship.oIoU, 0.4);
        QCOMPARE(vehicle.samples, std::size_t(3));
        QCOMPARE(vehicle.scoredSamples, std::size_t(2));
        QVERIFY(std::abs(vehicle.mIoU - (1.0 / 3.0 + 0.75) / 2.0) < 1e-12);
        QCOMPARE(vehicle.oIoU, 5.0 / 10.0); // (2 + 3 + 0) / (6 + 4 + 0)
        const double mean = ((1.0 / 3.0 + 0.75) / 2.0 + 0.4) / 2.0;
        QVERIFY(std::abs(r.meanCategoryMIoU - mean) < 1e-12);

        const std::string table = r.table();
        QVERIFY2(table.find("vehicle         3   54.17   50.00") != std::string::npos, table.c_str());
        QVERIFY2(table.find("none            1       -    0.00") != std::string::npos, table.c_str());
        QVERIFY2(table.find("mean                47.08") != std::string::npos, table.c_str());
        const nlohmann::json j = r.toJson();
        QVERIFY(j["categories"]["none"]["mIoU"].is_null());
        QCOMPARE(j["categories"]["ship"]["mIoU"].get<double>(), 0.4);
        QCOMPARE(j["categories"]["vehicle"]["scored_samples"].get<int>(), 2);
        QVERIFY(std::abs(j["mean_category_mIoU"].get<double>() - mean) < 1e-12);
    }

    void empty()
    {
        const CategoryReport r = CategoryMetrics().report();
        QVERIFY(r.categories.empty());
        QVERIFY(std::isnan(r.meanCategoryMIoU));
        QVERIFY(r.toJson()["mean_category_mIoU"].is_null());
    }
};

QTEST_GUILESS_MAIN(TestCategoryMetrics)
#include "test_categorymetrics.moc"
