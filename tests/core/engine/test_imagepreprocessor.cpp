// ImagePreprocessor (engine/imagepreprocessor.h): 8-bit RGB -> the model's [B, 3, S, S] input in
// [0, 1], resized with OpenCV's bilinear like upstream; the uint8 batch (what goes to a GPU) and
// its conversion give bit for bit the single-image input; bad input is a clear error.
// Torch headers before Qt's (Qt's `slots` macro breaks them).
#include "common/error.h"
#include "engine/imagepreprocessor.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <QtTest>

using namespace rsrefseg;

namespace {

cv::Mat randomRgb(int width, int height, int seed)
{
    cv::Mat m(height, width, CV_8UC3);
    cv::RNG rng(static_cast<uint64>(seed));
    rng.fill(m, cv::RNG::UNIFORM, 0, 256);
    return m;
}

template <typename F> QString errorOf(F &&f)
{
    try {
        f();
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestImagePreprocessor : public QObject
{
    Q_OBJECT

  private slots:
    void singleImage()
    {
        const cv::Mat img = randomRgb(50, 40, 1);
        const torch::Tensor x = ImagePreprocessor::toModelInput(img, 32);
        QCOMPARE(x.sizes().vec(), (std::vector<int64_t>{1, 3, 32, 32}));
        QCOMPARE(x.scalar_type(), torch::kFloat32);
        QVERIFY(x.is_contiguous());
        cv::Mat resized;
        cv::resize(img, resized, cv::Size(32, 32), 0, 0, cv::INTER_LINEAR);
        // Channel c at (y, x) is byte c of the resized pixel, / 255 (R, G, B order kept).
        for (int y = 0; y < 32; y += 7)
            for (int xx = 0; xx < 32; xx += 5)
                for (int c = 0; c < 3; ++c)
                    QCOMPARE(x[0][c][y][xx].item<float>(), resized.at<cv::Vec3b>(y, xx)[c] / 255.0f);
        // Already the input size: no resampling at all.
        const cv::Mat exact = randomRgb(32, 32, 2);
        QCOMPARE(ImagePreprocessor::toModelInput(exact, 32)[0][1][3][4].item<float>(), exact.at<cv::Vec3b>(3, 4)[1] / 255.0f);
    }

    void batchIsTheSingleImagesBitForBit()
    {
        // Different sizes in one batch: each is resized on its own.
        const std::vector<cv::Mat> images = {randomRgb(64, 64, 3), randomRgb(70, 45, 4), randomRgb(33, 90, 5)};
        const torch::Tensor u8 = ImagePreprocessor::toUint8Batch(images, 64, /*pinned*/ false);
        QCOMPARE(u8.sizes().vec(), (std::vector<int64_t>{3, 64, 64, 3}));
        QCOMPARE(u8.scalar_type(), torch::kUInt8);
        const torch::Tensor batch = ImagePreprocessor::uint8BatchToModelInput(u8);
        QVERIFY(torch::equal(batch, ImagePreprocessor::toModelInput(images, 64)));
        for (size_t i = 0; i < images.size(); ++i)
            QVERIFY(torch::equal(batch[static_cast<int64_t>(i)].unsqueeze(0), ImagePreprocessor::toModelInput(images[i], 64)));
        // The uint8 batch holds the resized bytes as they are.
        cv::Mat resized;
        cv::resize(images[1], resized, cv::Size(64, 64), 0, 0, cv::INTER_LINEAR);
        QCOMPARE(std::memcmp(u8[1].data_ptr<uint8_t>(), resized.data, 64 * 64 * 3), 0);
    }

    void badInputIsAClearError()
    {
        QVERIFY(errorOf([] { ImagePreprocessor::toModelInput(std::vector<cv::Mat>{}, 32); }).contains("no images"));
        QVERIFY(errorOf([] { ImagePreprocessor::toModelInput(cv::Mat(8, 8, CV_8UC1), 32); }).contains("8-bit RGB"));
        QVERIFY(errorOf([] { ImagePreprocessor::toModelInput(randomRgb(8, 8, 6), 0); }).contains("input size"));
        QVERIFY(errorOf([] { ImagePreprocessor::uint8BatchToModelInput(torch::zeros({1, 3, 8, 8}, torch::kUInt8)); })
                    .contains("uint8"));
        QVERIFY(errorOf([] { ImagePreprocessor::uint8BatchToModelInput(torch::zeros({1, 8, 8, 3})); }).contains("uint8"));
    }
};

QTEST_GUILESS_MAIN(TestImagePreprocessor)
#include "test_imagepreprocessor.moc"
