#include "model/sam/sammaskdecoder.h"

#include "common/error.h"
#include "model/common/batchedmatmul.h"
#include "model/common/layernorm.h"
#include "model/sam/samactivation.h"

#include <cmath>

namespace rsrefseg {

namespace {

torch::nn::LayerNorm layerNorm(int64_t size, double eps)
{
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({size}).eps(eps));
}

} // namespace

// ---------------------------------------------------------------------------------------------
// SamTwoWayAttention (HF SamAttention)

SamTwoWayAttentionImpl::SamTwoWayAttentionImpl(int64_t hiddenSize, int64_t numHeads, int64_t downsampleRate)
    : mNumHeads(numHeads)
{
    const int64_t internal = hiddenSize / downsampleRate;
    if (internal % numHeads != 0)
        throw Error("SamAttention: num_attention_heads must divide hidden_size / downsample_rate (" +
                    std::to_string(internal) + ")");
    qProj = register_module("q_proj", torch::nn::Linear(hiddenSize, internal));
    kProj = register_module("k_proj", torch::nn::Linear(hiddenSize, internal));
    vProj = register_module("v_proj", torch::nn::Linear(hiddenSize, internal));
    outProj = register_module("out_proj", torch::nn::Linear(internal, hiddenSize));
}

torch::Tensor SamTwoWayAttentionImpl::forward(const torch::Tensor &query, const torch::Tensor &key,
                                              const torch::Tensor &value)
{
    const auto separate = [this](const torch::Tensor &x) {
        return x.reshape({x.size(0), x.size(1), mNumHeads, x.size(2) / mNumHeads}).transpose(1, 2);
    };
    const int64_t cPerHead = qProj->weight.size(0) / mNumHeads;
    // HF: (q @ k^T) / sqrt(c_per_head), softmax in the working dtype (no upcast). The scale is
    // applied to q instead: the same product, with one pass over the few tokens or image rows
    // of q rather than over the [heads, tokens, 4096] scores.
    const torch::Tensor q = separate(qProj(query) * (1.0 / std::sqrt(static_cast<double>(cPerHead))));
    const torch::Tensor k = separate(kProj(key));
    const torch::Tensor v = separate(vProj(value));
    torch::Tensor attn = batchedMatmul(q, k.permute({0, 1, 3, 2}));
    attn = torch::softmax(attn, -1);
    const torch::Tensor out = batchedMatmul(attn, v).transpose(1, 2);
    return outProj(out.reshape({out.size(0), out.size(1), out.size(2) * out.size(3)}));
}

// ---------------------------------------------------------------------------------------------
// SamTwoWayAttentionBlock

SamTwoWayAttentionBlockImpl::SamTwoWayAttentionBlockImpl(const SamMaskDecoderConfig &config, bool skipFirstLayerPe)
    : mSkipFirstLayerPe(skipFirstLayerPe)
    , mActivation(samActivationFromName(config.hiddenAct, "mask_decoder_config.hidden_act"))
{
    const int64_t c = config.hiddenSize;
    const int64_t heads = config.numAttentionHeads;
    // HF builds the blocks with the constructor's default attention_downsample_rate = 2 (not the
    // config's); only the final attention reads the config.
    const int64_t blockDownsample = 2;
    mSelfAttn = register_module("self_attn", SamTwoWayAttention(c, heads, 1));
    mLayerNorm1 = register_module("layer_norm1", layerNorm(c, config.layerNormEps));
    mCrossTokenToImage = register_module("cross_attn_token_to_image", SamTwoWayAttention(c, heads, blockDownsample));
    mLayerNorm2 = register_module("layer_norm2", layerNorm(c, config.layerNormEps));
    auto mlp = register_module("mlp", std::make_shared<torch::nn::Module>());
    mLin1 = mlp->register_module("lin1", torch::nn::Linear(c, config.mlpDim));
    mLin2 = mlp->register_module("lin2", torch::nn::Linear(config.mlpDim, c));
    mLayerNorm3 = register_module("layer_norm3", layerNorm(c, config.layerNormEps));
    mLayerNorm4 = register_module("layer_norm4", layerNorm(c, config.layerNormEps));
    mCrossImageToToken = register_module("cross_attn_image_to_token", SamTwoWayAttention(c, heads, blockDownsample));
}

