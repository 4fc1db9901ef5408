// TrainingBatchLoader: each epoch is a seeded permutation (same seed -> same order, another
// epoch or seed -> another order), batches cover the epoch with a smaller last batch, images are
// resized with OpenCV's bilinear and masks with nearest neighbour, sentences are tokenised on
// their own (no padding), and ids outside the model's vocabulary are refused.
#include "trainfixtures.h"

#include "common/error.h"
#include "text/sigliptokenizer.h"
#include "train/rsrefsegdataset.h"
#include "train/trainingbatchloader.h"

#include <QTemporaryDir>
#include <QtTest>
#include <gdal.h>
#include <opencv2/imgproc.hpp>

#include <set>

using namespace rsrefseg;
using namespace trainfixtures;

class TestTrainingBatchLoader : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    SyntheticSet mSet;

  private slots:
    void initTestCase()
    {
        GDALAllRegister();
        mSet = makeSyntheticSet(mDir.filePath("data").toStdString(), 5, 3, 1); // 5 samples, 256 px
    }

    void ordersAndBatches()
    {
        const RSRefSegDataset data = RSRefSegDataset::load(mSet.jsonl, mSet.images);
        const SiglipTokenizer tokenizer(golden("siglip_tiny/spiece.model"));
        const TrainingBatchLoader loader(data, tokenizer, 128, 2, 99, 200);
        QCOMPARE(loader.stepsPerEpoch(), int64_t(3));
        const auto e0 = loader.epochOrder(0);
        QCOMPARE(std::set<std::size_t>(e0.begin(), e0.end()).size(), size_t(5));
        QCOMPARE(e0, loader.epochOrder(0));
        const TrainingBatchLoader again(data, tokenizer, 128, 2, 99, 200);
        QCOMPARE(again.epochOrder(3), loader.epochOrder(3));
        bool differs = false;
        for (int64_t e = 1; e < 6; ++e)
            differs |= loader.epochOrder(e) != e0;
        QVERIFY(differs);
        const TrainingBatchLoader otherSeed(data, tokenizer, 128, 2, 100, 200);
        bool seedDiffers = false;
        for (int64_t e = 0; e < 6; ++e)
            seedDiffers |= otherSeed.epochOrder(e) != loader.epochOrder(e);
        QVERIFY(seedDiffers);

        const TrainingBatch last = loader.batch(0, 2);
        QCOMPARE(last.size(), int64_t(1));
        QCOMPARE(last.indices[0], e0[4]);
        const TrainingBatch first = loader.batch(0, 0);
        QCOMPARE(first.images.sizes(), (torch::IntArrayRef{2, 3, 128, 128})); // one sentence per scene
        QCOMPARE(first.imageIndex, (std::vector<int64_t>{0, 1}));
        QCOMPARE(first.labels.sizes(), (torch::IntArrayRef{2, 1, 128, 128}));
        QVERIFY_THROWS_EXCEPTION(Error, loader.batch(0, 3));

        // Pixels: OpenCV bilinear on uint8 / 255; labels: nearest-neighbour 0/1.
        const std::size_t i = first.indices[1];
        cv::Mat resized, mask;
        cv::resize(data.loadImage(i), resized, cv::Size(128, 128), 0, 0, cv::INTER_LINEAR);
        cv::resize(data.loadMask(i), mask, cv::Size(128, 128), 0, 0, cv::INTER_NEAREST);
        QCOMPARE(first.images[1][2][40][77].item<float>(), resized.at<cv::Vec3b>(40, 77)[2] / 255.0f);
        QCOMPARE(first.labels[1].sum().item<float>(), float(cv::countNonZero(mask)));
        QVERIFY(first.labels[1].sum().item<float>() > 0);

        // One sentence per row, unpadded, ending with EOS.
        const auto expected = tokenizer.encode(data.sample(i).sentence).ids;
        QCOMPARE(first.inputIds[1].size(1), int64_t(expected.size()));
        QCOMPARE(first.inputIds[1][0][-1].item<int64_t>(), int64_t(1));
    }

    void groupsSentencesOfOneImage()
    {
        const SyntheticSet pairs = makeSyntheticSet(mDir.filePath("pairs").toStdString(), 4, 8, 2); // 8 samples
        const RSRefSegDataset data = RSRefSegDataset::load(pairs.jsonl, pairs.images);
        const SiglipTokenizer tokenizer(golden("siglip_tiny/spiece.model"));
        const TrainingBatchLoader grouped(data, tokenizer, 128, 4, 5, 200, true);
        for (int64_t e = 0; e < 3; ++e) {
            const auto order = grouped.epochOrder(e);
            QCOMPARE(std::set<std::size_t>(order.begin(), order.end()).size(), size_t(8));
            for (std::size_t i = 0; i < order.size(); i += 2)
                QCOMPARE(data.sample(order[i]).fileName, data.sample(order[i + 1]).fileName);
        }
        const TrainingBatch b = grouped.batch(0, 0);
        QCOMPARE(b.size(), int64_t(4));
        QCOMPARE(b.images.size(0), int64_t(2)); // two scenes, each encoded once
        QCOMPARE(b.imageIndex, (std::vector<int64_t>{0, 0, 1, 1}));
        // Without grouping, a batch of samples of one image still holds that image once.
        const TrainingBatchLoader plain(data, tokenizer, 128, 4, 5, 200);
        const TrainingBatch same = plain.load({0, 1, 1});
        QCOMPARE(same.images.size(0), int64_t(1));
        QCOMPARE(same.labels.size(0), int64_t(3));
    }

    void refusesForeignTokenizer()
    {
        const RSRefSegDataset data = RSRefSegDataset::load(mSet.jsonl, mSet.images);
        const SiglipTokenizer tokenizer(golden("siglip_tiny/spiece.model")); // 200 pieces
        QVERIFY_THROWS_EXCEPTION(Error, TrainingBatchLoader(data, tokenizer, 128, 2, 1, 10));
    }
};

QTEST_APPLESS_MAIN(TestTrainingBatchLoader)
#include "test_trainingbatchloader.moc"
