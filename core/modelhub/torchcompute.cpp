#include "modelhub/torchcompute.h"

#include "common/error.h"
#include "model/rsrefseg/modelbundle.h"

#include <torch/torch.h>

namespace rsrefseg {

TorchCompute TorchCompute::resolve(const ComputeOptions &options)
{
    TorchCompute c;
    c.dtype = ModelBundle::parseDtype(options.dtype);
    c.dtypeName = ModelBundle::dtypeName(c.dtype);
    c.device = ModelBundle::parseDevice(options.device);
    if (c.device.is_cpu() && c.dtype == torch::kFloat16)
        throw Error("fp16 inference is only offered on GPUs; use f32 or bf16 on the CPU");
    return c;
}

cv::Mat tensorToMat(const torch::Tensor &t2d)
{
    const torch::Tensor c = t2d.to(torch::kCPU, torch::kFloat32).contiguous();
    return cv::Mat(static_cast<int>(c.size(0)), static_cast<int>(c.size(1)), CV_32FC1, c.data_ptr<float>()).clone();
}

void throwLoadOutOfMemory(const c10::OutOfMemoryError &error, const std::string &device)
{
    const std::string cause = error.what_without_backtrace();
    throw Error("out of memory loading the model onto " + device + " (" + cause.substr(0, cause.find('\n')) +
                "): use a smaller dtype (bf16 or f16) or the CPU");
}

} // namespace rsrefseg
