// The committed demo model (resources/models/demo, made by resources/models/make-demo-model.sh):
// on a freshly generated synthetic set (a seed used neither for training, validation nor the
// README's held-out table) it must reach gIoU >= 0.70, and two different sentences on the same
// scene must select their two different targets.
#include "common/error.h"
#include "model/rsrefseg/modelbundle.h"
#include "text/sigliptokenizer.h"
#include "train/referringevaluator.h"
#include "train/rsrefsegdataset.h"
#include "train/segmentationmetrics.h"
#include "train/syntheticdatasetwriter.h"
#include "train/syntheticscenegenerator.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>
#include <gdal.h>

#include <memory>
#include <thread>
#include "testpaths.h"

using namespace rsrefseg;

namespace {

const std::string kBundle = rsrefseg::test::sourceDir() + "/resources/models/demo";
// Seeds of the recipe: 1 train, 2 validation, 3 the README's held-out table. These are new.
constexpr uint64_t kEvalSeed = 20260;
constexpr uint64_t kPairSeed = 31337;

} // namespace

class TestDemoModel : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::unique_ptr<ModelBundle> mBundle;
    RSRefSegModel mModel{nullptr};
    std::unique_ptr<SiglipTokenizer> mTokenizer;

  private slots:
    void initTestCase()
    {
        GDALAllRegister();
        torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
        mBundle = std::make_unique<ModelBundle>(ModelBundle::open(kBundle));
        QVERIFY(mBundle->manifest().trained);
        mModel = mBundle->load({"cpu", torch::kFloat32});
        SiglipTokenizer::Options o;
        o.maxPositions = static_cast<int>(mBundle->manifest().config.siglip.text.maxPositionEmbeddings);
        mTokenizer = std::make_unique<SiglipTokenizer>(mBundle->tokenizerPath(), o);
    }

    void reachesTheTargetOnAFreshSet()
    {
        SyntheticDatasetWriter::Options w;
        w.outDir = mDir.filePath("fresh").toStdString();
        w.count = 60;
        w.seed = kEvalSeed;
        w.split = "test";
        const auto summary = SyntheticDatasetWriter(w).write();
        const RSRefSegDataset data = RSRefSegDataset::load(summary.jsonlPath, summary.imageDir);
        QCOMPARE(data.size(), size_t(60));

        ReferringEvaluator evaluator(mModel, *mTokenizer);
        const EvaluationResult r = evaluator.evaluate(data, ReferringEvaluator::Options());
        qInfo().noquote() << "demo model on 60 fresh scenes (seed" << kEvalSeed << "), " << r.seconds << "s:\n"
                          << QString::fromStdString(ReferringEvaluator::table(r.report));
        QCOMPARE(r.report.samples, size_t(60));
        QVERIFY2(r.report.gIoU >= 0.70, qPrintable(QString("gIoU %1").arg(r.report.gIoU)));
    }

    void twoSentencesSelectTwoTargets()
    {
        SyntheticSceneGenerator::Options o;
        o.expressionsPerScene = 2;
        const SyntheticSceneGenerator generator(kPairSeed, o);
        ReferringEvaluator evaluator(mModel, *mTokenizer);
        const int scenes = 20;
        int right = 0;
        for (int i = 0; i < scenes; ++i) {
            const SyntheticSample s = generator.generate(static_cast<uint64_t>(i));
            QCOMPARE(s.referrals.size(), size_t(2));
            const auto &a = s.referrals[0], &b = s.referrals[1];
            QVERIFY(a.objectIndex != b.objectIndex);
            const std::vector<cv::Mat> masks = evaluator.predict(s.scene.image, {a.sentence, b.sentence});
            const cv::Mat ta = s.scene.objectMask(a.objectIndex), tb = s.scene.objectMask(b.objectIndex);
            const double aa = SegmentationMetrics::compare(masks[0], ta).iou, ab = SegmentationMetrics::compare(masks[0], tb).iou;
            const double bb = SegmentationMetrics::compare(masks[1], tb).iou, ba = SegmentationMetrics::compare(masks[1], ta).iou;
            const bool ok = aa > 0.5 && bb > 0.5 && ab < 0.1 && ba < 0.1;
            right += ok;
            if (i < 3 || !ok)
                qInfo().noquote() << QString("scene %1: \"%2\" IoU %3 (other target %4) | \"%5\" IoU %6 (other %7)%8")
                                         .arg(i)
                                         .arg(QString::fromStdString(a.sentence))
                                         .arg(aa, 0, 'f', 2)
                                         .arg(ab, 0, 'f', 2)
                                         .arg(QString::fromStdString(b.sentence))
                                         .arg(bb, 0, 'f', 2)
                                         .arg(ba, 0, 'f', 2)
                                         .arg(ok ? "" : "  <- wrong");
        }
        qInfo() << right << "of" << scenes << "scenes: both sentences found their own target";
        // Each mask overlaps its own target (IoU > 0.5) and barely touches the other one.
        QVERIFY2(right >= 16, qPrintable(QString("%1 of %2").arg(right).arg(scenes)));
    }
};

QTEST_APPLESS_MAIN(TestDemoModel)
#include "test_demomodel.moc"
