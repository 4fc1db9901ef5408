// RSRefSegSegmentationModel: the real RSRefSeg network (core/model) behind the engine's
// SegmentationModel interface, with its SigLIP tokenizer: loaded from a model bundle, or built
// with seeded random weights for benchmarks. No torch in this header (pimpl).
//
//   RSRefSegSegmentationModel::Options o;  o.device = "cpu";  o.dtype = "f32";  o.threads = 0;
//   auto model = RSRefSegSegmentationModel::load("models/rsrefseg-b", o);
//   SegmentationEngine engine(model, {});
//
// Torch settings are process-wide (thread count) or thread-local (inference mode, set inside
// every call): calls may come from any one worker thread at a time.
#pragma once

#include "engine/segmentationmodel.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace rsrefseg {

class RSRefSegSegmentationModel : public SegmentationModel
{
  public:
    struct Options
    {
        std::string device = "cpu"; // cpu | cuda | cuda:N
        std::string dtype = "f32";  // f32 | bf16 | f16 (f16: GPU only)
        int threads = 0;            // torch intra-op threads; 0: all hardware threads
    };

    // `progress` (0..1) may return false to cancel loading (CancelledError).
    static std::shared_ptr<RSRefSegSegmentationModel> load(const std::string &bundleDir, const Options &options,
                                                           const std::function<bool(double)> &progress = {});
    // Seeded random weights (no download): `arch` is "rsrefseg-b" (full size) or a bundle folder
    // whose architecture is used (its weights are not read); `tokenizer` a SigLIP spiece.model.
    static std::shared_ptr<RSRefSegSegmentationModel> randomWeights(const std::string &arch,
                                                                    const std::string &tokenizer,
                                                                    const Options &options, uint64_t seed = 0);
    ~RSRefSegSegmentationModel() override;

    int inputSize() const override;
    std::string modelId() const override;
    std::string name() const override;
    std::string dtypeName() const override;
    double maskThreshold() const override;
    bool trained() const override;

    std::vector<FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) override;
    FeaturesPtr encodeText(const std::string &query) override;
    ModelOutput decode(const FeaturesPtr &image, const FeaturesPtr &text) override;

    int64_t parameterCount() const;
    int threads() const;
    std::string device() const;

  private:
    struct Impl;
    explicit RSRefSegSegmentationModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace rsrefseg
