#include "model/lora/loralinear.h"

#include "model/common/fewrowslinear.h"
#include "model/lora/loraadapter.h"

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
    const torch::Tensor in = LoraAdapter(mLoraA, mLoraB, mScale, mDropout).input(x, is_training());
    return y + torch::linear(torch::linear(in, mLoraA), mLoraB) * mScale;
}

void LoraLinearImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    LoraAdapter lora(mLoraA, mLoraB, mScale, mDropout);
    lora.checkCanEnable(rank);
    auto a = register_module("lora_A", torch::nn::Linear(torch::nn::LinearOptions(mOptions.inFeatures, rank).bias(false)));
    auto b = register_module("lora_B", torch::nn::Linear(torch::nn::LinearOptions(rank, mOptions.outFeatures).bias(false)));
    lora.attach(a->weight, b->weight, rank, alpha, dropout);
}

void LoraLinearImpl::setLoraAlpha(double alpha)
{
    LoraAdapter(mLoraA, mLoraB, mScale, mDropout).setAlpha(alpha);
}

void LoraLinearImpl::mergeLora()
{
    LoraAdapter(mLoraA, mLoraB, mScale, mDropout).merge(*this, weight, [](const torch::Tensor &a, const torch::Tensor &b) {
        return torch::matmul(b, a); // [out, r] @ [r, in]
    });
}

} // namespace rsrefseg
