// BilinearResampler: equal to torch's bilinear interpolation (align_corners = false), the
// upstream post-processing, for up- and down-sampling; bands of rows equal the whole.
#include "common/error.h"
#include "engine/bilinearresampler.h"

#include <opencv2/core.hpp>

#include <torch/torch.h>

#include <QtTest>

using namespace rsrefseg;

class TestBilinearResampler : public QObject
{
    Q_OBJECT

  private slots:
    void matchesTorch_data()
    {
        QTest::addColumn<int>("inW");
        QTest::addColumn<int>("inH");
        QTest::addColumn<int>("outW");
        QTest::addColumn<int>("outH");
        QTest::newRow("256 -> 1024") << 256 << 256 << 1024 << 1024;
        QTest::newRow("64 -> 300x197") << 64 << 64 << 300 << 197;
        QTest::newRow("128 -> 40x30 (down)") << 128 << 128 << 40 << 30;
        QTest::newRow("same") << 50 << 40 << 50 << 40;
        QTest::newRow("1 pixel") << 1 << 1 << 7 << 5;
    }

    void matchesTorch()
    {
        QFETCH(int, inW);
        QFETCH(int, inH);
        QFETCH(int, outW);
        QFETCH(int, outH);
        torch::manual_seed(1);
        const torch::Tensor src = torch::randn({1, 1, inH, inW}) * 10;
        const torch::Tensor ref = torch::nn::functional::interpolate(
                                      src, torch::nn::functional::InterpolateFuncOptions()
                                               .size(std::vector<int64_t>{outH, outW})
                                               .mode(torch::kBilinear)
                                               .align_corners(false))
                                      .contiguous();
        const torch::Tensor c = src.contiguous();
        const cv::Mat in(inH, inW, CV_32FC1, c.data_ptr<float>());
        const cv::Mat out = BilinearResampler::resize(in, outW, outH);
        QCOMPARE(out.cols, outW);
        QCOMPARE(out.rows, outH);
        const float *r = ref.data_ptr<float>();
        // Within a few float rounding steps (relative to max(1, |value|)).
        double worst = 0;
        for (int y = 0; y < outH; ++y)
            for (int x = 0; x < outW; ++x)
                worst = std::max(worst, double(std::abs(out.at<float>(y, x) - r[y * outW + x])) /
                                            std::max(1.0, double(std::abs(r[y * outW + x]))));
        QVERIFY2(worst < 4e-6, qPrintable(QString::number(worst)));

        // Bands of rows give the same values as the whole.
        BilinearResampler rs(in, outW, outH);
        cv::Mat band;
        for (int y = 0; y < outH; y += 13) {
            const int n = std::min(13, outH - y);
            rs.rows(y, n, band);
            QCOMPARE(cv::countNonZero(band != out.rowRange(y, y + n)), 0);
        }
    }

    void refusals()
    {
        QVERIFY_EXCEPTION_THROWN(BilinearResampler(cv::Mat(), 3, 3), Error);
        QVERIFY_EXCEPTION_THROWN(BilinearResampler(cv::Mat(3, 3, CV_8UC1), 3, 3), Error);
        BilinearResampler r(cv::Mat(3, 3, CV_32FC1, cv::Scalar::all(1)), 5, 5);
        cv::Mat out;
        QVERIFY_EXCEPTION_THROWN(r.rows(4, 2, out), Error);
    }
};

QTEST_APPLESS_MAIN(TestBilinearResampler)
#include "test_bilinearresampler.moc"
