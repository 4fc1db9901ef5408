// ImagePredictor: one image, one sentence, the model seeing the whole image at once, as
// upstream's inference does (`rsrefseg predict`): the image is read whole (automatic bands and
// stretch), resized to the model input, and the logits are resampled straight to the image's own
// size, then thresholded at the model's mask threshold. It runs through the same
// SegmentationModel (ModelHub) as `rsrefseg segment`; no georeference is needed.
//
//   OpenedModel m = ModelHub::open(request);
//   ImagePredictor::Text t = ImagePredictor::encodeText(*m.model, "the white storage tank");
//   ImagePredictor::Result r = ImagePredictor::predict(*m.model, ImagePredictor::readImage("a.png"), t);
//   ImagePredictor::writeMask(r, "mask.png");                  // 255 object, 0 background
//   ImagePredictor::writeLogits(r, "logits.safetensors", {{"text", "..."}});
#pragma once

#include "engine/segmentationmodel.h"

#include <cstdint>
#include <map>
#include <string>

namespace rsrefseg {

namespace ImagePredictor {

struct Text
{
    FeaturesPtr features;
    std::string warning; // the tokenizer's ("" when the sentence was read as written)
    int tokens = 0;
    bool truncated = false;
};

// Throws Error for an empty sentence.
Text encodeText(SegmentationModel &model, const std::string &sentence);
// The whole image as 8-bit RGB (CV_8UC3), its own size. Throws Error naming the file.
cv::Mat readImage(const std::string &path);

struct Result
{
    cv::Mat mask;             // CV_8UC1 at the image's size: 255 object, 0 background
    int64_t objectPixels = 0;
    ImageSizeOutput output;   // logits at the image's size, low-resolution logits, activation
};

Result predict(SegmentationModel &model, const cv::Mat &rgb, const Text &text);

// The mask as a lossless image; the format follows the extension of `path` (.png, .tif).
void writeMask(const Result &result, const std::string &path, const std::string &shownPath);
// low_res_logits [1,1,h,w], logits [H,W], global_activation_logit [h,w], global_activation
// (its sigmoid) and iou_prediction [1], all float32, with `metadata` as the file's metadata.
void writeLogits(const Result &result, const std::string &path, const std::map<std::string, std::string> &metadata);

} // namespace ImagePredictor

} // namespace rsrefseg
