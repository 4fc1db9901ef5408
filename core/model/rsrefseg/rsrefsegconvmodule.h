// RSRefSegConvModule: mmcv's ConvModule as the RSRefSeg prompter uses it: `conv` (bias only
// when there is no norm), optional `bn` (BatchNorm2d, eps 1e-5, eval: running statistics) and
// exact (erf) GELU. Registered names match the checkpoint: `<name>.conv.weight`, `<name>.bn.*`.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

namespace rsrefseg {

struct RSRefSegConvModuleOptions
{
    int64_t in = 0;
    int64_t out = 0;
    int64_t kernel = 1;
    int64_t stride = 1;
    int64_t padding = 0;
    bool normAndActivation = true; // false: plain conv with bias (the prompter's last layer)
};

class RSRefSegConvModuleImpl : public torch::nn::Module
{
  public:
    explicit RSRefSegConvModuleImpl(const RSRefSegConvModuleOptions &options);
    torch::Tensor forward(const torch::Tensor &x);

    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d bn{nullptr};

  private:
    RSRefSegConvModuleOptions mOptions;
};
TORCH_MODULE(RSRefSegConvModule);

} // namespace rsrefseg
