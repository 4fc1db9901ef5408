#include "model/rsrefseg/rsrefsegconvmodule.h"

#include <torch/nn/functional/activation.h>

namespace rsrefseg {

RSRefSegConvModuleImpl::RSRefSegConvModuleImpl(const RSRefSegConvModuleOptions &options)
    : mOptions(options)
{
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(options.in, options.out, options.kernel)
                                                         .stride(options.stride)
                                                         .padding(options.padding)
                                                         .bias(!options.normAndActivation)));
    if (options.normAndActivation)
        bn = register_module("bn", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(options.out).eps(1e-5)));
}

torch::Tensor RSRefSegConvModuleImpl::forward(const torch::Tensor &x)
{
    torch::Tensor y = conv->forward(x);
    if (!mOptions.normAndActivation)
        return y;
    return torch::gelu(bn->forward(y));
}

} // namespace rsrefseg
