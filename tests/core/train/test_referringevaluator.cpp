// ReferringEvaluator with the tiny golden model: per-sample IoUs equal SegmentationMetrics on
// predict()'s masks, the report is the metrics' report, predictions are kept as RLE, results
// are written as JSONL + JSON, and the table has the paper's columns.
#include "trainfixtures.h"

#include "common/error.h"
#include "model/rsrefseg/modelbundle.h"
#include "text/sigliptokenizer.h"
#include "train/referringevaluator.h"
#include "train/rsrefsegdataset.h"

#include <QTemporaryDir>
#include <QtTest>
#include <gdal.h>

#include <fstream>

using namespace rsrefseg;
using namespace trainfixtures;

class TestReferringEvaluator : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

  private slots:
    void initTestCase() { GDALAllRegister(); }

    void evaluatesLikePredict()
    {
        const std::string bundleDir = makeTinyBundle(mDir.filePath("tiny").toStdString());
        const SyntheticSet set = makeSyntheticSet(mDir.filePath("data").toStdString(), 3, 21, 2);
        const RSRefSegDataset data = RSRefSegDataset::load(set.jsonl, set.images);
        QCOMPARE(data.size(), size_t(6));
        const ModelBundle bundle = ModelBundle::open(bundleDir);
        RSRefSegModel model = bundle.load({"cpu", torch::kFloat32});
        const SiglipTokenizer tokenizer(bundle.tokenizerPath());
        ReferringEvaluator evaluator(model, tokenizer);

        ReferringEvaluator::Options o;
        o.keepPredictions = true;
        o.imageBatch = 2;
        std::size_t lastDone = 0;
        o.progress = [&](std::size_t done, std::size_t total) {
            lastDone = done;
            return total == 6;
        };
        const EvaluationResult r = evaluator.evaluate(data, o);
        QCOMPARE(lastDone, size_t(6));
        QCOMPARE(r.samples.size(), size_t(6));

        SegmentationMetrics metrics;
        for (std::size_t i = 0; i < data.size(); ++i) {
            const cv::Mat mask = evaluator.predict(data.loadImage(i), {data.sample(i).sentence})[0];
            QCOMPARE(mask.size(), data.loadMask(i).size());
            const SampleIoU iou = metrics.addSample(mask, data.loadMask(i));
            QCOMPARE(r.samples[i].iou.intersection, iou.intersection);
            QCOMPARE(r.samples[i].iou.unionArea, iou.unionArea);
            QVERIFY(r.samples[i].prediction == CocoRle::encode(mask));
            QCOMPARE(r.samples[i].lineNumber, data.sample(i).lineNumber);
            QVERIFY(r.samples[i].relevance > 0.0 && r.samples[i].relevance < 1.0);
        }
        QCOMPARE(r.report.toJson(), metrics.report().toJson());

        o.limit = 4;
        o.progress = {};
        QCOMPARE(evaluator.evaluate(data, o).samples.size(), size_t(4));

        const std::string out = mDir.filePath("results").toStdString();
        ReferringEvaluator::writeResults(out, r, {{"model", "tiny"}});
        std::ifstream lines(out + "/results.jsonl");
        int n = 0;
        for (std::string line; std::getline(lines, line); ++n) {
            const auto j = nlohmann::json::parse(line);
            QCOMPARE(j["sent"].get<std::string>(), data.sample(static_cast<size_t>(n)).sentence);
            QVERIFY(CocoRle::fromJson(j["prediction"]) == r.samples[static_cast<size_t>(n)].prediction);
        }
        QCOMPARE(n, 6);
        std::ifstream metricsFile(out + "/metrics.json");
        const auto m = nlohmann::json::parse(metricsFile);
        QCOMPARE(m["model"].get<std::string>(), std::string("tiny"));
        QCOMPARE(m["metrics"], r.report.toJson());

        // Cancelling through the progress callback.
        o.progress = [](std::size_t, std::size_t) { return false; };
        QVERIFY_THROWS_EXCEPTION(CancelledError, evaluator.evaluate(data, o));
    }

    void paperTable()
    {
        SegmentationMetrics m;
        m.addCounts(9, 10);  // 0.9
        m.addCounts(6, 10);  // 0.6
        const std::string t = ReferringEvaluator::table(m.report());
        qInfo().noquote() << "\n" << QString::fromStdString(t);
        QVERIFY(t.find("Pr@0.5") != std::string::npos && t.find("Pr@0.9") != std::string::npos);
        QVERIFY(t.find("oIoU") != std::string::npos && t.find("mIoU") != std::string::npos);
        QVERIFY(t.find("100.00") != std::string::npos); // Pr@0.5: both above 0.5
        QVERIFY(t.find("75.00") != std::string::npos);  // oIoU = 15/20, mIoU = 0.75
    }
};

QTEST_APPLESS_MAIN(TestReferringEvaluator)
#include "test_referringevaluator.moc"
