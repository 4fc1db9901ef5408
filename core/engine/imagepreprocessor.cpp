#include "engine/imagepreprocessor.h"

#include "common/error.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <cstring>

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
    return toModelInput(std::vector<cv::Mat>{rgb}, size);
}

torch::Tensor ImagePreprocessor::toModelInput(const std::vector<cv::Mat> &rgb, int size)
{
    return uint8BatchToModelInput(toUint8Batch(rgb, size, false));
}

torch::Tensor ImagePreprocessor::toUint8Batch(const std::vector<cv::Mat> &rgb, int size, bool pinned)
{
    if (rgb.empty())
        throw Error("no images for the model input batch");
    const int64_t b = static_cast<int64_t>(rgb.size());
    torch::Tensor batch = torch::empty({b, size, size, 3}, torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(pinned));
    for (int64_t i = 0; i < b; ++i) {
        const cv::Mat resized = resize(rgb[static_cast<size_t>(i)], size);
        std::memcpy(batch[i].data_ptr<uint8_t>(), resized.ptr<unsigned char>(), static_cast<size_t>(size) * size * 3);
    }
    return batch;
}

torch::Tensor ImagePreprocessor::uint8BatchToModelInput(const torch::Tensor &batch)
{
    if (batch.dim() != 4 || batch.size(3) != 3 || batch.scalar_type() != torch::kUInt8)
        throw Error("the model input batch must be [B, size, size, 3] uint8");
    return batch.permute({0, 3, 1, 2}).to(torch::kFloat32).div_(255.0f).contiguous();
}

} // namespace rsrefseg
