// Sam2TwoWayTransformer: sam2's `TwoWayTransformer` (sam2/modeling/sam/transformer.py), key
// prefix `sam_mask_decoder.transformer.`: `depth` two-way blocks (`layers.N`), then a final
// tokens -> image attention (`final_attn_token_to_image`) and `norm_final_attn` (eps 1e-5).
//
//   Sam2TwoWayTransformer t(2, 256, 8, 2048, /*attentionDownsampleRate*/ 2);
//   torch::Tensor queries, keys;
//   std::tie(queries, keys) = t(image, imagePe, tokens);
//   // image [B, HW, C] and imagePe [1 or B, HW, C] (the upstream B x C x h x w flattened and
//   // transposed), tokens [B, T, C] -> queries [B, T, C] ("hs"), keys [B, HW, C]
//
// The token tensor is also the query PE of every block, as upstream.
#pragma once

#include "model/sam2/sam2attention.h"
#include "model/sam2/sam2twowayattentionblock.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <utility>
#include <vector>

namespace rsrefseg {

class Sam2TwoWayTransformerImpl : public torch::nn::Module
{
  public:
    Sam2TwoWayTransformerImpl(int64_t depth, int64_t embedDim, int64_t numHeads, int64_t mlpDim,
                              int64_t attentionDownsampleRate);
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor &image, const torch::Tensor &imagePe,
                                                    const torch::Tensor &tokens);

  private:
    int64_t mEmbedDim;
    std::vector<Sam2TwoWayAttentionBlock> mLayers;
    Sam2Attention mFinalAttn{nullptr};
    torch::nn::LayerNorm mNormFinal{nullptr};
};
TORCH_MODULE(Sam2TwoWayTransformer);

} // namespace rsrefseg
