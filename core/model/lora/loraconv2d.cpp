#include "model/lora/loraconv2d.h"

#include "model/lora/loraadapter.h"

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
    const torch::Tensor in = LoraAdapter(mLoraA, mLoraB, mScale, mDropout).input(x, is_training());
    const torch::Tensor low = torch::conv2d(in, mLoraA, {}, mOptions.strideValue, mOptions.paddingValue);
    return y + torch::conv2d(low, mLoraB) * mScale;
}

void LoraConv2dImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    LoraAdapter lora(mLoraA, mLoraB, mScale, mDropout);
    lora.checkCanEnable(rank);
    const int64_t k = mOptions.kernelSize;
    auto a = register_module("lora_A", torch::nn::Conv2d(torch::nn::Conv2dOptions(mOptions.inChannels, rank, k)
                                                              .stride(mOptions.strideValue)
                                                              .padding(mOptions.paddingValue)
                                                              .bias(false)));
    auto b = register_module("lora_B", torch::nn::Conv2d(torch::nn::Conv2dOptions(rank, mOptions.outChannels, 1).bias(false)));
    lora.attach(a->weight, b->weight, rank, alpha, dropout);
}

void LoraConv2dImpl::setLoraAlpha(double alpha)
{
    LoraAdapter(mLoraA, mLoraB, mScale, mDropout).setAlpha(alpha);
}

void LoraConv2dImpl::mergeLora()
{
    // B [out, r, 1, 1] @ A [r, in, k, k] as matrices: [out, r] @ [r, in*k*k], in W's shape.
    LoraAdapter(mLoraA, mLoraB, mScale, mDropout).merge(*this, weight, [this](const torch::Tensor &a, const torch::Tensor &b) {
        return torch::matmul(b.select(3, 0).select(2, 0), a.reshape({a.size(0), -1})).reshape(weight.sizes());
    });
}

} // namespace rsrefseg
