// ColourTestModel: a deterministic SegmentationModel whose answer is known in advance, so that
// tests can place "objects" in synthetic rasters and predict the mask pixel for pixel.
//
// The query picks a channel: a query containing "red", "green" or "blue" reads that channel,
// anything else the mean of the three ("bright"). The logit of a pixel is
// (value - 127.5) / 8, so a pixel is object exactly when its channel value is >= 128
// (probability > 0.5). With tiles of inputSize() pixels nothing is resampled and the expected
// mask is exact. The global activation is the logit max-pooled to an activationGrid square
// grid (relevance = sigmoid of the brightest pixel: tiles without bright pixels are gated),
// and the IoU prediction is the mean probability of the object pixels (0 without any).
// A query longer than warnAfterCharacters (0: never) comes with a text warning, as a real
// tokenizer's truncation would (the whole query is still read). Counters tell tests how often
// each phase ran.
//
//   ColourTestModel model({64});
//   FeaturesPtr f = model.encodeImages({tile})[0];
//   ModelOutput o = model.decode(f, model.encodeText("the red roofs"));
#pragma once

#include "engine/segmentationmodel.h"

#include <atomic>
#include <cstdint>

namespace rsrefseg {

class ColourTestModel : public SegmentationModel
{
  public:
    struct Options
    {
        int inputSize = 64;
        int activationGrid = 8;
        std::string id = "colour-test-v1";
        size_t warnAfterCharacters = 0;
    };

    ColourTestModel();
    explicit ColourTestModel(const Options &options);

    int inputSize() const override { return mOptions.inputSize; }
    std::string modelId() const override { return mOptions.id; }
    std::string name() const override { return "colour test model"; }
    std::string dtypeName() const override { return "u8"; }
    bool trained() const override { return false; }

    std::vector<FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) override;
    FeaturesPtr encodeText(const std::string &query) override;
    ModelOutput decode(const FeaturesPtr &image, const FeaturesPtr &text) override;

    // 0 red, 1 green, 2 blue, -1 the mean of the three.
    static int channelFor(const std::string &query);
    static float logitFor(double value) { return static_cast<float>((value - 127.5) / 8.0); }

    int64_t imageEncoderCalls() const { return mImageCalls.load(); }
    int64_t imagesEncoded() const { return mImages.load(); }
    int64_t textEncoderCalls() const { return mTextCalls.load(); }
    int64_t decodeCalls() const { return mDecodeCalls.load(); }

  private:
    Options mOptions;
    std::atomic<int64_t> mImageCalls{0};
    std::atomic<int64_t> mImages{0};
    std::atomic<int64_t> mTextCalls{0};
    std::atomic<int64_t> mDecodeCalls{0};
};

} // namespace rsrefseg
