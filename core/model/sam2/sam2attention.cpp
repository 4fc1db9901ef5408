#include "model/sam2/sam2attention.h"

#include "common/error.h"
#include "model/common/attentionsoftmax.h"
#include "model/common/batchedmatmul.h"
#include "model/common/fewrowslinear.h"

#include <cmath>

namespace rsrefseg {

Sam2AttentionImpl::Sam2AttentionImpl(int64_t embedDim, int64_t numHeads, int64_t downsampleRate)
    : mNumHeads(numHeads)
{
    if (embedDim <= 0 || numHeads <= 0 || downsampleRate <= 0)
        throw Error("Sam2Attention: embedding_dim, num_heads and downsample_rate must be positive");
    mInternalDim = embedDim / downsampleRate;
    if (mInternalDim % numHeads != 0)
        throw Error("Sam2Attention: num_heads (" + std::to_string(numHeads) +
                    ") must divide embedding_dim / downsample_rate (" + std::to_string(mInternalDim) + ")");
    mQProj = register_module("q_proj", torch::nn::Linear(embedDim, mInternalDim));
    mKProj = register_module("k_proj", torch::nn::Linear(embedDim, mInternalDim));
    mVProj = register_module("v_proj", torch::nn::Linear(embedDim, mInternalDim));
    mOutProj = register_module("out_proj", torch::nn::Linear(mInternalDim, embedDim));
}

torch::Tensor Sam2AttentionImpl::forward(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v)
{
    const int64_t headDim = mInternalDim / mNumHeads;
    // [B, N, internal] -> [B, heads, N, headDim]
    const auto separate = [&](const torch::Tensor &x) {
        return x.view({x.size(0), x.size(1), mNumHeads, headDim}).transpose(1, 2);
    };
    const torch::Tensor qh = separate(fewRowsLinear(q, mQProj->weight, mQProj->bias));
    torch::Tensor kh = separate(fewRowsLinear(k, mKProj->weight, mKProj->bias));
    torch::Tensor vh = separate(fewRowsLinear(v, mVProj->weight, mVProj->bias));
    if (kh.size(0) != qh.size(0)) {
        kh = kh.expand({qh.size(0), -1, -1, -1});
        vh = vh.expand({qh.size(0), -1, -1, -1});
    }
    torch::Tensor scores = batchedMatmul(qh, kh.transpose(-2, -1));
    scores.mul_(1.0 / std::sqrt(static_cast<double>(headDim)));
    const torch::Tensor attn = attentionSoftmax(scores);
    const torch::Tensor out = batchedMatmul(attn, vh).transpose(1, 2); // [B, Nq, heads, headDim]
    const torch::Tensor merged = out.reshape({out.size(0), out.size(1), mInternalDim});
    return fewRowsLinear(merged, mOutProj->weight, mOutProj->bias);
}

} // namespace rsrefseg
