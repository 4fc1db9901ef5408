#include "model/lora/loralinear.h"

#include "common/error.h"
#include "model/common/fewrowslinear.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/linear.h>

#include <cmath>

namespace rsrefseg {

LoraLinearImpl::LoraLinearImpl(const LoraLinearOptions &options)
    : mOptions(options)
{
    reset();
}

void LoraLinearImpl::reset()
{
    weight = register_parameter("weight", torch::empty({mOptions.outFeatures, mOptions.inFeatures}));
    torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
    if (mOptions.bias) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(mOptions.inFeatures));
        bias = register_parameter("bias", torch::empty({mOptions.outFeatures}).uniform_(-bound, bound));
    }
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor &x)
{
    torch::Tensor y = fewRowsLinear(x, weight, bias);
    if (!mLoraA.defined())
        return y;
    const torch::Tensor in = mDropout > 0.0 ? torch::dropout(x, mDropout, is_training()) : x;
    return y + torch::linear(torch::linear(in, mLoraA), mLoraB) * mScale;
}

void LoraLinearImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    if (rank <= 0)
        throw Error("LoRA rank must be positive, got " + std::to_string(rank));
    if (mLoraA.defined())
        throw Error("LoRA adapter already enabled");
    auto a = register_module("lora_A", torch::nn::Linear(torch::nn::LinearOptions(mOptions.inFeatures, rank).bias(false)));
    auto b = register_module("lora_B", torch::nn::Linear(torch::nn::LinearOptions(rank, mOptions.outFeatures).bias(false)));
    {
        torch::NoGradGuard noGrad;
        torch::nn::init::kaiming_uniform_(a->weight, std::sqrt(5.0));
        b->weight.zero_();
    }
    mLoraA = a->weight;
    mLoraB = b->weight;
    mScale = alpha / static_cast<double>(rank);
    mDropout = dropout;
}

void LoraLinearImpl::setLoraAlpha(double alpha)
{
    if (!mLoraA.defined())
        throw Error("setLoraAlpha on a layer without a LoRA adapter");
    mScale = alpha / static_cast<double>(mLoraA.size(0));
}

void LoraLinearImpl::mergeLora()
{
    if (!mLoraA.defined())
        return;
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor delta = torch::matmul(mLoraB.to(torch::kFloat32), mLoraA.to(torch::kFloat32)) * mScale;
        weight.add_(delta.to(weight.scalar_type()));
    }
    unregister_module("lora_A");
    unregister_module("lora_B");
    mLoraA = torch::Tensor();
    mLoraB = torch::Tensor();
    mScale = 0.0;
}

} // namespace rsrefseg
