// TwoQueryTextBlock: one layer of step 0 of RSRefSeg 2's cascaded prompter (RSRefSeg2 models.py
// `TwoQueryTextCrossAttentionBlock`, ../shared/RSREFSEG2.md §3): two query sets Q1 and Q2 (with
// learned PEs P1, P2) read the text tokens T (no PE) and each other. The ops of the configured
// list run in order; each is a submodule registered under its own name
// (`self_attn_query_query1.q_proj.weight`, `norm_query1_1.weight`, `mlp_query1_2.layers.0.weight`).
// As upstream, the name decides:
//   - the module: self_attn_query / cross_attn_query_text / cross_attn_query_query = attention,
//     mlp_query = MLP, norm_query = LayerNorm; a `norm` in the name means no residual;
//   - the stream and keys: self_attn_query_query1 (Q1; k = Q1), ..._query2 (Q2; k = Q2),
//     cross_attn_query_text_query1_text (Q1; k = T), ..._query2_text (Q2; k = T),
//     cross_attn_query_query_query1_query2 (Q1; k = Q2), ..._query2_query1 (Q2; k = Q1, the Q1
//     already updated by the earlier ops), mlp_query1/norm_query1 (Q1), mlp_query2/norm_query2 (Q2);
//   - q = stream + its PE, k = key stream + its PE (none for T), v = key stream.
//
//   TwoQueryTextBlock block(config);                 // config.twoQueryOrder, all dims textFeatDim
//   std::tie(q1, q2) = block(q1, q2, text, pe1, pe2); // q [B, nq, C], text [B, L, C], pe [nq, C]
#pragma once

#include "model/rsrefseg2/prompterattention.h"
#include "model/rsrefseg2/promptermlp.h"
#include "model/rsrefseg2/rsrefseg2config.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace rsrefseg {

class TwoQueryTextBlockImpl : public torch::nn::Module
{
  public:
    explicit TwoQueryTextBlockImpl(const CascadedPrompterConfig &config);
    // Returns (Q1, Q2).
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor &queries1, const torch::Tensor &queries2,
                                                    const torch::Tensor &text, const torch::Tensor &pe1,
                                                    const torch::Tensor &pe2);

  private:
    enum Stream { Query1 = 0, Query2 = 1, Text = 2 };
    struct Op
    {
        std::string name;
        Stream stream = Query1;
        Stream keys = Query1; // attention only
        bool residual = true;
        PrompterAttention attention{nullptr};
        torch::nn::LayerNorm norm{nullptr};
        PrompterMlp mlp{nullptr};
    };
    std::vector<Op> mOps;
};
TORCH_MODULE(TwoQueryTextBlock);

} // namespace rsrefseg
