// SiglipTextTransformer: the SigLIP text tower (HF `SiglipTextTransformer`, the `text_model.`
// sub-tree of `SiglipModel`): token + learned position embeddings, bidirectional pre-LN encoder,
// final_layer_norm and `head` (Linear) applied to the LAST position. Parameter names equal the
// HF keys without the `text_model.` prefix; the embedding module lives in this file too.
//
//   SiglipTextTransformer text(cfg.text);
//   text->eval();
//   SiglipTextOutput out = text->forward(ids, mask);   // ids [B, L] int64, mask [B, L] or {}
//   out.lastHiddenState;   // [B, L, C]    out.poolerOutput;   // head(last[:, -1]) [B, C]
//   text->enableLora(16, 16.0, 0.0);   // RSRefSeg-b targets: q/k/v/out_proj + head
//
// The attention mask (1 = token, 0 = padding) masks KEYS only, additively with finfo.min;
// padded positions are still computed as queries and the pooler reads the last position even
// when it is padding (upstream behaviour). L must not exceed max_position_embeddings.
#pragma once

#include "model/lora/loralinear.h"
#include "model/siglip/siglipconfig.h"
#include "model/siglip/siglipencoder.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

namespace rsrefseg {

struct SiglipTextOutput
{
    torch::Tensor lastHiddenState;           // [B, L, C], after final_layer_norm
    torch::Tensor poolerOutput;              // [B, C] = head(lastHiddenState[:, -1])
    std::vector<torch::Tensor> hiddenStates; // embeddings + each layer output (if requested)
};

// `embeddings.token_embedding` + `embeddings.position_embedding` (positions 0..L-1).
class SiglipTextEmbeddingsImpl : public torch::nn::Module
{
  public:
    explicit SiglipTextEmbeddingsImpl(const SiglipTextConfig &config);
    torch::Tensor forward(const torch::Tensor &inputIds); // [B, L] -> [B, L, C]

    torch::nn::Embedding tokenEmbedding{nullptr};
    torch::nn::Embedding positionEmbedding{nullptr};

  private:
    SiglipTextConfig mConfig;
};
TORCH_MODULE(SiglipTextEmbeddings);

class SiglipTextTransformerImpl : public torch::nn::Module
{
  public:
    explicit SiglipTextTransformerImpl(const SiglipTextConfig &config);

    SiglipTextOutput forward(const torch::Tensor &inputIds, const torch::Tensor &attentionMask = {},
                             bool outputHiddenStates = false);

    // LoRA on the RSRefSeg-b targets (golden README §8): q/k/v/out_proj of every layer and head.
    void enableLora(int64_t rank, double alpha, double dropout);
    void mergeLora();
    void setLoraAlpha(double alpha);

    const SiglipTextConfig &config() const { return mConfig; }

    SiglipTextEmbeddings embeddings{nullptr};
    SiglipEncoder encoder{nullptr};
    torch::nn::LayerNorm finalLayerNorm{nullptr};
    LoraLinear head{nullptr};

  private:
    SiglipTextConfig mConfig;
};
TORCH_MODULE(SiglipTextTransformer);

} // namespace rsrefseg
