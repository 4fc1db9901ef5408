// ColourTestModel: the deterministic model the geometry tests rely on says exactly what its
// header promises.
#include "common/error.h"
#include "engine/colourtestmodel.h"

#include <QtTest>

#include <cmath>

using namespace rsrefseg;

class TestColourTestModel : public QObject
{
    Q_OBJECT

  private slots:
    void logitsAndRelevance()
    {
        ColourTestModel m({16, 4, "c"});
        cv::Mat img(16, 16, CV_8UC3, cv::Scalar(50, 60, 70));
        img(cv::Rect(4, 4, 3, 2)).setTo(cv::Scalar(128, 10, 200)); // R=128: object for "red"
        const FeaturesPtr f = m.encodeImages({img}).at(0);
        const ModelOutput red = m.decode(f, m.encodeText("Red roofs"));
        QCOMPARE(red.logits.rows, 16);
        QCOMPARE(red.logits.at<float>(4, 4), (128.0f - 127.5f) / 8.0f);
        QCOMPARE(red.logits.at<float>(0, 0), (50.0f - 127.5f) / 8.0f);
        QCOMPARE(red.activation.rows, 4);
        QVERIFY(std::abs(red.relevance - 1.0 / (1.0 + std::exp(-(0.5 / 8.0)))) < 1e-6);
        QVERIFY(std::abs(red.iou - red.relevance) < 1e-6);
        const ModelOutput blue = m.decode(f, m.encodeText("blue"));
        QCOMPARE(blue.logits.at<float>(5, 6), (200.0f - 127.5f) / 8.0f);
        const ModelOutput bright = m.decode(f, m.encodeText("anything"));
        QCOMPARE(bright.logits.at<float>(0, 0), (60.0f - 127.5f) / 8.0f);
        const ModelOutput green = m.decode(f, m.encodeText("green"));
        QCOMPARE(green.iou, 0.0f);
        QVERIFY(green.relevance < 0.01f);
        QCOMPARE(m.imageEncoderCalls(), int64_t(1));
        QCOMPARE(m.textEncoderCalls(), int64_t(4));
        QCOMPARE(m.decodeCalls(), int64_t(4));
        QVERIFY_EXCEPTION_THROWN(m.encodeText(" "), Error);
        QCOMPARE(ColourTestModel::channelFor("GREEN fields"), 1);
        QCOMPARE(ColourTestModel::channelFor("ships"), -1);
    }

    void batchAndResize()
    {
        ColourTestModel m({16, 4, "c"});
        const std::vector<FeaturesPtr> f =
            m.encodeImages({cv::Mat(16, 16, CV_8UC3, cv::Scalar(200, 0, 0)), cv::Mat(40, 30, CV_8UC3, cv::Scalar(0, 0, 0))});
        QCOMPARE(f.size(), size_t(2));
        QCOMPARE(m.imagesEncoded(), int64_t(2));
        QCOMPARE(m.imageEncoderCalls(), int64_t(1));
        QCOMPARE(m.decode(f[1], m.encodeText("red")).logits.cols, 16);
    }
};

QTEST_APPLESS_MAIN(TestColourTestModel)
#include "test_colourtestmodel.moc"
