#include "model/sam2/sam2twowaytransformer.h"

#include "common/error.h"
#include "model/common/layernorm.h"

namespace rsrefseg {

Sam2TwoWayTransformerImpl::Sam2TwoWayTransformerImpl(int64_t depth, int64_t embedDim, int64_t numHeads, int64_t mlpDim,
                                                     int64_t attentionDownsampleRate)
    : mEmbedDim(embedDim)
{
    if (depth < 1)
        throw Error("Sam2TwoWayTransformer: depth must be at least 1, got " + std::to_string(depth));
    auto layers = register_module("layers", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < depth; ++i)
        mLayers.push_back(layers->register_module(
            std::to_string(i), Sam2TwoWayAttentionBlock(embedDim, numHeads, mlpDim, attentionDownsampleRate,
                                                        /*skipFirstLayerPe*/ i == 0)));
    mFinalAttn =
        register_module("final_attn_token_to_image", Sam2Attention(embedDim, numHeads, attentionDownsampleRate));
    mNormFinal =
        register_module("norm_final_attn", torch::nn::LayerNorm(torch::nn::LayerNormOptions({embedDim}).eps(1e-5)));
}

std::pair<torch::Tensor, torch::Tensor> Sam2TwoWayTransformerImpl::forward(const torch::Tensor &image,
                                                                           const torch::Tensor &imagePe,
                                                                           const torch::Tensor &tokens)
{
    if (image.dim() != 3 || image.size(2) != mEmbedDim)
        throw Error("Sam2TwoWayTransformer: image must be [B, HW, " + std::to_string(mEmbedDim) + "], got " +
                    c10::str(image.sizes()));
    if (imagePe.dim() != 3 || imagePe.size(1) != image.size(1) || imagePe.size(2) != mEmbedDim ||
        (imagePe.size(0) != 1 && imagePe.size(0) != image.size(0)))
        throw Error("Sam2TwoWayTransformer: image PE must be [1 or B, " + std::to_string(image.size(1)) + ", " +
                    std::to_string(mEmbedDim) + "], got " + c10::str(imagePe.sizes()));
    if (tokens.dim() != 3 || tokens.size(0) != image.size(0) || tokens.size(2) != mEmbedDim)
        throw Error("Sam2TwoWayTransformer: tokens must be [" + std::to_string(image.size(0)) + ", T, " +
                    std::to_string(mEmbedDim) + "], got " + c10::str(tokens.sizes()));
    torch::Tensor queries = tokens;
    torch::Tensor keys = image;
    for (auto &layer : mLayers)
        std::tie(queries, keys) = layer(queries, keys, tokens, imagePe);
    const torch::Tensor q = queries + tokens;
    const torch::Tensor k = keys + imagePe;
    queries = layerNorm(mNormFinal, queries + mFinalAttn(q, k, keys));
    return {queries, keys};
}

} // namespace rsrefseg
