#include "model/sam/samlayernorm2d.h"

#include "common/error.h"

namespace rsrefseg {

SamLayerNorm2dImpl::SamLayerNorm2dImpl(int64_t channels, double eps)
    : mChannels(channels)
    , mEps(eps)
{
    reset();
}

void SamLayerNorm2dImpl::reset()
{
    weight = register_parameter("weight", torch::ones({mChannels}));
    bias = register_parameter("bias", torch::zeros({mChannels}));
}

torch::Tensor SamLayerNorm2dImpl::forward(const torch::Tensor &x)
{
    if (x.dim() != 4 || x.size(1) != mChannels)
        throw Error("SamLayerNorm2d: expected [B, " + std::to_string(mChannels) + ", H, W], got " +
                    std::to_string(x.dim()) + "-d input with " + std::to_string(x.dim() > 1 ? x.size(1) : 0) +
                    " channels");
    // As HF: statistics over the channels in float32. Computed as a float32 layer norm over the
    // last dimension of the channels-last view: one pass of ATen's kernel instead of seven
    // element-wise passes and two strided reductions (a [64 x 128 x 128] norm of the mask
    // decoder took ~6 ms that way, 0.5 ms this way). The result is copied back to contiguous
    // NCHW: convolutions given the channels-last view ran slower. HF rounds the normalised
    // values to the input dtype before the affine; here the affine is in float32 too, so
    // bf16 results can differ by one rounding.
    const auto inputType = x.scalar_type();
    const torch::Tensor rows = x.permute({0, 2, 3, 1}).to(torch::kFloat32, false, false, torch::MemoryFormat::Contiguous);
    const torch::Tensor y = torch::layer_norm(rows, {mChannels}, weight.to(torch::kFloat32), bias.to(torch::kFloat32), mEps);
    return y.to(inputType).permute({0, 3, 1, 2}).contiguous();
}

} // namespace rsrefseg
