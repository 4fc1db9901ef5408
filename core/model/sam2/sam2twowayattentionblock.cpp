#include "model/sam2/sam2twowayattentionblock.h"

#include "model/common/layernorm.h"

namespace rsrefseg {

namespace {
// nn.LayerNorm(embedding_dim): the default eps.
torch::nn::LayerNorm makeNorm(int64_t size)
{
    return torch::nn::LayerNorm(torch::nn::LayerNormOptions({size}).eps(1e-5));
}
} // namespace

Sam2TwoWayAttentionBlockImpl::Sam2TwoWayAttentionBlockImpl(int64_t embedDim, int64_t numHeads, int64_t mlpDim,
                                                           int64_t attentionDownsampleRate, bool skipFirstLayerPe)
    : mSkipFirstLayerPe(skipFirstLayerPe)
{
    // Registered in the reference's attribute order (state_dict order).
    mSelfAttn = register_module("self_attn", Sam2Attention(embedDim, numHeads, 1));
    mNorm1 = register_module("norm1", makeNorm(embedDim));
    mCrossTokenToImage =
        register_module("cross_attn_token_to_image", Sam2Attention(embedDim, numHeads, attentionDownsampleRate));
    mNorm2 = register_module("norm2", makeNorm(embedDim));
    mMlp = register_module("mlp", Sam2HeadMlp(embedDim, mlpDim, embedDim, 2));
    mNorm3 = register_module("norm3", makeNorm(embedDim));
    mNorm4 = register_module("norm4", makeNorm(embedDim));
    mCrossImageToToken =
        register_module("cross_attn_image_to_token", Sam2Attention(embedDim, numHeads, attentionDownsampleRate));
}

std::pair<torch::Tensor, torch::Tensor> Sam2TwoWayAttentionBlockImpl::forward(const torch::Tensor &queriesIn,
                                                                              const torch::Tensor &keysIn,
                                                                              const torch::Tensor &queryPe,
                                                                              const torch::Tensor &keyPe)
{
    torch::Tensor queries = queriesIn;
    torch::Tensor keys = keysIn;
    if (mSkipFirstLayerPe) {
        queries = mSelfAttn(queries, queries, queries);
    } else {
        const torch::Tensor q = queries + queryPe;
        queries = queries + mSelfAttn(q, q, queries);
    }
    queries = layerNorm(mNorm1, queries);

    // keys + keyPe serves both cross attentions: the keys change only at the end of the block.
    const torch::Tensor keysWithPe = keys + keyPe;
    {
        const torch::Tensor q = queries + queryPe;
        queries = layerNorm(mNorm2, queries + mCrossTokenToImage(q, keysWithPe, keys));
    }
    queries = layerNorm(mNorm3, queries + mMlp(queries));
    {
        const torch::Tensor q = queries + queryPe;
        keys = layerNorm(mNorm4, keys + mCrossImageToToken(keysWithPe, q, queries));
    }
    return {queries, keys};
}

} // namespace rsrefseg