std::pair<torch::Tensor, torch::Tensor> SamTwoWayAttentionBlockImpl::forward(const torch::Tensor &queriesIn,
                                                                             const torch::Tensor &keysIn,
                                                                             const torch::Tensor &queryPe,
                                                                             const torch::Tensor &keyPe)
{
    torch::Tensor queries = queriesIn;
    torch::Tensor keys = keysIn;
    // Self attention: the first block REPLACES the queries (no residual, no PE).
    if (mSkipFirstLayerPe) {
        queries = mSelfAttn(queries, queries, queries);
    } else {
        const torch::Tensor query = queries + queryPe;
        queries = queries + mSelfAttn(query, query, queries);
    }
    queries = layerNorm(mLayerNorm1, queries);

    // Tokens attend to the image. keys + keyPe serves both cross attentions (keys change only
    // at the end of the block).
    const torch::Tensor keysWithPe = keys + keyPe;
    {
        const torch::Tensor query = queries + queryPe;
        queries = layerNorm(mLayerNorm2, queries + mCrossTokenToImage(query, keysWithPe, keys));
    }

    queries = layerNorm(mLayerNorm3, queries + mLin2(applySamActivation(mActivation, mLin1(queries))));

    // The image attends to the tokens.
    {
        const torch::Tensor query = queries + queryPe;
        keys = layerNorm(mLayerNorm4, keys + mCrossImageToToken(keysWithPe, query, queries));
    }
    return {queries, keys};
}

// ---------------------------------------------------------------------------------------------
// SamTwoWayTransformer

SamTwoWayTransformerImpl::SamTwoWayTransformerImpl(const SamMaskDecoderConfig &config)
{
    auto layers = register_module("layers", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < config.numHiddenLayers; ++i)
        mLayers.push_back(layers->register_module(std::to_string(i), SamTwoWayAttentionBlock(config, i == 0)));
    mFinalAttn = register_module("final_attn_token_to_image",
                                 SamTwoWayAttention(config.hiddenSize, config.numAttentionHeads,
                                                    config.attentionDownsampleRate));
    // nn.LayerNorm(hidden_size) in HF: the default eps 1e-5, not the config's 1e-6.
    mFinalLayerNorm = register_module("layer_norm_final_attn", layerNorm(config.hiddenSize, 1e-5));
}

std::pair<torch::Tensor, torch::Tensor> SamTwoWayTransformerImpl::forward(const torch::Tensor &tokens,
                                                                          const torch::Tensor &image,
                                                                          const torch::Tensor &imagePe)
{
    torch::Tensor queries = tokens;
    torch::Tensor keys = image;
    for (auto &layer : mLayers)
        std::tie(queries, keys) = layer(queries, keys, tokens, imagePe);
    const torch::Tensor query = queries + tokens;
    const torch::Tensor key = keys + imagePe;
    queries = layerNorm(mFinalLayerNorm, queries + mFinalAttn(query, key, keys));
    return {queries, keys};
}

// ---------------------------------------------------------------------------------------------
// SamFeedForward

SamFeedForwardImpl::SamFeedForwardImpl(int64_t inputDim, int64_t hiddenDim, int64_t outputDim, int64_t numLayers)
{
    mProjIn = register_module("proj_in", torch::nn::Linear(inputDim, hiddenDim));
    mProjOut = register_module("proj_out", torch::nn::Linear(hiddenDim, outputDim));
    auto layers = register_module("layers", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i + 2 < numLayers; ++i)
        mLayers.push_back(layers->register_module(std::to_string(i), torch::nn::Linear(hiddenDim, hiddenDim)));
}

