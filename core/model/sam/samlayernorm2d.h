// SamLayerNorm2d: HF `SamLayerNorm(data_format="channels_first")` over the channels of an
// NCHW tensor. Statistics are computed in float32 with the biased variance, the normalised
// values are cast back to the input dtype before the affine step (exactly HF's order, which
// matters in bf16). Parameters: `weight`, `bias` [C].
//
//   SamLayerNorm2d ln(256, 1e-6);
//   torch::Tensor y = ln(x);   // x: [B, 256, H, W]
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace rsrefseg {

class SamLayerNorm2dImpl : public torch::nn::Cloneable<SamLayerNorm2dImpl>
{
  public:
    explicit SamLayerNorm2dImpl(int64_t channels, double eps = 1e-6);

    void reset() override;
    torch::Tensor forward(const torch::Tensor &x);

    torch::Tensor weight;
    torch::Tensor bias;

  private:
    int64_t mChannels;
    double mEps;
};
TORCH_MODULE(SamLayerNorm2d);

} // namespace rsrefseg
