#include "model/siglip/siglipencoder.h"

#include "common/error.h"
#include "model/common/attentionsoftmax.h"
#include "model/common/batchedmatmul.h"
#include "model/common/fewrowslinear.h"
#include "model/common/layernorm.h"

#include <c10/util/BFloat16.h>
#include <c10/util/Half.h>
#include <torch/nn/functional/activation.h>

#include <cmath>
#include <limits>

namespace rsrefseg {

torch::Tensor siglipActivation(const torch::Tensor &x, const std::string &name)
{
    if (name == "gelu_pytorch_tanh" || name == "gelu_new") // gelu_new is the same tanh formula
        return torch::gelu(x, "tanh");
    if (name == "gelu")
        return torch::gelu(x);
    if (name == "quick_gelu")
        return x * torch::sigmoid(x * 1.702);
    if (name == "relu")
        return torch::relu(x);
    throw Error("SigLIP: unsupported activation '" + name + "'");
}

namespace {

double lowestValue(torch::ScalarType dtype)
{
    switch (dtype) {
    case torch::kFloat32:
        return std::numeric_limits<float>::lowest();
    case torch::kFloat64:
        return std::numeric_limits<double>::lowest();
    case torch::kBFloat16:
        return static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
    case torch::kFloat16:
        return static_cast<double>(std::numeric_limits<c10::Half>::lowest());
    default:
        throw Error(std::string("SigLIP attention mask: unsupported dtype ") + c10::toString(dtype));
    }
}

} // namespace

torch::Tensor siglipAdditiveAttentionMask(const torch::Tensor &mask, torch::ScalarType dtype)
{
    if (mask.dim() != 2)
        throw Error("SigLIP attention_mask must be [batch, length], got " + std::to_string(mask.dim()) + " dimensions");
    // HF: inverted = 1 - mask; inverted.masked_fill(inverted.bool(), finfo(dtype).min).
    const torch::Tensor inverted = torch::rsub(mask.to(dtype), 1.0);
    return inverted.masked_fill(inverted != 0, lowestValue(dtype)).unsqueeze(1).unsqueeze(2);
}

// ---------------------------------------------------------------------------------------------

SiglipAttentionImpl::SiglipAttentionImpl(const SiglipEncoderConfig &config)
    : mConfig(config)
{
    const int64_t c = config.hiddenSize;
    // Registration order = HF's (k, v, q, out), so named_parameters() lists keys like the hub files.
    kProj = register_module("k_proj", LoraLinear(LoraLinearOptions(c, c)));
    vProj = register_module("v_proj", LoraLinear(LoraLinearOptions(c, c)));
    qProj = register_module("q_proj", LoraLinear(LoraLinearOptions(c, c)));
    outProj = register_module("out_proj", LoraLinear(LoraLinearOptions(c, c)));
}

torch::Tensor SiglipAttentionImpl::forward(const torch::Tensor &x, const torch::Tensor &additiveMask)
{
    if (x.dim() != 3 || x.size(2) != mConfig.hiddenSize)
        throw Error("SigLIP attention expects [batch, tokens, " + std::to_string(mConfig.hiddenSize) + "] input");
    const int64_t b = x.size(0);
    const int64_t n = x.size(1);
    const int64_t h = mConfig.numAttentionHeads;
    const int64_t d = mConfig.headDim();
    // HF scales the scores after q k^T; scaling q first is the same product with N*C instead of
    // heads*N*N multiplications (identical bits when head_dim is a power of 4, e.g. 16 or 64).
    const double scale = 1.0 / std::sqrt(static_cast<double>(d));

    // [B, N, C] -> [B, H, N, d] as views; for B == 1 matmul needs no copy at all.
    const torch::Tensor q = qProj->forward(x).mul_(scale).view({b, n, h, d}).transpose(1, 2);
    const torch::Tensor k = kProj->forward(x).view({b, n, h, d}).transpose(1, 2);
    const torch::Tensor v = vProj->forward(x).view({b, n, h, d}).transpose(1, 2);

    torch::Tensor scores = batchedMatmul(q, k.transpose(-2, -1)); // [B, H, N, N]
    if (additiveMask.defined())
        scores.add_(additiveMask);
    torch::Tensor probs = attentionSoftmax(scores);
    scores = torch::Tensor();
    if (mConfig.attentionDropout > 0.0 && is_training())
        probs = torch::dropout(probs, mConfig.attentionDropout, true);

    const torch::Tensor context = batchedMatmul(probs, v).transpose(1, 2).reshape({b, n, h * d});
    return outProj->forward(context);
}

// ---------------------------------------------------------------------------------------------

SiglipMlpImpl::SiglipMlpImpl(int64_t hiddenSize, int64_t intermediateSize, std::string activation)
    : mHiddenSize(hiddenSize)
    , mIntermediateSize(intermediateSize)
    , mActivation(std::move(activation))
{
    fc1 = register_module("fc1", torch::nn::Linear(mHiddenSize, mIntermediateSize));
    fc2 = register_module("fc2", torch::nn::Linear(mIntermediateSize, mHiddenSize));
}

torch::Tensor SiglipMlpImpl::forward(const torch::Tensor &x)
{
    // A text query's few rows take the faster bf16 product (fewrowslinear.h); image tokens are
    // many and go to torch::linear as before.
    const torch::Tensor hidden = siglipActivation(fewRowsLinear(x, fc1->weight, fc1->bias), mActivation);
    return fewRowsLinear(hidden, fc2->weight, fc2->bias);
}

// ---------------------------------------------------------------------------------------------

SiglipEncoderLayerImpl::SiglipEncoderLayerImpl(const SiglipEncoderConfig &config)
    : mConfig(config)
{
    const auto lnOptions = torch::nn::LayerNormOptions({config.hiddenSize}).eps(config.layerNormEps);
    // HF attribute order: self_attn, layer_norm1, mlp, layer_norm2.
    selfAttn = register_module("self_attn", SiglipAttention(config));
    layerNorm1 = register_module("layer_norm1", torch::nn::LayerNorm(lnOptions));
    mlp = register_module("mlp", SiglipMlp(config.hiddenSize, config.intermediateSize, config.hiddenAct));
    layerNorm2 = register_module("layer_norm2", torch::nn::LayerNorm(lnOptions));
}

torch::Tensor SiglipEncoderLayerImpl::forward(const torch::Tensor &x, const torch::Tensor &additiveMask)
{
    // The sub-layer outputs are fresh tensors, so the residual sums are done in place on them.
    torch::Tensor h = selfAttn->forward(layerNorm(layerNorm1, x), additiveMask).add_(x);
    return mlp->forward(layerNorm(layerNorm2, h)).add_(h);
}

// ---------------------------------------------------------------------------------------------

SiglipEncoderImpl::SiglipEncoderImpl(const SiglipEncoderConfig &config)
    : mConfig(config)
{
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < config.numHiddenLayers; ++i) {
        SiglipEncoderLayer layer(config);
        layers->push_back(layer);
        mLayers.push_back(layer);
    }
}

