// SegmentationModel: what the engine needs from a referring-segmentation model, in the
// two phases of RSRefSeg (DESIGN.md §2): encodeImages() once per tile (expensive, cached),
// encodeText() once per query (cached), decode() per tile and query (cheap). Features are
// opaque handles (FeatureMap, named tensors) so that the embedding cache can keep them in
// memory or write them to disk without knowing the model; outputs leave as plain cv::Mat.
//
// Implementations: RSRefSegSegmentationModel (the real network from a model bundle) and
// ColourTestModel (deterministic, for geometry tests). This header does not include torch.
//
//   std::vector<FeaturesPtr> img = model.encodeImages({tileRgb});   // CV_8UC3 RGB, any size
//   FeaturesPtr txt = model.encodeText("the white storage tank");
//   ModelOutput out = model.decode(*img[0], *txt);                   // logits at inputSize()
#pragma once

#include <opencv2/core/mat.hpp>
#include <opencv2/imgproc.hpp>

#include <memory>
#include <string>
#include <vector>

namespace rsrefseg {

struct FeatureMap; // engine/featuremap.h (named tensors; includes torch)
using FeaturesPtr = std::shared_ptr<const FeatureMap>;

struct ModelOutput
{
    // Mask logits at the model input resolution (inputSize() x inputSize(), CV_32FC1), for the
    // image as the model saw it: the engine resizes them to the tile's or region's pixels.
    cv::Mat logits;
    cv::Mat activation;     // global activation logits (SigLIP grid, e.g. 27 x 27, CV_32FC1)
    float relevance = 0.0f; // max of sigmoid(activation)
    float iou = 0.0f;       // predicted IoU of the mask
};

// What decodeAtSize() gives: one image seen whole by the model, with its logits resampled
// straight to the image's own size (as upstream's post-processing does: `rsrefseg predict`).
struct ImageSizeOutput
{
    cv::Mat logits;       // at the requested size (height x width), CV_32FC1
    cv::Mat lowResLogits; // as the mask decoder produced them (e.g. 256 x 256), CV_32FC1
    cv::Mat activation;   // global activation logits (SigLIP grid), CV_32FC1
    float relevance = 0.0f;
    float iou = 0.0f;
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

    // decode() for an image seen whole, with logits at width x height. The default resamples
    // decode()'s logits bilinearly; a model whose decoder has its own low-resolution grid
    // overrides it to resample from that grid, as its reference post-processing does.
    virtual ImageSizeOutput decodeAtSize(const FeaturesPtr &image, const FeaturesPtr &text, int width, int height)
    {
        const ModelOutput o = decode(image, text);
        ImageSizeOutput out;
        cv::resize(o.logits, out.logits, cv::Size(width, height), 0.0, 0.0, cv::INTER_LINEAR);
        out.lowResLogits = o.logits;
        out.activation = o.activation;
        out.relevance = o.relevance;
        out.iou = o.iou;
        return out;
    }

    // Images: CV_8UC3 in R,G,B order, any size (resized to inputSize() as upstream does).
    virtual std::vector<FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) = 0;
    // Throws rsrefseg::Error for an empty query.
    virtual FeaturesPtr encodeText(const std::string &query) = 0;
    virtual ModelOutput decode(const FeaturesPtr &image, const FeaturesPtr &text) = 0;
    // A warning about how the query was read (e.g. truncated to the text tower's length).
    virtual std::string textWarning(const std::string &query) const
    {
        (void)query;
        return {};
    }
};

} // namespace rsrefseg
