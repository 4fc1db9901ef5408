#include "model/sam/samvisionencoder.h"

#include "common/error.h"
#include "model/common/attentionsoftmax.h"
#include "model/common/batchedmatmul.h"
#include "model/common/layernorm.h"
#include "model/sam/samactivation.h"

#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <cmath>

namespace rsrefseg {

namespace F = torch::nn::functional;

// ---------------------------------------------------------------------------------------------
// SamVisionAttention

SamVisionAttentionImpl::SamVisionAttentionImpl(const SamVisionConfig &config, int64_t windowSize)
    : mConfig(config)
    , mInputSize(windowSize == 0 ? config.gridSize() : windowSize)
{
    const int64_t c = config.hiddenSize;
    LoraLinearOptions qkvOptions(c, 3 * c);
    qkvOptions.bias = config.qkvBias;
    qkv = register_module("qkv", LoraLinear(qkvOptions));
    proj = register_module("proj", LoraLinear(LoraLinearOptions(c, c)));
    if (config.useRelPos) {
        mRelPosH = register_parameter("rel_pos_h", torch::zeros({2 * mInputSize - 1, config.headDim()}));
        mRelPosW = register_parameter("rel_pos_w", torch::zeros({2 * mInputSize - 1, config.headDim()}));
    }
}

torch::Tensor SamVisionAttentionImpl::relativePositions(int64_t size, const torch::Tensor &table) const
{
    const int64_t length = 2 * size - 1;
    torch::Tensor t = table;
    if (t.size(0) != length) {
        // HF get_rel_pos: linear interpolation of the table to 2 * size - 1 rows. HF always calls
        // F.interpolate, which is the identity when the length already matches (standard SAM).
        const torch::Tensor in = t.to(torch::kFloat32).reshape({1, t.size(0), -1}).permute({0, 2, 1});
        t = F::interpolate(in, F::InterpolateFuncOptions()
                                   .size(std::vector<int64_t>{length})
                                   .mode(torch::kLinear)
                                   .align_corners(false))
                .reshape({-1, length})
                .permute({1, 0})
                .to(table.scalar_type());
    }
    const auto longOptions = torch::TensorOptions().dtype(torch::kLong).device(t.device());
    const torch::Tensor coords = torch::arange(size, longOptions);
    const torch::Tensor index = coords.unsqueeze(1) - coords.unsqueeze(0) + (size - 1); // [q, k]
    return t.index_select(0, index.flatten()).view({size, size, t.size(1)});
}

torch::Tensor SamVisionAttentionImpl::forward(const torch::Tensor &x)
{
    const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
    const int64_t heads = mConfig.numAttentionHeads;
    const int64_t hd = c / heads;
    const int64_t bh = b * heads;
    const int64_t n = h * w;

    // (B, HW, 3, heads, hd) -> (3, B*heads, HW, hd), as HF.
    const torch::Tensor qkvAll = qkv(x).reshape({b, n, 3, heads, hd}).permute({2, 0, 3, 1, 4}).reshape({3, bh, n, hd});
    const torch::Tensor q = qkvAll[0];
    const torch::Tensor k = qkvAll[1];
    const torch::Tensor v = qkvAll[2];

    // Decomposed relative positions use the UNSCALED query (HF add_decomposed_rel_pos).
    torch::Tensor relH, relW;
    if (mConfig.useRelPos) {
        const torch::Tensor rh = relativePositions(h, mRelPosH);
        const torch::Tensor rw = relativePositions(w, mRelPosW);
        const torch::Tensor rq = q.reshape({bh, h, w, hd});
        relH = torch::einsum("bhwc,hkc->bhwk", {rq, rh}); // [BH, h, w, h]
        relW = torch::einsum("bhwc,wkc->bhwk", {rq, rw}); // [BH, h, w, w]
    }

    const double scale = std::pow(static_cast<double>(hd), -0.5);
    const torch::Tensor qs = q * scale;
    const torch::Tensor kt = k.transpose(-2, -1);

    // Query rows are independent (one softmax per query), so chunking changes only the peak
    // memory: a 64x64 global layer of ViT-B holds 12 x 4096 x 4096 scores otherwise.
    int64_t rowsPerChunk = h;
    if (mChunkElements > 0) {
        const int64_t perRow = bh * w * n;
        rowsPerChunk = std::max<int64_t>(1, std::min<int64_t>(h, mChunkElements / std::max<int64_t>(perRow, 1)));
    }
    std::vector<torch::Tensor> outs;
    for (int64_t r0 = 0; r0 < h; r0 += rowsPerChunk) {
        const int64_t rows = std::min(rowsPerChunk, h - r0);
        torch::Tensor attn = batchedMatmul(rows == h ? qs : qs.narrow(1, r0 * w, rows * w), kt); // [BH, rows*w, n]
        if (mConfig.useRelPos) {
            // HF: (attn + rel_h[..., None]) + rel_w[..., None, :], same order, in place.
            attn.view({bh, rows, w, h, w})
                .add_(relH.narrow(1, r0, rows).unsqueeze(4))
                .add_(relW.narrow(1, r0, rows).unsqueeze(3));
        }
        attn = attentionSoftmax(attn);
        outs.push_back(batchedMatmul(attn, v)); // [BH, rows*w, hd]
    }
    const torch::Tensor out = outs.size() == 1 ? outs.front() : torch::cat(outs, 1);
    return proj(out.view({b, heads, h, w, hd}).permute({0, 2, 3, 1, 4}).reshape({b, h, w, c}));
}

// ---------------------------------------------------------------------------------------------
// SamVisionLayer

SamVisionLayerImpl::SamVisionLayerImpl(const SamVisionConfig &config, int64_t windowSize)
    : mConfig(config)
    , mWindowSize(windowSize)
    , mActivation(samActivationFromName(config.hiddenAct, "vision_config.hidden_act"))
{
    const int64_t c = config.hiddenSize;
    layerNorm1 = register_module("layer_norm1",
                                 torch::nn::LayerNorm(torch::nn::LayerNormOptions({c}).eps(config.layerNormEps)));
    attn = register_module("attn", SamVisionAttention(config, windowSize));
    layerNorm2 = register_module("layer_norm2",
                                 torch::nn::LayerNorm(torch::nn::LayerNormOptions({c}).eps(config.layerNormEps)));
    auto mlp = register_module("mlp", std::make_shared<torch::nn::Module>());
    lin1 = mlp->register_module("lin1", LoraLinear(LoraLinearOptions(c, config.mlpDim)));
    lin2 = mlp->register_module("lin2", LoraLinear(LoraLinearOptions(config.mlpDim, c)));
}

torch::Tensor SamVisionLayerImpl::forward(const torch::Tensor &x)
{
    torch::Tensor hs = layerNorm(layerNorm1, x);
    if (mWindowSize > 0) {
        const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
        const int64_t ws = mWindowSize;
        // Zero-pad bottom/right to a multiple of the window (64 -> 70 for ViT-B's window 14).
        const int64_t padH = (ws - h % ws) % ws;
        const int64_t padW = (ws - w % ws) % ws;
        if (padH > 0 || padW > 0)
            hs = F::pad(hs, F::PadFuncOptions({0, 0, 0, padW, 0, padH}));
        const int64_t hp = h + padH, wp = w + padW;
        hs = hs.view({b, hp / ws, ws, wp / ws, ws, c}).permute({0, 1, 3, 2, 4, 5}).reshape({-1, ws, ws, c});
        hs = attn(hs);
        hs = hs.view({b, hp / ws, wp / ws, ws, ws, c}).permute({0, 1, 3, 2, 4, 5}).reshape({b, hp, wp, c});
        if (padH > 0 || padW > 0)
            hs = hs.narrow(1, 0, h).narrow(2, 0, w);
    } else {
        hs = attn(hs);
    }
    torch::Tensor out = x + hs;
    return out + lin2(applySamActivation(mActivation, lin1(layerNorm(layerNorm2, out))));
}

// ---------------------------------------------------------------------------------------------
// SamVisionEncoder

SamVisionEncoderImpl::SamVisionEncoderImpl(const SamVisionConfig &config)
    : mConfig(config)
{
    if (config.hiddenSize % config.numAttentionHeads != 0 || config.imageSize % config.patchSize != 0)
        throw Error("SamVisionEncoder: hidden_size must be divisible by num_attention_heads and image_size by "
                    "patch_size");
    const int64_t c = config.hiddenSize;
    const int64_t g = config.gridSize();

    auto patchEmbed = register_module("patch_embed", std::make_shared<torch::nn::Module>());
    mPatchProjection = patchEmbed->register_module(
        "projection",
        torch::nn::Conv2d(torch::nn::Conv2dOptions(config.numChannels, c, config.patchSize).stride(config.patchSize)));
    if (config.useAbsPos)
        mPosEmbed = register_parameter("pos_embed", torch::zeros({1, g, g, c}));

    auto layers = register_module("layers", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < config.numHiddenLayers; ++i)
        mLayers.push_back(layers->register_module(std::to_string(i), SamVisionLayer(config, config.layerWindowSize(i))));

    auto neck = register_module("neck", std::make_shared<torch::nn::Module>());
    const int64_t out = config.outputChannels;
    mNeckConv1 = neck->register_module("conv1", LoraConv2d(LoraConv2dOptions(c, out, 1).bias(false)));
    mNeckLayerNorm1 = neck->register_module("layer_norm1", SamLayerNorm2d(out, config.layerNormEps));
    mNeckConv2 = neck->register_module("conv2", LoraConv2d(LoraConv2dOptions(out, out, 3).padding(1).bias(false)));
    mNeckLayerNorm2 = neck->register_module("layer_norm2", SamLayerNorm2d(out, config.layerNormEps));
}

torch::Tensor SamVisionEncoderImpl::forward(const torch::Tensor &pixels)
{
    return run(pixels, false).lastHiddenState;
}

SamVisionEncoderOutput SamVisionEncoderImpl::forwardWithHiddenStates(const torch::Tensor &pixels)
{
    return run(pixels, true);
}

SamVisionEncoderOutput SamVisionEncoderImpl::run(const torch::Tensor &pixels, bool keepHiddenStates)
{
    const int64_t size = mConfig.imageSize;
    if (pixels.dim() != 4 || pixels.size(1) != mConfig.numChannels || pixels.size(2) != size || pixels.size(3) != size)
        throw Error("SamVisionEncoder: expected pixels [B, " + std::to_string(mConfig.numChannels) + ", " +
                    std::to_string(size) + ", " + std::to_string(size) + "], got " +
                    c10::str(pixels.sizes()));
    SamVisionEncoderOutput output;
    // Patch conv, then channels-last (B, g, g, C) for the transformer.
    torch::Tensor x = mPatchProjection(pixels).permute({0, 2, 3, 1});
    if (mPosEmbed.defined())
        x = x + mPosEmbed;
    x = x.contiguous();
    if (keepHiddenStates)
        output.hiddenStates.push_back(x);
    for (auto &layer : mLayers) {
        x = layer(x);
        if (keepHiddenStates)
            output.hiddenStates.push_back(x);
    }
    torch::Tensor y = x.permute({0, 3, 1, 2});
    y = mNeckLayerNorm1(mNeckConv1(y));
    y = mNeckLayerNorm2(mNeckConv2(y));
    output.lastHiddenState = y.contiguous();
    return output;
}

void SamVisionEncoderImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    for (auto &layer : mLayers) {
        layer->attn->qkv->enableLora(rank, alpha, dropout);
        layer->attn->proj->enableLora(rank, alpha, dropout);
        layer->lin1->enableLora(rank, alpha, dropout);
        layer->lin2->enableLora(rank, alpha, dropout);
    }
    mNeckConv1->enableLora(rank, alpha, dropout);
    mNeckConv2->enableLora(rank, alpha, dropout);
    // New adapters are created in float32 on the CPU: follow the encoder's dtype and device.
    const torch::Tensor reference = mPatchProjection->weight;
    to(reference.device(), reference.scalar_type());
}

