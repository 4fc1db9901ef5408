#include "engine/imagepreprocessor.h"

#include "common/error.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

namespace rsrefseg {

cv::Mat ImagePreprocessor::resize(const cv::Mat &rgb, int size)
{
    if (rgb.empty() || rgb.type() != CV_8UC3)
        throw Error("the model input must be an 8-bit RGB image");
    if (size <= 0)
        throw Error("invalid model input size " + std::to_string(size));
    if (rgb.cols == size && rgb.rows == size)
        return rgb.isContinuous() ? rgb : rgb.clone();
    cv::Mat out;
    cv::resize(rgb, out, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
    return out;
}

torch::Tensor ImagePreprocessor::toModelInput(const cv::Mat &rgb, int size)
{
    const cv::Mat resized = resize(rgb, size);
    torch::Tensor hwc = torch::from_blob(const_cast<unsigned char *>(resized.ptr<unsigned char>()), {size, size, 3},
                                         torch::kUInt8);
    return hwc.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div_(255.0f).contiguous();
}

torch::Tensor ImagePreprocessor::toModelInput(const std::vector<cv::Mat> &rgb, int size)
{
    if (rgb.empty())
        throw Error("no images for the model input batch");
    std::vector<torch::Tensor> parts;
    parts.reserve(rgb.size());
    for (const cv::Mat &img : rgb)
        parts.push_back(toModelInput(img, size));
    return torch::cat(parts, 0);
}

} // namespace rsrefseg