torch::Tensor SiglipEncoderImpl::forward(const torch::Tensor &x, const torch::Tensor &additiveMask,
                                         std::vector<torch::Tensor> *hiddenStates)
{
    torch::Tensor h = x;
    if (hiddenStates)
        hiddenStates->push_back(h);
    for (auto &layer : mLayers) {
        h = layer->forward(h, additiveMask);
        if (hiddenStates)
            hiddenStates->push_back(h);
    }
    return h;
}

void SiglipEncoderImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    for (auto &layer : mLayers) {
        layer->selfAttn->qProj->enableLora(rank, alpha, dropout);
        layer->selfAttn->kProj->enableLora(rank, alpha, dropout);
        layer->selfAttn->vProj->enableLora(rank, alpha, dropout);
        layer->selfAttn->outProj->enableLora(rank, alpha, dropout);
    }
}

void SiglipEncoderImpl::mergeLora()
{
    for (auto &layer : mLayers) {
        layer->selfAttn->qProj->mergeLora();
        layer->selfAttn->kProj->mergeLora();
        layer->selfAttn->vProj->mergeLora();
        layer->selfAttn->outProj->mergeLora();
    }
}

void SiglipEncoderImpl::setLoraAlpha(double alpha)
{
    for (auto &layer : mLayers) {
        for (LoraLinear *proj :
             {&layer->selfAttn->qProj, &layer->selfAttn->kProj, &layer->selfAttn->vProj, &layer->selfAttn->outProj}) {
            if ((*proj)->hasLora())
                (*proj)->setLoraAlpha(alpha);
        }
    }
}

} // namespace rsrefseg
