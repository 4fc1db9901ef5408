// Sam2Attention: sam2's `Attention` (sam2/modeling/sam/transformer.py), the attention of the
// SAM 2 two-way transformer: q/k/v projections to an internal width of embedDim /
// downsampleRate, multi-head scaled dot-product attention, `out_proj` back to embedDim.
//
//   Sam2Attention attn(256, 8, /*downsampleRate*/ 2);   // cross attention: 128 wide, head dim 16
//   torch::Tensor out = attn(q, k, v);                    // [B, Nq, 256], [B, Nk, 256] x2 -> [B, Nq, 256]
//
// Numerics as the reference's scaled_dot_product_attention on the CPU (math path):
// softmax((q k^T) / sqrt(head_dim)) v, the scale applied to the scores (the decoder's score
// tensors are small: tokens x image rows). Keys and values may broadcast over the batch.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace rsrefseg {

class Sam2AttentionImpl : public torch::nn::Module
{
  public:
    Sam2AttentionImpl(int64_t embedDim, int64_t numHeads, int64_t downsampleRate = 1);
    torch::Tensor forward(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v);

    int64_t internalDim() const { return mInternalDim; }

  private:
    int64_t mNumHeads;
    int64_t mInternalDim;
    torch::nn::Linear mQProj{nullptr}, mKProj{nullptr}, mVProj{nullptr}, mOutProj{nullptr};
};
TORCH_MODULE(Sam2Attention);

} // namespace rsrefseg