torch::Tensor SamFeedForwardImpl::forward(const torch::Tensor &x)
{
    torch::Tensor h = torch::relu(mProjIn(x));
    for (auto &layer : mLayers)
        h = torch::relu(layer(h));
    return mProjOut(h);
}

// ---------------------------------------------------------------------------------------------
// SamMaskDecoder

SamMaskDecoderImpl::SamMaskDecoderImpl(const SamMaskDecoderConfig &config)
    : mConfig(config)
    , mNumMaskTokens(config.numMultimaskOutputs + 1)
{
    const int64_t c = config.hiddenSize;
    if (c % 8 != 0)
        throw Error("SamMaskDecoder: hidden_size must be divisible by 8, got " + std::to_string(c));
    mIouToken = register_module("iou_token", torch::nn::Embedding(1, c));
    mMaskTokens = register_module("mask_tokens", torch::nn::Embedding(mNumMaskTokens, c));
    mTransformer = register_module("transformer", SamTwoWayTransformer(config));
    mUpscaleConv1 = register_module("upscale_conv1",
                                    torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(c, c / 4, 2).stride(2)));
    mUpscaleConv2 = register_module(
        "upscale_conv2", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(c / 4, c / 8, 2).stride(2)));
    mUpscaleLayerNorm = register_module("upscale_layer_norm", SamLayerNorm2d(c / 4, 1e-6));
    auto hyper = register_module("output_hypernetworks_mlps", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < mNumMaskTokens; ++i)
        mHypernetworks.push_back(hyper->register_module(std::to_string(i), SamFeedForward(c, c, c / 8, 3)));
    mIouHead = register_module("iou_prediction_head",
                               SamFeedForward(c, config.iouHeadHiddenDim, mNumMaskTokens, config.iouHeadDepth));
}

namespace {
// A 2x2, stride-2 transposed convolution has no overlapping outputs, so it is one matrix
// product followed by a pixel shuffle. ATen's CPU conv_transpose2d for this shape fell back to
// the slow reference kernel (57 ms of a 490 ms decode at full size), and its bf16 variant
// failed in torch 1.13 (ARCHITECTURE.md, Platform facts: BLAS); the matrix product is fast in every dtype.
torch::Tensor transposedConv2x2(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias)
{
    const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    const int64_t o = weight.size(1);
    const torch::Tensor rows = x.permute({0, 2, 3, 1}).reshape({b * h * w, c});
    torch::Tensor y = torch::matmul(rows, weight.reshape({c, o * 4}).to(x.scalar_type()));
    y = y.view({b, h, w, o, 2, 2}).permute({0, 3, 1, 4, 2, 5}).reshape({b, o, 2 * h, 2 * w});
    return bias.defined() ? y + bias.to(x.scalar_type()).view({1, o, 1, 1}) : y;
}
} // namespace

torch::Tensor SamMaskDecoderImpl::upscale(const torch::Tensor &x)
{
    torch::Tensor h = transposedConv2x2(x, mUpscaleConv1->weight, mUpscaleConv1->bias);
    h = torch::gelu(mUpscaleLayerNorm(h));
    return torch::gelu(transposedConv2x2(h, mUpscaleConv2->weight, mUpscaleConv2->bias));
}

