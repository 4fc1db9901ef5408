// ImagePreprocessor: 8-bit RGB images -> the model's input tensor, exactly as upstream
// (mmcv Resize keep_ratio=False = cv2.resize INTER_LINEAR on uint8, then /255, RGB, NCHW).
// OpenCV's fixed-point bilinear is used on purpose: it is what the reference does, bit for bit.
//
//   torch::Tensor x = ImagePreprocessor::toModelInput(rgb, 1024);   // [1, 3, 1024, 1024] in [0,1]
#pragma once

#include <opencv2/core/mat.hpp>
#include <torch/types.h>

#include <vector>

namespace rsrefseg {

class ImagePreprocessor
{
  public:
    // rgb: CV_8UC3 in R,G,B order, any size >= 1x1. Throws rsrefseg::Error otherwise.
    static cv::Mat resize(const cv::Mat &rgb, int size);
    static torch::Tensor toModelInput(const cv::Mat &rgb, int size);
    // Several images of the same size as one batch [B, 3, size, size].
    static torch::Tensor toModelInput(const std::vector<cv::Mat> &rgb, int size);
};

} // namespace rsrefseg
