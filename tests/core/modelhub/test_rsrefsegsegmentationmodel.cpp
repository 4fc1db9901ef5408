// RSRefSegSegmentationModel: the real RSRefSeg network (the tiny golden model, imported into a
// bundle) behind the engine. End to end against upstream: the golden image written as a
// GeoTIFF, segmented with the golden sentence, gives upstream's probabilities and mask. Also:
// decode() equals the model's own predict(), tiled output equals per-tile model runs where
// one tile covers a pixel, a second query runs no image encoder, and features read back from
// the disk cache give bit-identical outputs.
// Torch before Qt: Qt's `slots` macro breaks torch headers.
#include "../model/rsrefseg/rsrefseggolden.h"
#include "common/error.h"
#include "engine/featuremap.h"
#include "engine/imagepreprocessor.h"
#include "engine/segmentationengine.h"
#include "geo/raster.h"
#include "modelhub/rsrefsegsegmentationmodel.h"
#include "text/sigliptokenizer.h"

#include "../engine/enginetestsupport.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace rsrefseg;
using namespace rsrefseg::test;

namespace {
const char *kSentence = "The white storage tank on the left, next to 2 small cars.";
}

class TestRSRefSegSegmentationModel : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string mBundle;
    std::shared_ptr<RSRefSegSegmentationModel> mModel;
    std::map<std::string, torch::Tensor> mIo;
    std::string mGoldenRaster;

    std::string path(const QString &n) { return mDir.filePath(n).toStdString(); }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mBundle = rsgolden::importTinyBundle(path("tiny"));
        RSRefSegSegmentationModel::Options mo;
        mo.threads = 2;
        mModel = RSRefSegSegmentationModel::load(mBundle, mo);
        QCOMPARE(mModel->inputSize(), 128);
        QCOMPARE(mModel->dtypeName(), std::string("f32"));
        QCOMPARE(mModel->threads(), 2);
        QCOMPARE(torch::get_num_threads(), 2);
        QVERIFY(!mModel->trained());
        QCOMPARE(mModel->modelId(), ModelBundle::open(mBundle).manifest().modelId);
        mIo = SafetensorsFile::open(rsgolden::golden("rsrefseg_tiny/io.safetensors")).tensors();

        // The golden image (150 x 130, RGB) as a UTM GeoTIFF.
        const torch::Tensor img = mIo.at("image_rgb_u8").contiguous();
        QCOMPARE(img.size(0), int64_t(150));
        RasterSpec s;
        s.width = 130;
        s.height = 150;
        s.bands = 3;
        const uint8_t *px = img.data_ptr<uint8_t>();
        s.value = [px](int b, int x, int y) { return double(px[(y * 130 + x) * 3 + (b - 1)]); };
        mGoldenRaster = path("golden.tif");
        makeRaster(mGoldenRaster, s);
    }

    // The whole pipeline against upstream: raster -> bands -> resize -> model -> logits at
    // the original size -> probability and mask GeoTIFFs.
    void endToEndGolden_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("view") << "view";
        QTest::newRow("tiled, one tile") << "tiled";
    }

    void endToEndGolden()
    {
        QFETCH(QString, mode);
        SegmentationEngine engine(mModel);
        SegmentationRequest r;
        r.raster = mGoldenRaster;
        r.queries = {kSentence};
        r.outputs = {{path("golden_" + mode + "_mask.tif"), path("golden_" + mode + "_prob.tif"),
                      path("golden_" + mode + ".gpkg")}};
        r.settings.mode = SegmentationSettings::parseMode(mode.toStdString());
        r.settings.tileSize = 256;
        r.settings.overlap = 32;
        r.settings.gateThreshold = 0.0; // the untrained model's relevance means nothing
        r.settings.probabilityType = SegmentationSettings::ProbabilityType::Float32;
        const SegmentationResult res = engine.run(r);
        QCOMPARE(res.tileCount, 1);

        const RasterRead prob = readRaster(r.outputs[0].probability, CV_32FC1);
        const RasterRead mask = readRaster(r.outputs[0].mask);
        QCOMPARE(prob.width, 130);
        QCOMPARE(prob.height, 150);
        QCOMPARE(mask.gt, readRaster(mGoldenRaster).gt);
        const torch::Tensor gp = mIo.at("prob_original_size").contiguous();
        const torch::Tensor gl = mIo.at("logits_original_size").contiguous();
        const torch::Tensor gm = mIo.at("mask_original_size").contiguous();
        double worst = 0;
        int compared = 0;
        for (int y = 0; y < 150; ++y)
            for (int x = 0; x < 130; ++x) {
                const int i = y * 130 + x;
                worst = std::max(worst, double(std::abs(prob.band.at<float>(y, x) - gp.data_ptr<float>()[i])));
                if (std::abs(gl.data_ptr<float>()[i]) > 1e-4) {
                    QCOMPARE(int(mask.band.at<uint8_t>(y, x)), int(gm.data_ptr<uint8_t>()[i]));
                    ++compared;
                }
            }
        qInfo() << mode << "max |prob - upstream|:" << worst;
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        QVERIFY(compared > 150 * 130 - 50);
        const QueryResult &q = res.queries[0];
        QVERIFY(q.objectPixels > 0);
        QVERIFY(q.polygonCount > 0);
        QCOMPARE(readVector(r.outputs[0].vector).features.size(), size_t(q.polygonCount));
        // Relevance and IoU are upstream's.
        const float relevance = mIo.at("global_activate").max().item<float>();
        QVERIFY(std::abs(q.tiles[0].relevance - relevance) < 1e-5);
        QVERIFY(std::abs(q.tiles[0].iou - mIo.at("iou_predictions").item<float>()) < 1e-5);
    }

    void decodeEqualsPredict()
    {
        cv::Mat img(90, 110, CV_8UC3);
        cv::randu(img, cv::Scalar::all(0), cv::Scalar::all(255));
        const FeaturesPtr f = mModel->encodeImages({img}).at(0);
        const ModelOutput out = mModel->decode(f, mModel->encodeText("two small cars"));

        RSRefSegModel direct = ModelBundle::open(mBundle).load({"cpu", torch::kFloat32});
        const SiglipTokenizer tok(ModelBundle::open(mBundle).tokenizerPath());
        const SiglipTokenizer::Encoding e = tok.encode("two small cars");
        c10::InferenceMode guard;
        const int64_t n = static_cast<int64_t>(e.ids.size());
        const DecodeOutput d = direct->predict(ImagePreprocessor::toModelInput(img, 128),
                                               torch::tensor(e.ids).view({1, n}), torch::tensor(e.attentionMask).view({1, n}));
        const torch::Tensor logits = direct->upsampleLogits(d.lowResLogits, 128, 128).contiguous();
        QCOMPARE(out.logits.rows, 128);
        double worst = 0;
        for (int y = 0; y < 128; ++y)
            for (int x = 0; x < 128; ++x)
                worst = std::max(worst, double(std::abs(out.logits.at<float>(y, x) - logits.data_ptr<float>()[y * 128 + x])));
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
        QCOMPARE(out.activation.rows, 7);
        QVERIFY(std::abs(out.relevance - torch::sigmoid(d.globalActivationLogit).max().item<float>()) < 1e-6);
        QVERIFY(std::abs(out.iou - d.iouPrediction[0].item<float>()) < 1e-6);

        // A batch gives the same features as one at a time.
        const std::vector<FeaturesPtr> two = mModel->encodeImages({img, img});
        QVERIFY(torch::allclose(two[1]->at("sam"), f->at("sam"), 1e-5, 1e-5));
        QVERIFY_EXCEPTION_THROWN(mModel->encodeText(""), Error);
        std::string longQuery;
        for (int i = 0; i < 80; ++i)
            longQuery += "tank ";
        // How the tokenizer read the query travels with its features.
        const FeaturesPtr longText = mModel->encodeText(longQuery);
        QVERIFY(!longText->textWarning.empty());
        QVERIFY(longText->textTruncated);
        QCOMPARE(longText->textTokens, 64);
        const FeaturesPtr shortText = mModel->encodeText("tank");
        QVERIFY(shortText->textWarning.empty());
        QVERIFY(!shortText->textTruncated);
        QCOMPARE(shortText->textTokens, int(SiglipTokenizer(ModelBundle::open(mBundle).tokenizerPath()).encode("tank").ids.size()));
    }

    // Tiled, several tiles: where one tile alone covers a pixel, the output is that tile's own
    // prediction; a second query runs no image encoder; the disk cache is bit-exact.
    void tiledAndCached()
    {
        RasterSpec s;
        s.width = 300;
        s.height = 200;
        s.value = [](int b, int x, int y) { return double((x * (b + 2) + y * 3 + (x / 40) * 90) % 256); };
        const std::string src = path("tiled.tif");
        makeRaster(src, s);
        SegmentationEngine::Options eo;
        eo.cache.diskDir = path("cache");
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"the white storage tank"};
        r.outputs = {{"", path("tiled_prob_1.tif"), ""}};
        r.settings.tileSize = 128;
        r.settings.overlap = 32;
        r.settings.gateThreshold = 0.0;
        r.settings.probabilityType = SegmentationSettings::ProbabilityType::Float32;
        cv::Mat prob1;
        {
            SegmentationEngine engine(mModel, eo);
            const SegmentationResult first = engine.run(r);
            QCOMPARE(first.tileCount, 6); // x 0,96,172  y 0,72
            QCOMPARE(first.cache.imageEncoderRuns, uint64_t(6));
            prob1 = readRaster(r.outputs[0].probability, CV_32FC1).band;
            QCOMPARE(prob1.cols, 300);

            r.queries = {"two small cars"};
            r.outputs = {{path("tiled_mask_2.tif"), "", path("tiled_2.fgb")}};
            const SegmentationResult second = engine.run(r);
            QCOMPARE(second.cache.imageEncoderRuns, uint64_t(0));
            QCOMPARE(second.cache.memoryHits, uint64_t(6));
            const RasterRead m = readRaster(r.outputs[0].mask);
            QCOMPARE(m.width, 300);
            QCOMPARE(int(cv::countNonZero(m.band > 1)), 0);
        }
        // Pixel (10, 10) lies in tile 0 only: the tile's own prediction.
        {
            const Raster raster = Raster::open(src);
            const BandSelection bands = BandSelection::automatic(raster.info());
            const RgbImage tile = raster.readRgb8({0, 0, 128, 128}, 128, 128, bands,
                                                  raster.computeStretch(bands, StretchOptions()));
            const ModelOutput o = mModel->decode(mModel->encodeImages({tile.rgb}).at(0),
                                                 mModel->encodeText("the white storage tank"));
            for (const auto &p : {std::make_pair(10, 10), std::make_pair(50, 60), std::make_pair(90, 20)})
                QVERIFY(std::abs(prob1.at<float>(p.second, p.first) - sigmoid(o.logits.at<float>(p.second, p.first))) < 1e-6);
        }
        // A restart: features from disk give exactly the same output.
        {
            SegmentationEngine engine(mModel, eo);
            r.queries = {"the white storage tank"};
            r.outputs = {{"", path("tiled_prob_3.tif"), ""}};
            const SegmentationResult again = engine.run(r);
            QCOMPARE(again.cache.diskHits, uint64_t(6));
            QCOMPARE(again.cache.imageEncoderRuns, uint64_t(0));
            const cv::Mat prob3 = readRaster(r.outputs[0].probability, CV_32FC1).band;
            QCOMPARE(cv::countNonZero(prob3 != prob1), 0);
        }
    }

    void randomWeights()
    {
        RSRefSegSegmentationModel::Options o;
        o.threads = 1;
        auto a = RSRefSegSegmentationModel::randomWeights(mBundle, rsgolden::golden("siglip_tiny/spiece.model"), o, 5);
        auto b = RSRefSegSegmentationModel::randomWeights(mBundle, rsgolden::golden("siglip_tiny/spiece.model"), o, 5);
        QCOMPARE(a->modelId(), b->modelId());
        QVERIFY(!a->trained());
        const cv::Mat img(64, 64, CV_8UC3, cv::Scalar(10, 120, 200));
        const ModelOutput x = a->decode(a->encodeImages({img})[0], a->encodeText("ships"));
        const ModelOutput y = b->decode(b->encodeImages({img})[0], b->encodeText("ships"));
        QCOMPARE(cv::countNonZero(x.logits != y.logits), 0); // seeded: the same weights
        QVERIFY(a->parameterCount() > 0);
        QVERIFY_EXCEPTION_THROWN(RSRefSegSegmentationModel::randomWeights(mBundle, "/nonexistent/spiece.model", o), Error);
        o.dtype = "f16";
        QVERIFY_EXCEPTION_THROWN(RSRefSegSegmentationModel::load(mBundle, o), Error); // fp16: GPU only
    }
};

QTEST_GUILESS_MAIN(TestRSRefSegSegmentationModel)
#include "test_rsrefsegsegmentationmodel.moc"