SamMaskDecoderOutput SamMaskDecoderImpl::forward(const torch::Tensor &imageEmbeddings, const torch::Tensor &imagePe,
                                                 const torch::Tensor &sparse, const torch::Tensor &dense,
                                                 bool multimask)
{
    const int64_t c = mConfig.hiddenSize;
    if (imageEmbeddings.dim() != 4 || imageEmbeddings.size(1) != c)
        throw Error("SamMaskDecoder: image embeddings must be [B, " + std::to_string(c) + ", h, w], got " +
                    c10::str(imageEmbeddings.sizes()));
    const int64_t b = imageEmbeddings.size(0), h = imageEmbeddings.size(2), w = imageEmbeddings.size(3);
    if (sparse.dim() != 4 || sparse.size(0) != b || sparse.size(3) != c)
        throw Error("SamMaskDecoder: sparse prompt embeddings must be [" + std::to_string(b) + ", pb, N, " +
                    std::to_string(c) + "], got " + c10::str(sparse.sizes()));
    if (dense.dim() != 4 || dense.size(1) != c || dense.size(2) != h || dense.size(3) != w ||
        (dense.size(0) != b && dense.size(0) != 1))
        throw Error("SamMaskDecoder: dense prompt embeddings must be [B, " + std::to_string(c) + ", " +
                    std::to_string(h) + ", " + std::to_string(w) + "], got " + c10::str(dense.sizes()));
    if (imagePe.dim() != 4 || imagePe.size(1) != c || imagePe.size(2) != h || imagePe.size(3) != w ||
        (imagePe.size(0) != b && imagePe.size(0) != 1))
        throw Error("SamMaskDecoder: image positional embeddings must be [1 or B, " + std::to_string(c) + ", " +
                    std::to_string(h) + ", " + std::to_string(w) + "], got " + c10::str(imagePe.sizes()));

    const auto dtype = mIouToken->weight.scalar_type();
    const int64_t pb = sparse.size(1);
    const int64_t bp = b * pb;

    // [iou token, mask tokens] (+ the prompt tokens only when they are not all zero: RSRefSeg
    // relies on this when it feeds the prompt encoder's zero sparse output).
    torch::Tensor tokens = torch::cat({mIouToken->weight, mMaskTokens->weight}, 0).repeat({b, pb, 1, 1});
    if (sparse.sum().item<double>() != 0.0)
        tokens = torch::cat({tokens, sparse.to(tokens.device(), dtype)}, 2);
    const int64_t numTokens = tokens.size(2);
    tokens = tokens.reshape({bp, numTokens, c});

    torch::Tensor image = imageEmbeddings.to(dtype) + dense.to(dtype);
    torch::Tensor pe = imagePe.to(dtype).expand({b, c, h, w});
    if (pb > 1) {
        image = image.repeat_interleave(pb, 0);
        pe = pe.repeat_interleave(pb, 0);
    }
    // [bp, hw, C], made contiguous once: every image-side product and add reads these rows.
    image = image.flatten(2).permute({0, 2, 1}).contiguous();
    pe = pe.flatten(2).permute({0, 2, 1}).contiguous();

    torch::Tensor queries, keys;
    std::tie(queries, keys) = mTransformer(tokens, image, pe);
    const torch::Tensor iouTokenOut = queries.select(1, 0);            // [bp, C]
    const torch::Tensor maskTokensOut = queries.narrow(1, 1, mNumMaskTokens); // [bp, M, C]

    const torch::Tensor upscaled = upscale(keys.transpose(1, 2).reshape({bp, c, h, w})); // [bp, C/8, 4h, 4w]
    std::vector<torch::Tensor> hyper;
    for (int64_t i = 0; i < mNumMaskTokens; ++i)
        hyper.push_back(mHypernetworks[static_cast<size_t>(i)](maskTokensOut.select(1, i)));
    const torch::Tensor hyperIn = torch::stack(hyper, 1); // [bp, M, C/8]
    const int64_t uc = upscaled.size(1), uh = upscaled.size(2), uw = upscaled.size(3);
    torch::Tensor masks = torch::matmul(hyperIn, upscaled.reshape({bp, uc, uh * uw})).reshape({b, pb, mNumMaskTokens, uh, uw});
    torch::Tensor iou = mIouHead(iouTokenOut).reshape({b, pb, mNumMaskTokens});

    SamMaskDecoderOutput out;
    if (multimask) {
        out.masks = masks.narrow(2, 1, mNumMaskTokens - 1);
        out.iouPredictions = iou.narrow(2, 1, mNumMaskTokens - 1);
    } else {
        out.masks = masks.narrow(2, 0, 1);
        out.iouPredictions = iou.narrow(2, 0, 1);
    }
    return out;
}

} // namespace rsrefseg
