// Tests of SegmentationMetrics with hand-computed scores.
#include "common/error.h"
#include "train/segmentationmetrics.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

using rsrefseg::SegmentationMetrics;
using rsrefseg::SegmentationReport;

namespace {

cv::Mat mask(const cv::Rect &r, int value = 1)
{
    cv::Mat m = cv::Mat::zeros(10, 10, CV_8UC1);
    if (!r.empty())
        m(r).setTo(value);
    return m;
}

} // namespace

class TestSegmentationMetrics : public QObject
{
    Q_OBJECT

  private slots:
    void perSample()
    {
        // 2x2 squares shifted by one column: I = 2, U = 4 + 4 - 2 = 6.
        auto s = SegmentationMetrics::compare(mask({0, 0, 2, 2}), mask({1, 0, 2, 2}));
        QCOMPARE(s.intersection, std::uint64_t(2));
        QCOMPARE(s.unionArea, std::uint64_t(6));
        QCOMPARE(s.iou, 2.0 / 6.0);
        // Any non-zero value is foreground.
        s = SegmentationMetrics::compare(mask({0, 0, 2, 2}, 255), mask({0, 0, 2, 2}, 1));
        QCOMPARE(s.iou, 1.0);
        // Empty prediction: IoU 0; empty ground truth: IoU 0; both empty: U = 0 -> IoU 0
        // (LAVT/RMSIN's `0.0 if U == 0`).
        QCOMPARE(SegmentationMetrics::compare(mask({}), mask({0, 0, 3, 1})).iou, 0.0);
        QCOMPARE(SegmentationMetrics::compare(mask({0, 0, 2, 1}), mask({})).iou, 0.0);
        s = SegmentationMetrics::compare(mask({}), mask({}));
        QCOMPARE(s.unionArea, std::uint64_t(0));
        QCOMPARE(s.iou, 0.0);
    }

    void report()
    {
        SegmentationMetrics m;
        m.addSample(mask({0, 0, 2, 2}), mask({1, 0, 2, 2})); // A: I 2, U 6, IoU 1/3
        m.addSample(mask({5, 5, 5, 1}), mask({5, 5, 5, 1})); // B: I 5, U 5, IoU 1
        m.addSample(mask({}), mask({0, 0, 3, 1}));           // C: empty prediction, I 0, U 3
        m.addSample(mask({0, 0, 2, 1}), mask({}));           // D: empty ground truth, I 0, U 2
        m.addSample(mask({}), mask({}));                     // E: both empty, I 0, U 0, IoU 0
        m.addSample(mask({0, 0, 8, 1}), mask({2, 0, 8, 1})); // F: I 6, U 10, IoU exactly 0.6
        QCOMPARE(m.count(), std::size_t(6));
        const SegmentationReport r = m.report();
        QCOMPARE(r.samples, std::size_t(6));
        QCOMPARE(r.totalIntersection, std::uint64_t(13));
        QCOMPARE(r.totalUnion, std::uint64_t(26));
        QCOMPARE(r.cIoU, 0.5); // 13 / 26
        QVERIFY(qAbs(r.gIoU - (1.0 / 3.0 + 1.0 + 0.6) / 6.0) < 1e-15);
        // IoU strictly above the threshold: 0.5 -> B and F; 0.6 -> B only (F is exactly 0.6).
        QCOMPARE(r.precisionAt[0], 2.0 / 6.0);
        QCOMPARE(r.precisionAt[1], 1.0 / 6.0);
        QCOMPARE(r.precisionAt[2], 1.0 / 6.0);
        QCOMPARE(r.precisionAt[3], 1.0 / 6.0);
        QCOMPARE(r.precisionAt[4], 1.0 / 6.0);

        const nlohmann::json j = r.toJson();
        QCOMPARE(j.at("cIoU").get<double>(), 0.5);
        QCOMPARE(j.at("Pr@0.5").get<double>(), 2.0 / 6.0);
        QCOMPARE(j.at("Pr@0.9").get<double>(), 1.0 / 6.0);
        QCOMPARE(j.at("samples").get<std::size_t>(), std::size_t(6));

        // The same from counts.
        SegmentationMetrics c;
        const int counts[][2] = {{2, 6}, {5, 5}, {0, 3}, {0, 2}, {0, 0}, {6, 10}};
        for (const auto &[i, u] : counts)
            c.addCounts(std::uint64_t(i), std::uint64_t(u));
        const SegmentationReport rc = c.report();
        QCOMPARE(rc.cIoU, r.cIoU);
        QCOMPARE(rc.gIoU, r.gIoU);
        QCOMPARE(rc.precisionAt, r.precisionAt);
    }

    void thresholdBoundaries()
    {
        // IoU exactly 0.5, 0.7, 0.9 never counts for its own threshold; just above does.
        SegmentationMetrics m;
        m.addCounts(1, 2);       // 0.5
        m.addCounts(501, 1000);  // 0.501
        m.addCounts(7, 10);      // 0.7
        m.addCounts(9, 10);      // 0.9
        m.addCounts(10, 10);     // 1
        const SegmentationReport r = m.report();
        QCOMPARE(r.precisionAt[0], 4.0 / 5.0); // 0.501, 0.7, 0.9, 1
        QCOMPARE(r.precisionAt[2], 2.0 / 5.0); // 0.9, 1
        QCOMPARE(r.precisionAt[4], 1.0 / 5.0); // 1
    }

    void emptyAndErrors()
    {
        SegmentationMetrics m;
        const SegmentationReport r = m.report();
        QCOMPARE(r.samples, std::size_t(0));
        QCOMPARE(r.cIoU, 0.0);
        QCOMPARE(r.gIoU, 0.0);
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error,
                                 m.addSample(cv::Mat::zeros(10, 10, CV_8UC1),
                                             cv::Mat::zeros(10, 9, CV_8UC1)));
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error,
                                 m.addSample(cv::Mat::zeros(10, 10, CV_32FC1),
                                             cv::Mat::zeros(10, 10, CV_8UC1)));
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error, m.addCounts(3, 2));
        QCOMPARE(m.count(), std::size_t(0));
        m.addCounts(1, 1);
        m.clear();
        QCOMPARE(m.count(), std::size_t(0));
    }
};

QTEST_APPLESS_MAIN(TestSegmentationMetrics)
#include "test_segmentationmetrics.moc"
