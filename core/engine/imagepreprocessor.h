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
    // Several images as one batch [B, 3, size, size]: uint8BatchToModelInput(toUint8Batch(...)).
    static torch::Tensor toModelInput(const std::vector<cv::Mat> &rgb, int size);

    // The images resized (as above) into one [B, size, size, 3] uint8 tensor; `pinned` puts it
    // in page-locked memory (needs a CUDA LibTorch), from which a non-blocking copy to the GPU
    // is asynchronous: the images travel as a quarter of the float32 bytes while the CPU goes on.
    static torch::Tensor toUint8Batch(const std::vector<cv::Mat> &rgb, int size, bool pinned);
    // [B, size, size, 3] uint8 -> [B, 3, size, size] float32 in [0, 1], on the batch's device.
    static torch::Tensor uint8BatchToModelInput(const torch::Tensor &batch);
};

} // namespace rsrefseg
