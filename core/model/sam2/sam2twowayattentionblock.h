// Sam2TwoWayAttentionBlock: sam2's `TwoWayAttentionBlock` (sam2/modeling/sam/transformer.py):
// token self-attention (`self_attn`, `norm1`), tokens -> image cross attention
// (`cross_attn_token_to_image`, `norm2`), the token MLP (`mlp.layers.0/1`, ReLU, `norm3`) and
// image -> tokens cross attention (`cross_attn_image_to_token`, `norm4`). LayerNorm eps 1e-5.
//
//   Sam2TwoWayAttentionBlock block(256, 8, 2048, /*downsample*/ 2, /*skipFirstLayerPe*/ true);
//   std::tie(queries, keys) = block(queries, keys, queryPe, keyPe);
//   // queries [B, T, C] (tokens), keys [B, HW, C] (image), queryPe like queries, keyPe [1 or B, HW, C]
//
// With skipFirstLayerPe (layer 0) the self-attention output REPLACES the queries: no PE, no residual.
#pragma once

#include "model/sam2/sam2attention.h"
#include "model/sam2/sam2headmlp.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <utility>

namespace rsrefseg {

class Sam2TwoWayAttentionBlockImpl : public torch::nn::Module
{
  public:
    Sam2TwoWayAttentionBlockImpl(int64_t embedDim, int64_t numHeads, int64_t mlpDim, int64_t attentionDownsampleRate,
                                 bool skipFirstLayerPe);
    // Returns (queries, keys).
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor &queries, const torch::Tensor &keys,
                                                    const torch::Tensor &queryPe, const torch::Tensor &keyPe);

  private:
    bool mSkipFirstLayerPe;
    Sam2Attention mSelfAttn{nullptr};
    torch::nn::LayerNorm mNorm1{nullptr};
    Sam2Attention mCrossTokenToImage{nullptr};
    torch::nn::LayerNorm mNorm2{nullptr};
    Sam2HeadMlp mMlp{nullptr};
    torch::nn::LayerNorm mNorm3{nullptr};
    torch::nn::LayerNorm mNorm4{nullptr};
    Sam2Attention mCrossImageToToken{nullptr};
};
TORCH_MODULE(Sam2TwoWayAttentionBlock);

} // namespace rsrefseg
