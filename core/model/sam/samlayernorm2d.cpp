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
    const auto inputType = x.scalar_type();
    const torch::Tensor xf = x.to(torch::kFloat32);
    const torch::Tensor u = xf.mean(1, /*keepdim*/ true);
    const torch::Tensor centered = xf - u;
    const torch::Tensor s = centered.pow(2).mean(1, /*keepdim*/ true);
    const torch::Tensor normed = (centered / torch::sqrt(s + mEps)).to(inputType);
    return weight.view({-1, 1, 1}) * normed + bias.view({-1, 1, 1});
}

} // namespace rsrefseg
