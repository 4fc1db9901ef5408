// PrompterAttention: the multi-head attention of RSRefSeg 2's cascaded prompter (RSRefSeg2
// refseg/models/models.py `Attention`): q_proj (queryDim -> internalDim), k_proj and v_proj
// (kvDim -> internalDim), heads of internalDim / numHeads, softmax(q k^T / sqrt(head_dim)) v (the
// SDPA default scale; no mask, no dropout at inference), out_proj (internalDim -> queryDim).
//
//   PrompterAttention attn(/*queryDim*/ 1152, /*kvDim*/ 1152, /*internalDim*/ 512, /*numHeads*/ 8);
//   torch::Tensor y = attn(q, k, v); // q [Bq, Nq, queryDim], k/v [Bk, Nk, kvDim] -> [B, Nq, queryDim]
//
// Bq and Bk are equal or one of them is 1 (broadcast): several text queries on one cached image
// share the image side until the text changes it. Works in float32 and bfloat16.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace rsrefseg {

class PrompterAttentionImpl : public torch::nn::Module
{
  public:
    PrompterAttentionImpl(int64_t queryDim, int64_t kvDim, int64_t internalDim, int64_t numHeads);
    torch::Tensor forward(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v);

    int64_t queryDim() const { return mQueryDim; }
    int64_t kvDim() const { return mKvDim; }

    torch::nn::Linear qProj{nullptr};
    torch::nn::Linear kProj{nullptr};
    torch::nn::Linear vProj{nullptr};
    torch::nn::Linear outProj{nullptr};

  private:
    int64_t mQueryDim;
    int64_t mKvDim;
    int64_t mInternalDim;
    int64_t mNumHeads;
};
TORCH_MODULE(PrompterAttention);

} // namespace rsrefseg
