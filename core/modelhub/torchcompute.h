// TorchCompute: ComputeOptions resolved for LibTorch (device, dtype, their canonical names), and
// the helpers every SegmentationModel over a LibTorch network shares: one 2-D tensor as a
// cv::Mat, and an out-of-memory error while loading turned into one clear Error.
//
//   TorchCompute c = TorchCompute::resolve(options);     // Error for a bad device or dtype
//   try { load(c.device, c.dtype); } catch (const c10::OutOfMemoryError &e) { throwLoadOutOfMemory(e, options.device); }
#pragma once

#include "modelhub/computeoptions.h"

#include <opencv2/core/mat.hpp>
#include <torch/types.h>

#include <string>

namespace rsrefseg {

struct TorchCompute
{
    torch::Device device{torch::kCPU};
    torch::ScalarType dtype = torch::kFloat32;
    std::string dtypeName = "f32";

    // fp16 on the CPU is refused: LibTorch's CPU kernels do not offer it.
    static TorchCompute resolve(const ComputeOptions &options);
};

// A 2-D tensor as a float32 cv::Mat (its own copy).
cv::Mat tensorToMat(const torch::Tensor &t2d);

[[noreturn]] void throwLoadOutOfMemory(const c10::OutOfMemoryError &error, const std::string &device);

} // namespace rsrefseg
