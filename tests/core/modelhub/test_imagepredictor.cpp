// ImagePredictor (`rsrefseg predict`): one image seen whole through the SegmentationModel gives the
// network's own prediction bit for bit (logits resampled straight to the image's size, sigmoid >
// threshold), and the logits file holds the tensors and metadata predict has always written.
// Torch before Qt: Qt's `slots` macro breaks torch headers.
#include "../model/rsrefseg/rsrefseggolden.h"
#include "common/error.h"
#include "engine/imagepreprocessor.h"
#include "model/weights/safetensorsfile.h"
#include "modelhub/imagepredictor.h"
#include "modelhub/modelhub.h"
#include "modelhub/rsrefsegnetwork.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace rsrefseg;

class TestImagePredictor : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string mBundle;
    std::string path(const QString &n) { return mDir.filePath(n).toStdString(); }

  private slots:
    void initTestCase()
    {
        mBundle = rsgolden::importTinyBundle(path("tiny"));
    }

    void predictsAsTheNetwork()
    {
        ModelRequest r;
        r.source = mBundle;
        r.compute.threads = 1;
        const OpenedModel m = ModelHub::open(r);
        // The golden image, written as a PNG and read back whole.
        const torch::Tensor golden =
            SafetensorsFile::open(rsgolden::golden("rsrefseg_tiny/io.safetensors")).tensors().at("image_rgb_u8").contiguous();
        cv::Mat rgb(150, 130, CV_8UC3, golden.data_ptr<uint8_t>());
        cv::Mat bgr;
        cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
        QVERIFY(cv::imwrite(path("golden.png"), bgr));
        const cv::Mat image = ImagePredictor::readImage(path("golden.png"));
        QCOMPARE(cv::countNonZero(image.reshape(1) != rgb.reshape(1)), 0);

        const char *sentence = "The white storage tank on the left, next to 2 small cars.";
        const ImagePredictor::Text text = ImagePredictor::encodeText(*m.model, sentence);
        QVERIFY(text.tokens > 2);
        QVERIFY(!text.truncated);
        const ImagePredictor::Result res = ImagePredictor::predict(*m.model, image, text);

        RSRefSegNetwork n = RSRefSegNetwork::open(mBundle, r.compute);
        const SiglipTokenizer::Encoding e = n.tokenizer->encode(sentence);
        QCOMPARE(text.tokens, int(e.ids.size()));
        c10::InferenceMode guard;
        const int64_t len = int64_t(e.ids.size());
        const DecodeOutput d = n.model->predict(ImagePreprocessor::toModelInput(image, 128),
                                                torch::tensor(e.ids).view({1, len}), torch::tensor(e.attentionMask).view({1, len}));
        const torch::Tensor logits = n.model->upsampleLogits(d.lowResLogits, 150, 130)[0][0].contiguous();
        const torch::Tensor objects = logits.sigmoid().gt(n.manifest.config.maskThreshold);
        const torch::Tensor expected = objects.to(torch::kUInt8).mul(255).contiguous();
        QCOMPARE(res.mask.size(), cv::Size(130, 150));
        QCOMPARE(std::memcmp(res.mask.data, expected.data_ptr<uint8_t>(), 150 * 130), 0);
        QCOMPARE(res.objectPixels, objects.sum().item<int64_t>());
        QVERIFY(res.objectPixels > 0);
        QCOMPARE(res.output.relevance, d.globalActivationLogit.sigmoid().max().item<float>());
        QCOMPARE(res.output.iou, d.iouPrediction[0].item<float>());

        // The logits file: names, shapes, values and metadata.
        ImagePredictor::writeLogits(res, path("logits.safetensors"), {{"text", sentence}, {"model_id", "x"}});
        SafetensorsFile f = SafetensorsFile::open(path("logits.safetensors"));
        const auto t = f.tensors();
        QVERIFY(torch::equal(t.at("logits"), logits));
        QVERIFY(torch::equal(t.at("low_res_logits"), d.lowResLogits.to(torch::kFloat32)));
        QVERIFY(torch::equal(t.at("global_activation_logit"), d.globalActivationLogit[0]));
        QVERIFY(torch::equal(t.at("global_activation"), d.globalActivationLogit[0].sigmoid()));
        QVERIFY(torch::equal(t.at("iou_prediction"), d.iouPrediction.to(torch::kFloat32)));
        QCOMPARE(f.metadata().at("text"), std::string(sentence));

        ImagePredictor::writeMask(res, path("mask.png"), "mask.png");
        QCOMPARE(cv::countNonZero(cv::imread(path("mask.png"), cv::IMREAD_UNCHANGED) != res.mask), 0);
        QVERIFY_THROWS_EXCEPTION(Error, ImagePredictor::writeMask(res, path("no/such/folder/m.png"), "m.png"));
        QVERIFY_THROWS_EXCEPTION(Error, ImagePredictor::readImage(path("missing.png")));
        QVERIFY_THROWS_EXCEPTION(Error, ImagePredictor::encodeText(*m.model, "  "));
    }
};

QTEST_GUILESS_MAIN(TestImagePredictor)
#include "test_imagepredictor.moc"
