// RSRefSeg2SegmentationModel: the RSRefSeg 2 network (core/model/rsrefseg2) behind the engine's
// SegmentationModel interface, with its Gemma tokenizer set up from the bundle's
// tokenizer_config.json. ModelHub registers it as the "rsrefseg2" architecture. No torch here.
//
//   auto m = RSRefSeg2SegmentationModel::load("models/rsrefseg2-rrsisd", compute);
//   SegmentationEngine engine(m, {});
//
// Per tile (cached): Hiera + neck + conv_s0/s1 and the SigLIP vision tower; per query: the text
// tower (cached), then per tile and query the cascaded prompter and the mask decoder. Images of
// any shape are keep-ratio resized and zero-padded as upstream; logits come back for the image
// region only (the padding cropped), so the engine's resampling to the tile is unchanged.
#pragma once

#include "engine/segmentationmodel.h"
#include "modelhub/computeoptions.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rsrefseg {

class RSRefSeg2SegmentationModel : public SegmentationModel
{
  public:
    // `progress` (0..1) may return false to cancel loading (CancelledError).
    static std::shared_ptr<RSRefSeg2SegmentationModel> load(const std::string &bundleDir, const ComputeOptions &compute,
                                                            const std::function<bool(double)> &progress = {});
    // Seeded random weights: `arch` is "rsrefseg2-l" (the released size) or an RSRefSeg 2 bundle
    // folder whose configuration is used; `tokenizer` a Gemma tokenizer.model.
    static std::shared_ptr<RSRefSeg2SegmentationModel> randomWeights(const std::string &arch, const std::string &tokenizer,
                                                                     const ComputeOptions &compute, uint64_t seed = 0);
    ~RSRefSeg2SegmentationModel() override;

    int inputSize() const override;
    std::string modelId() const override;
    std::string name() const override;
    std::string dtypeName() const override;
    double maskThreshold() const override;
    bool trained() const override;

    std::vector<FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) override;
    FeaturesPtr encodeText(const std::string &query) override;
    // ModelOutput::activation is the prompter's dense prompt map D (the text-image cosine the
    // mask decoder is prompted with) over the image region, at the decoder's grid (256 x 256
    // for the released model); relevance is its largest sigmoid.
    ModelOutput decode(const FeaturesPtr &image, const FeaturesPtr &text) override;
    // The reference's post-processing: low-res logits -> padded input -> crop -> width x height.
    ImageSizeOutput decodeAtSize(const FeaturesPtr &image, const FeaturesPtr &text, int width, int height) override;

    int64_t parameterCount() const;
    int threads() const;
    std::string device() const;

  private:
    struct Impl;
    explicit RSRefSeg2SegmentationModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

} // namespace rsrefseg
