// PITCrossAttentionBlock: one layer of steps 1 and 2 of RSRefSeg 2's cascaded prompter
// (RSRefSeg2 models.py `PITCrossAttentionBlock`, ../shared/RSREFSEG2.md §3). It runs the ops
// of a configured list in order on three streams: the prompts R, the image tokens X and the text
// queries T. Each op is a submodule registered under its own name (`self_attn_text_1.q_proj.weight`,
// `norm_img_1.weight`, `mlp_prompt_2.layers.0.weight`), and its name decides, as upstream:
//   - the kind: `*attn*` = attention (x <- x + attn(q, k, v)), `norm*` = LayerNorm (x <- LN(x)),
//     `mlp*` = MLP (x <- x + mlp(x)); a `norm` in the name means no residual;
//   - the stream it updates and its keys: self_attn_prompt (R; k = R), self_attn_text (T; k = T),
//     cross_attn_img_text (X; k = T), cross_attn_prompt_text (R; k = T),
//     cross_attn_prompt_img (R; k = X), norm_/mlp_{prompt,img,text};
//   - q = stream + its PE, k = key stream + its PE, v = key stream without PE (a stream's PE is
//     skipped when undefined).
//
//   PITCrossAttentionBlock block(config, config.query2Order);
//   PitStreams s{prompts, image, text};           // [B or 1, n, dim] each; prompts may be undefined
//   s = block(s, PitEmbeddings{promptPe, imagePe, textPe});
//
// An op name outside these rules is refused at construction (upstream raises in forward).
#pragma once

#include "model/rsrefseg2/prompterattention.h"
#include "model/rsrefseg2/promptermlp.h"
#include "model/rsrefseg2/rsrefseg2config.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <string>
#include <vector>

namespace rsrefseg {

struct PitStreams
{
    torch::Tensor prompts; // R [B, np, promptDim]
    torch::Tensor image;   // X [B, s*s, imgDim]
    torch::Tensor text;    // T (text queries) [B, nq, textDim]
};

struct PitEmbeddings
{
    torch::Tensor promptPe; // broadcastable to prompts; undefined = none
    torch::Tensor imagePe;  // broadcastable to image
    torch::Tensor textPe;   // broadcastable to text
};

class PITCrossAttentionBlockImpl : public torch::nn::Module
{
  public:
    PITCrossAttentionBlockImpl(const CascadedPrompterConfig &config, const std::vector<std::string> &order);
    PitStreams forward(PitStreams streams, const PitEmbeddings &pe);

  private:
    enum Stream { Prompt = 0, Image = 1, Text = 2 };
    struct Op
    {
        std::string name;
        Stream stream = Prompt;
        Stream keys = Prompt; // attention only
        bool residual = true;
        PrompterAttention attention{nullptr};
        torch::nn::LayerNorm norm{nullptr};
        PrompterMlp mlp{nullptr};
    };
    std::vector<Op> mOps;
};
TORCH_MODULE(PITCrossAttentionBlock);

} // namespace rsrefseg
