#include "modelhub/imagepredictor.h"

#include "common/error.h"
#include "engine/featuremap.h"
#include "geo/raster.h"
#include "model/weights/safetensorswriter.h"

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <cstring>

namespace rsrefseg {

namespace {

// A float32 CPU tensor with a copy of a continuous CV_32FC1 matrix, in `shape`.
torch::Tensor tensorOf(const cv::Mat &m, std::vector<int64_t> shape)
{
    const cv::Mat c = m.isContinuous() ? m : m.clone();
    return torch::from_blob(const_cast<uchar *>(c.data), shape, torch::kFloat32).clone();
}

} // namespace

ImagePredictor::Text ImagePredictor::encodeText(SegmentationModel &model, const std::string &sentence)
{
    Text t;
    t.features = model.encodeText(sentence);
    t.warning = t.features->textWarning;
    t.tokens = t.features->textTokens;
    t.truncated = t.features->textTruncated;
    return t;
}

cv::Mat ImagePredictor::readImage(const std::string &path)
{
    const Raster raster = Raster::open(path);
    const RasterInfo &info = raster.info();
    const BandSelection bands = BandSelection::automatic(info);
    const ContrastStretch stretch = raster.computeStretch(bands, StretchOptions());
    return raster.readRgb8({0, 0, info.width, info.height}, info.width, info.height, bands, stretch,
                           Raster::Resampling::Nearest)
        .rgb;
}

ImagePredictor::Result ImagePredictor::predict(SegmentationModel &model, const cv::Mat &rgb, const Text &text)
{
    Result r;
    const FeaturesPtr image = model.encodeImages({rgb}).at(0);
    r.output = model.decodeAtSize(image, text.features, rgb.cols, rgb.rows);
    // Thresholded by LibTorch, as upstream's post-processing does: sigmoid(logit) > threshold in
    // float32, bit for bit the mask predict has always written.
    c10::InferenceMode guard;
    const torch::Tensor logits = tensorOf(r.output.logits, {rgb.rows, rgb.cols});
    const torch::Tensor objects = logits.sigmoid().gt(model.maskThreshold());
    const torch::Tensor bytes = objects.to(torch::kUInt8).mul(255).contiguous();
    r.mask = cv::Mat(rgb.rows, rgb.cols, CV_8UC1);
    std::memcpy(r.mask.data, bytes.data_ptr<uint8_t>(), static_cast<size_t>(rgb.cols) * rgb.rows);
    r.objectPixels = objects.sum().item<int64_t>();
    return r;
}

void ImagePredictor::writeMask(const Result &result, const std::string &path, const std::string &shownPath)
{
    if (!cv::imwrite(path, result.mask))
        throw Error("cannot write '" + shownPath + "' (disk full or not writable?)");
}

void ImagePredictor::writeLogits(const Result &result, const std::string &path,
                                 const std::map<std::string, std::string> &metadata)
{
    const ImageSizeOutput &o = result.output;
    const torch::Tensor global = tensorOf(o.activation, {o.activation.rows, o.activation.cols});
    SafetensorsWriter::write(path,
                             {{"low_res_logits", tensorOf(o.lowResLogits, {1, 1, o.lowResLogits.rows, o.lowResLogits.cols})},
                              {"logits", tensorOf(o.logits, {o.logits.rows, o.logits.cols})},
                              {"global_activation_logit", global},
                              {"global_activation", global.sigmoid().contiguous()},
                              {"iou_prediction", torch::tensor({o.iou}, torch::kFloat32)}},
                             metadata);
}

} // namespace rsrefseg
