#include "model/lora/loraadapter.h"

#include "common/error.h"

#include <torch/nn/init.h>

#include <cmath>
#include <string>

namespace rsrefseg {

LoraAdapter::LoraAdapter(torch::Tensor &a, torch::Tensor &b, double &scale, double &dropout)
    : mA(a)
    , mB(b)
    , mScale(scale)
    , mDropout(dropout)
{
}

void LoraAdapter::checkCanEnable(int64_t rank) const
{
    if (rank <= 0)
        throw Error("LoRA rank must be positive, got " + std::to_string(rank));
    if (mA.defined())
        throw Error("LoRA adapter already enabled");
}

void LoraAdapter::attach(const torch::Tensor &a, const torch::Tensor &b, int64_t rank, double alpha, double dropout)
{
    {
        torch::NoGradGuard noGrad;
        torch::Tensor initA = a, initB = b; // the same storage: the registered weights change
        torch::nn::init::kaiming_uniform_(initA, std::sqrt(5.0));
        initB.zero_();
    }
    mA = a;
    mB = b;
    mScale = alpha / static_cast<double>(rank);
    mDropout = dropout;
}

torch::Tensor LoraAdapter::input(const torch::Tensor &x, bool training) const
{
    return mDropout > 0.0 ? torch::dropout(x, mDropout, training) : x;
}

void LoraAdapter::setAlpha(double alpha)
{
    if (!mA.defined())
        throw Error("setLoraAlpha on a layer without a LoRA adapter");
    mScale = alpha / static_cast<double>(mA.size(0));
}

void LoraAdapter::merge(torch::nn::Module &owner, torch::Tensor &weight,
                        const std::function<torch::Tensor(const torch::Tensor &, const torch::Tensor &)> &product)
{
    if (!mA.defined())
        return;
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor delta = product(mA.to(torch::kFloat32), mB.to(torch::kFloat32)) * mScale;
        weight.add_(delta.to(weight.scalar_type()));
    }
    owner.unregister_module("lora_A");
    owner.unregister_module("lora_B");
    mA = torch::Tensor();
    mB = torch::Tensor();
    mScale = 0.0;
}

} // namespace rsrefseg
