// SegmentationModel: what the engine needs from a referring-segmentation model, in RSRefSeg's
// two phases (heavy image encoding, then cheap per-query calls): encodeImages() once per tile
// (expensive, cached), encodeText() once per query (cached), decode() per tile and query
// (cheap). Features are opaque handles (FeatureMap, named tensors) so that the embedding cache
// can keep them in memory or write them to disk without knowing the model; outputs leave as
// plain cv::Mat.
//
// Implementations: RSRefSegSegmentationModel (the real network from a model bundle) and
// ColourTestModel (deterministic, for geometry tests). This header does not include torch.
//
//   std::vector<FeaturesPtr> img = model.encodeImages({tileRgb});   // CV_8UC3 RGB, any size
//   FeaturesPtr txt = model.encodeText("the white storage tank");
//   ModelOutput out = model.decode(*img[0], *txt);                   // logits at inputSize()
#pragma once

#include <opencv2/core/mat.hpp>

#include <memory>
#include <string>
#include <vector>

namespace rsrefseg {

struct FeatureMap; // engine/featuremap.h (named tensors; includes torch)
using FeaturesPtr = std::shared_ptr<const FeatureMap>;

// FeatureMap::textWarning of text features, for code that does not include torch (the engine's
// pipeline); empty for null features.
std::string textWarningOf(const FeaturesPtr &text);

struct ModelOutput
{
    // Mask logits at the model input resolution (inputSize() x inputSize(), CV_32FC1), for the
    // image as the model saw it: the engine resizes them to the tile's or region's pixels.
    cv::Mat logits;
    cv::Mat activation;     // global activation logits (SigLIP grid, e.g. 27 x 27, CV_32FC1)
    float relevance = 0.0f; // max of sigmoid(activation)
    float iou = 0.0f;       // predicted IoU of the mask
};

class SegmentationModel
{
  public:
    virtual ~SegmentationModel() = default;

    virtual int inputSize() const = 0;         // square model input side in pixels
    virtual std::string modelId() const = 0;   // identifies the weights (cache keys)
    virtual std::string name() const = 0;      // for outputs' attributes and logs
    virtual std::string dtypeName() const = 0; // "f32", "bf16", ... (cache keys)
    virtual double maskThreshold() const { return 0.5; }
    virtual bool trained() const { return true; }

    // Images: CV_8UC3 in R,G,B order, any size (resized to inputSize() as upstream does).
    virtual std::vector<FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) = 0;
    // Throws rsrefseg::Error for an empty query. A warning about how the query was read (e.g.
    // truncated to the text tower's length) comes back in the features' textWarning.
    virtual FeaturesPtr encodeText(const std::string &query) = 0;
    virtual ModelOutput decode(const FeaturesPtr &image, const FeaturesPtr &text) = 0;
};

} // namespace rsrefseg