void SamVisionEncoderImpl::setLoraAlpha(double alpha)
{
    for (auto &layer : mLayers) {
        layer->attn->qkv->setLoraAlpha(alpha);
        layer->attn->proj->setLoraAlpha(alpha);
        layer->lin1->setLoraAlpha(alpha);
        layer->lin2->setLoraAlpha(alpha);
    }
    mNeckConv1->setLoraAlpha(alpha);
    mNeckConv2->setLoraAlpha(alpha);
}

void SamVisionEncoderImpl::mergeLora()
{
    for (auto &layer : mLayers) {
        layer->attn->qkv->mergeLora();
        layer->attn->proj->mergeLora();
        layer->lin1->mergeLora();
        layer->lin2->mergeLora();
    }
    mNeckConv1->mergeLora();
    mNeckConv2->mergeLora();
}

bool SamVisionEncoderImpl::hasLora() const
{
    if (mNeckConv1->hasLora() || mNeckConv2->hasLora())
        return true;
    return std::any_of(mLayers.begin(), mLayers.end(), [](const SamVisionLayer &layer) {
        return layer->attn->qkv->hasLora() || layer->attn->proj->hasLora() || layer->lin1->hasLora() ||
            layer->lin2->hasLora();
    });
}

void SamVisionEncoderImpl::setAttentionChunkElements(int64_t elements)
{
    for (auto &layer : mLayers)
        layer->attn->setAttentionChunkElements(elements);
}

} // namespace rsrefseg
