// SiglipVisionTransformer: the SigLIP image tower (HF `SiglipVisionTransformer`, the
// `vision_model.` sub-tree of `SiglipModel`): patch conv + learned position table, pre-LN
// encoder, post_layernorm and the attention-pooling head. Parameter names equal the HF keys
// without the `vision_model.` prefix. The embedding and head modules it is made of live in this
// file too (they exist only inside this tower; one translation unit keeps compile time down).
//
//   SiglipVisionTransformer vision(cfg.vision);
//   vision->eval();
//   SiglipVisionOutput out = vision->forward(pixels);   // pixels [B, 3, S, S], SigLIP-normalised
//   out.lastHiddenState;   // [B, (S/p)^2, C]   out.poolerOutput;   // [B, C]
//   vision->enableLora(16, 16.0, 0.0);   // RSRefSeg-b targets, then load a checkpoint
//   vision->mergeLora();                 // fold what takes part in the forward
//
// The head's `attention.out_proj` LoRA adapter is INERT, as upstream: torch's
// nn.MultiheadAttention reads out_proj.weight/.bias directly and never runs the PEFT wrapper, so
// the head computes with the base weights only and mergeLora() drops that adapter unfolded.
#pragma once

#include "model/lora/loralinear.h"
#include "model/siglip/siglipconfig.h"
#include "model/siglip/siglipencoder.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

namespace rsrefseg {

struct SiglipVisionOutput
{
    torch::Tensor lastHiddenState;           // [B, N, C], after post_layernorm
    torch::Tensor poolerOutput;              // [B, C]; undefined when the config has no head
    std::vector<torch::Tensor> hiddenStates; // embeddings + each layer output (if requested)
};

// `embeddings.patch_embedding` (Conv2d k = stride = patch) + `embeddings.position_embedding`.
class SiglipVisionEmbeddingsImpl : public torch::nn::Module
{
  public:
    explicit SiglipVisionEmbeddingsImpl(const SiglipVisionConfig &config);
    // [B, channels, imageSize, imageSize] -> [B, numPatches, C] in the weights' dtype.
    torch::Tensor forward(const torch::Tensor &pixelValues);

    torch::nn::Conv2d patchEmbedding{nullptr};
    torch::nn::Embedding positionEmbedding{nullptr};

  private:
    SiglipVisionConfig mConfig;
};
TORCH_MODULE(SiglipVisionEmbeddings);

// torch nn.MultiheadAttention(batch_first=True) as the pooling head uses it: packed
// `in_proj_weight` [3C, C] / `in_proj_bias` [3C] (q, k, v rows) and `out_proj`.
class SiglipHeadAttentionImpl : public torch::nn::Module
{
  public:
    SiglipHeadAttentionImpl(int64_t hiddenSize, int64_t numHeads);
    // query [B, Q, C], keyValue [B, N, C] -> [B, Q, C].
    torch::Tensor forward(const torch::Tensor &query, const torch::Tensor &keyValue);
    // Replaces `out_proj` by an adapter-free copy of its base weights (its LoRA is inert).
    void discardOutProjLora();

    torch::Tensor inProjWeight;
    torch::Tensor inProjBias;
    LoraLinear outProj{nullptr};

  private:
    int64_t mHiddenSize;
    int64_t mNumHeads;
};
TORCH_MODULE(SiglipHeadAttention);

// HF `SiglipMultiheadAttentionPoolingHead`: probe -> attention -> x + mlp(layernorm(x)) -> [:, 0].
class SiglipAttentionPoolingHeadImpl : public torch::nn::Module
{
  public:
    explicit SiglipAttentionPoolingHeadImpl(const SiglipVisionConfig &config);
    torch::Tensor forward(const torch::Tensor &hiddenState); // [B, N, C] -> [B, C]

    torch::Tensor probe; // [1, 1, C]
    SiglipHeadAttention attention{nullptr};
    torch::nn::LayerNorm layernorm{nullptr};
    SiglipMlp mlp{nullptr};
};
TORCH_MODULE(SiglipAttentionPoolingHead);

class SiglipVisionTransformerImpl : public torch::nn::Module
{
  public:
    explicit SiglipVisionTransformerImpl(const SiglipVisionConfig &config);

    SiglipVisionOutput forward(const torch::Tensor &pixelValues, bool outputHiddenStates = false);

    // LoRA on the RSRefSeg-b targets (golden README §8): q/k/v/out_proj of every encoder layer
    // and the head's attention.out_proj (loadable, inert).
    void enableLora(int64_t rank, double alpha, double dropout);
    // Folds every encoder adapter into its weight; drops the inert head adapter without folding.
    void mergeLora();
    void setLoraAlpha(double alpha);

    const SiglipVisionConfig &config() const { return mConfig; }

    SiglipVisionEmbeddings embeddings{nullptr};
    SiglipEncoder encoder{nullptr};
    torch::nn::LayerNorm postLayernorm{nullptr};
    SiglipAttentionPoolingHead head{nullptr}; // null when config.useHead is false

  private:
    SiglipVisionConfig mConfig;
};
TORCH_MODULE(SiglipVisionTransformer);

} // namespace rsrefseg
