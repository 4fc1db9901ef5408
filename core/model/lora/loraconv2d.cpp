#include "model/lora/loraconv2d.h"

#include "common/error.h"

#include <torch/nn/init.h>
#include <torch/nn/modules/conv.h>

#include <cmath>

namespace rsrefseg {

LoraConv2dImpl::LoraConv2dImpl(const LoraConv2dOptions &options)
    : mOptions(options)
{
    reset();
}

void LoraConv2dImpl::reset()
{
    const int64_t k = mOptions.kernelSize;
    weight = register_parameter("weight", torch::empty({mOptions.outChannels, mOptions.inChannels, k, k}));
    torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
    if (mOptions.biasValue) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(mOptions.inChannels * k * k));
        bias = register_parameter("bias", torch::empty({mOptions.outChannels}).uniform_(-bound, bound));
    }
}

torch::Tensor LoraConv2dImpl::forward(const torch::Tensor &x)
{
    torch::Tensor y = torch::conv2d(x, weight, bias, mOptions.strideValue, mOptions.paddingValue);
    if (!mLoraA.defined())
        return y;
    const torch::Tensor in = mDropout > 0.0 ? torch::dropout(x, mDropout, is_training()) : x;
    const torch::Tensor low = torch::conv2d(in, mLoraA, {}, mOptions.strideValue, mOptions.paddingValue);
    return y + torch::conv2d(low, mLoraB) * mScale;
}

void LoraConv2dImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    if (rank <= 0)
        throw Error("LoRA rank must be positive, got " + std::to_string(rank));
    if (mLoraA.defined())
        throw Error("LoRA adapter already enabled");
    const int64_t k = mOptions.kernelSize;
    auto a = register_module("lora_A", torch::nn::Conv2d(torch::nn::Conv2dOptions(mOptions.inChannels, rank, k)
                                                              .stride(mOptions.strideValue)
                                                              .padding(mOptions.paddingValue)
                                                              .bias(false)));
    auto b = register_module("lora_B", torch::nn::Conv2d(torch::nn::Conv2dOptions(rank, mOptions.outChannels, 1).bias(false)));
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

void LoraConv2dImpl::setLoraAlpha(double alpha)
{
    if (!mLoraA.defined())
        throw Error("setLoraAlpha on a layer without a LoRA adapter");
    mScale = alpha / static_cast<double>(mLoraA.size(0));
}

void LoraConv2dImpl::mergeLora()
{
    if (!mLoraA.defined())
        return;
    {
        torch::NoGradGuard noGrad;
        const int64_t rank = mLoraA.size(0);
        const torch::Tensor b = mLoraB.to(torch::kFloat32).select(3, 0).select(2, 0); // [out, r]
        const torch::Tensor a = mLoraA.to(torch::kFloat32).reshape({rank, -1});      // [r, in*k*k]
        const torch::Tensor delta = torch::matmul(b, a).reshape(weight.sizes()) * mScale;
        weight.add_(delta.to(weight.scalar_type()));
    }
    unregister_module("lora_A");
    unregister_module("lora_B");
    mLoraA = torch::Tensor();
    mLoraB = torch::Tensor();
    mScale = 0.0;
}

} // namespace rsrefseg
