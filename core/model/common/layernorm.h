// layerNorm: a torch::nn::LayerNorm applied in float32 when its input is bf16 or fp16 on the
// CPU, then rounded back to the input's dtype. LibTorch 1.13's reduced-precision CPU layer norm
// is about ten times slower than its float32 one while the conversions are cheap: measured on
// the build machine (2 threads), a bf16 norm over [4096 x 256] took 4.6 ms and over
// [4096 x 1152] 17 ms; via float32, 0.4 + 0.2 ms and 1.7 + 0.9 ms (norm + conversions). Both
// compute the statistics in float32 and round the result once, so the outputs agree.
//   torch::Tensor y = layerNorm(layerNorm1, x); // instead of layerNorm1(x)
#pragma once

#include <torch/nn/modules/normalization.h>
#include <torch/nn/functional/normalization.h>

namespace rsrefseg {

inline torch::Tensor layerNorm(torch::nn::LayerNorm norm, const torch::Tensor &x)
{
    const auto type = x.scalar_type();
    if (!x.device().is_cpu() || (type != torch::kBFloat16 && type != torch::kHalf))
        return norm->forward(x);
    const auto &o = norm->options;
    const torch::Tensor w = norm->weight.defined() ? norm->weight.to(torch::kFloat32) : torch::Tensor();
    const torch::Tensor b = norm->bias.defined() ? norm->bias.to(torch::kFloat32) : torch::Tensor();
    return torch::layer_norm(x.to(torch::kFloat32), o.normalized_shape(), w, b, o.eps()).to(type);
}

} // namespace rsrefseg
