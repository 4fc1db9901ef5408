#include "model/siglip/siglipvisiontransformer.h"

#include "common/error.h"
#include "model/common/layernorm.h"

#include <torch/nn/init.h>

#include <cmath>

namespace rsrefseg {

SiglipVisionEmbeddingsImpl::SiglipVisionEmbeddingsImpl(const SiglipVisionConfig &config)
    : mConfig(config)
{
    patchEmbedding = register_module(
        "patch_embedding",
        torch::nn::Conv2d(torch::nn::Conv2dOptions(config.numChannels, config.hiddenSize, config.patchSize)
                              .stride(config.patchSize)
                              .bias(true)));
    positionEmbedding =
        register_module("position_embedding", torch::nn::Embedding(config.numPatches(), config.hiddenSize));
}

torch::Tensor SiglipVisionEmbeddingsImpl::forward(const torch::Tensor &pixelValues)
{
    if (pixelValues.dim() != 4 || pixelValues.size(1) != mConfig.numChannels)
        throw Error("SigLIP vision: pixel_values must be [batch, " + std::to_string(mConfig.numChannels) + ", " +
                    std::to_string(mConfig.imageSize) + ", " + std::to_string(mConfig.imageSize) + "]");
    const torch::Tensor &w = patchEmbedding->weight;
    const torch::Tensor patches = patchEmbedding->forward(pixelValues.to(w.scalar_type()));
    const int64_t grid = mConfig.gridSize();
    // The position table is learned for one grid and never interpolated (upstream's default).
    if (patches.size(2) != grid || patches.size(3) != grid)
        throw Error("SigLIP vision: image " + std::to_string(pixelValues.size(2)) + "x" +
                    std::to_string(pixelValues.size(3)) + " gives a " + std::to_string(patches.size(2)) + "x" +
                    std::to_string(patches.size(3)) + " patch grid; the model needs " +
                    std::to_string(mConfig.imageSize) + "x" + std::to_string(mConfig.imageSize));
    // [B, C, g, g] -> [B, g*g, C] (row-major patches); position ids are arange(N), i.e. the
    // whole table in order, so the table is added directly.
    torch::Tensor embeddings = patches.flatten(2).transpose(1, 2).contiguous();
    return embeddings.add_(positionEmbedding->weight);
}

// ---------------------------------------------------------------------------------------------

SiglipHeadAttentionImpl::SiglipHeadAttentionImpl(int64_t hiddenSize, int64_t numHeads)
    : mHiddenSize(hiddenSize)
    , mNumHeads(numHeads)
{
    if (numHeads <= 0 || hiddenSize % numHeads != 0)
        throw Error("SigLIP pooling head: hidden size " + std::to_string(hiddenSize) +
                    " is not divisible by the head count " + std::to_string(numHeads));
    inProjWeight = register_parameter("in_proj_weight", torch::empty({3 * hiddenSize, hiddenSize}));
    inProjBias = register_parameter("in_proj_bias", torch::zeros({3 * hiddenSize}));
    outProj = register_module("out_proj", LoraLinear(LoraLinearOptions(hiddenSize, hiddenSize)));
    torch::NoGradGuard noGrad;
    torch::nn::init::xavier_uniform_(inProjWeight); // torch's MHA init
    outProj->bias.zero_();
}

torch::Tensor SiglipHeadAttentionImpl::forward(const torch::Tensor &query, const torch::Tensor &keyValue)
{
    const int64_t c = mHiddenSize;
    const int64_t h = mNumHeads;
    const int64_t d = c / h;
    const int64_t b = query.size(0);
    const int64_t nq = query.size(1);
    const int64_t nk = keyValue.size(1);
    // torch's in_projection_packed for query != key, key is value: q from the first C rows,
    // k and v from one product with the remaining 2C rows.
    const torch::Tensor q = torch::linear(query, inProjWeight.narrow(0, 0, c), inProjBias.narrow(0, 0, c));
    const torch::Tensor kv = torch::linear(keyValue, inProjWeight.narrow(0, c, 2 * c), inProjBias.narrow(0, c, 2 * c));
    const torch::Tensor k = kv.narrow(2, 0, c).view({b, nk, h, d}).transpose(1, 2);
    const torch::Tensor v = kv.narrow(2, c, c).view({b, nk, h, d}).transpose(1, 2);
    // torch divides q by sqrt(head_dim) before the product (need_weights path, which HF uses).
    const torch::Tensor qs = q.view({b, nq, h, d}).transpose(1, 2) / std::sqrt(static_cast<double>(d));
    const torch::Tensor probs =
        torch::softmax(torch::matmul(qs, k.transpose(-2, -1)), -1, torch::kFloat32).to(query.scalar_type());
    const torch::Tensor context = torch::matmul(probs, v).transpose(1, 2).reshape({b, nq, c});
    // nn.MultiheadAttention calls linear(x, out_proj.weight, out_proj.bias) itself: a LoRA
    // adapter on out_proj never runs (upstream behaviour the checkpoints were trained with).
    return torch::linear(context, outProj->weight, outProj->bias);
}

void SiglipHeadAttentionImpl::discardOutProjLora()
{
    if (!outProj->hasLora())
        return;
    LoraLinear plain(outProj->options());
    {
        torch::NoGradGuard noGrad;
        plain->to(outProj->weight.device(), outProj->weight.scalar_type());
        plain->weight.copy_(outProj->weight);
        plain->bias.copy_(outProj->bias);
    }
    plain->weight.set_requires_grad(outProj->weight.requires_grad());
    plain->bias.set_requires_grad(outProj->bias.requires_grad());
    outProj = replace_module("out_proj", plain);
}

// ---------------------------------------------------------------------------------------------

SiglipAttentionPoolingHeadImpl::SiglipAttentionPoolingHeadImpl(const SiglipVisionConfig &config)
{
    probe = register_parameter("probe", torch::randn({1, 1, config.hiddenSize}));
    attention = register_module("attention", SiglipHeadAttention(config.hiddenSize, config.numAttentionHeads));
    layernorm = register_module(
        "layernorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hiddenSize}).eps(config.layerNormEps)));
    mlp = register_module("mlp", SiglipMlp(config.hiddenSize, config.intermediateSize, config.hiddenAct));
}

torch::Tensor SiglipAttentionPoolingHeadImpl::forward(const torch::Tensor &hiddenState)
{
    const int64_t b = hiddenState.size(0);
    const torch::Tensor query = probe.expand({b, probe.size(1), probe.size(2)});
    torch::Tensor x = attention->forward(query, hiddenState);
    x = mlp->forward(layerNorm(layernorm, x)).add_(x);
    return x.select(1, 0);
}

// ---------------------------------------------------------------------------------------------

SiglipVisionTransformerImpl::SiglipVisionTransformerImpl(const SiglipVisionConfig &config)
    : mConfig(config)
{
    embeddings = register_module("embeddings", SiglipVisionEmbeddings(config));
    encoder = register_module("encoder", SiglipEncoder(config));
    postLayernorm = register_module(
        "post_layernorm",
        torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hiddenSize}).eps(config.layerNormEps)));
    if (config.useHead)
        head = register_module("head", SiglipAttentionPoolingHead(config));
}

SiglipVisionOutput SiglipVisionTransformerImpl::forward(const torch::Tensor &pixelValues, bool outputHiddenStates)
{
    SiglipVisionOutput out;
    const torch::Tensor x = embeddings->forward(pixelValues);
    const torch::Tensor encoded = encoder->forward(x, {}, outputHiddenStates ? &out.hiddenStates : nullptr);
    out.lastHiddenState = layerNorm(postLayernorm, encoded);
    if (head)
        out.poolerOutput = head->forward(out.lastHiddenState);
    return out;
}

void SiglipVisionTransformerImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    encoder->enableLora(rank, alpha, dropout);
    if (head)
        head->attention->outProj->enableLora(rank, alpha, dropout);
}

void SiglipVisionTransformerImpl::mergeLora()
{
    encoder->mergeLora();
    // Never folded: folding would change the pooler, which upstream computes without it.
    if (head)
        head->attention->discardOutProjLora();
}

void SiglipVisionTransformerImpl::setLoraAlpha(double alpha)
{
    encoder->setLoraAlpha(alpha);
    if (head && head->attention->outProj->hasLora())
        head->attention->outProj->setLoraAlpha(alpha);
}

} // namespace rsrefseg
