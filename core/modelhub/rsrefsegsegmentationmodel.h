// RSRefSegSegmentationModel: the real RSRefSeg network (core/model) behind the engine's
// SegmentationModel interface, with its SigLIP tokenizer: opened from a model bundle through
// RSRefSegNetwork, or built with seeded random weights for benchmarks. ModelHub registers it as
// the "rsrefseg" architecture; programs open it through ModelHub. No torch in this header (pimpl).
//
//   auto model = RSRefSegSegmentationModel::load("models/rsrefseg-b", compute);
//   SegmentationEngine engine(model, {});
//
// Torch settings are process-wide (thread count) or thread-local (inference mode, set inside
// every call): calls may come from any one worker thread at a time.
#pragma once

#include "engine/segmentationmodel.h"
#include "modelhub/computeoptions.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace rsrefseg {

struct RSRefSegNetwork;

class RSRefSegSegmentationModel : public SegmentationModel
{
  public:
    using Options = ComputeOptions;

    // `progress` (0..1) may return false to cancel loading (CancelledError).
    static std::shared_ptr<RSRefSegSegmentationModel> load(const std::string &bundleDir, const ComputeOptions &compute,
                                                           const std::function<bool(double)> &progress = {});
    // Seeded random weights (no download): `arch` is "rsrefseg-b" (full size) or a bundle folder
    // whose architecture is used (its weights are not read); `tokenizer` a SigLIP spiece.model.
    static std::shared_ptr<RSRefSegSegmentationModel> randomWeights(const std::string &arch,
                                                                    const std::string &tokenizer,
                                                                    const ComputeOptions &compute, uint64_t seed = 0);
    // The network as it is, from RSRefSegNetwork::open.
    RSRefSegSegmentationModel(RSRefSegNetwork network, const ComputeOptions &compute);
    ~RSRefSegSegmentationModel() override;

    int inputSize() const override;
    std::string modelId() const override;
    std::string name() const override;
    std::string dtypeName() const override;
    double maskThreshold() const override;
    bool trained() const override;

    std::vector<FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) override;
    // The tokenizer's warning, token count and truncation travel in the returned FeatureMap.
    FeaturesPtr encodeText(const std::string &query) override;
    ModelOutput decode(const FeaturesPtr &image, const FeaturesPtr &text) override;
    // Upstream's post-processing: the low-resolution logits resampled to the model input size,
    // then straight to width x height (RSRefSegModel::upsampleLogits).
    ImageSizeOutput decodeAtSize(const FeaturesPtr &image, const FeaturesPtr &text, int width, int height) override;

    int64_t parameterCount() const;
    int threads() const;
    std::string device() const;

  private:
    struct Impl;
    explicit RSRefSegSegmentationModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace rsrefseg
