// SiglipEncoder: the pre-LayerNorm transformer stack shared by the SigLIP vision and text towers
// (HF `SiglipEncoder` -> `layers.N.{layer_norm1, self_attn.{q,k,v,out}_proj, layer_norm2,
// mlp.fc1, mlp.fc2}`). Its building blocks (SiglipAttention, SiglipMlp, SiglipEncoderLayer) live
// in this file too: they are only ever used through the encoder, and keeping them in one
// translation unit keeps the LibTorch compile time down.
//
//   SiglipEncoder enc(cfg.vision);                     // any SiglipEncoderConfig
//   std::vector<torch::Tensor> states;
//   torch::Tensor y = enc->forward(x, /*additiveMask*/ {}, &states);   // x: [B, N, C]
//   enc->enableLora(16, 16.0, 0.05);                   // q/k/v/out_proj of every layer
//   enc->mergeLora();
//
// Numerics follow HF v4.45.2 eager attention: softmax(q k^T * head_dim^-0.5 + mask) computed in
// float32 and cast back, so the module works in float32, float64 and bfloat16.
#pragma once

#include "model/lora/loralinear.h"
#include "model/siglip/siglipconfig.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <string>
#include <vector>

namespace rsrefseg {

// Applies an HF ACT2FN activation by name (the names SiglipConfig accepts).
torch::Tensor siglipActivation(const torch::Tensor &x, const std::string &name);

// HF `_prepare_4d_attention_mask`: [B, L] (1 = attend, 0 = padding) -> additive [B, 1, 1, L] in
// `dtype`, 0 where attended and finfo(dtype).min where masked.
torch::Tensor siglipAdditiveAttentionMask(const torch::Tensor &mask, torch::ScalarType dtype);

// Multi-head self-attention with LoRA-capable projections (`q_proj`, `k_proj`, `v_proj`, `out_proj`).
class SiglipAttentionImpl : public torch::nn::Module
{
  public:
    explicit SiglipAttentionImpl(const SiglipEncoderConfig &config);
    // x [B, N, C]; additiveMask undefined or broadcastable to [B, heads, N, N].
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &additiveMask = {});

    LoraLinear qProj{nullptr};
    LoraLinear kProj{nullptr};
    LoraLinear vProj{nullptr};
    LoraLinear outProj{nullptr};

  private:
    SiglipEncoderConfig mConfig;
};
TORCH_MODULE(SiglipAttention);

// fc1 -> activation -> fc2.
class SiglipMlpImpl : public torch::nn::Module
{
  public:
    SiglipMlpImpl(int64_t hiddenSize, int64_t intermediateSize, std::string activation);
    torch::Tensor forward(const torch::Tensor &x);

    torch::nn::Linear fc1{nullptr};
    torch::nn::Linear fc2{nullptr};

  private:
    int64_t mHiddenSize;
    int64_t mIntermediateSize;
    std::string mActivation;
};
TORCH_MODULE(SiglipMlp);

// x + attn(ln1(x)), then x + mlp(ln2(x)).
class SiglipEncoderLayerImpl : public torch::nn::Module
{
  public:
    explicit SiglipEncoderLayerImpl(const SiglipEncoderConfig &config);
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &additiveMask = {});

    torch::nn::LayerNorm layerNorm1{nullptr};
    SiglipAttention selfAttn{nullptr};
    torch::nn::LayerNorm layerNorm2{nullptr};
    SiglipMlp mlp{nullptr};

  private:
    SiglipEncoderConfig mConfig;
};
TORCH_MODULE(SiglipEncoderLayer);

class SiglipEncoderImpl : public torch::nn::Module
{
  public:
    explicit SiglipEncoderImpl(const SiglipEncoderConfig &config);
    // Runs every layer. With `hiddenStates`, appends the input and each layer's output
    // (HF `hidden_states`: numHiddenLayers + 1 tensors).
    torch::Tensor forward(const torch::Tensor &x, const torch::Tensor &additiveMask = {},
                          std::vector<torch::Tensor> *hiddenStates = nullptr);

    // LoRA on q_proj, k_proj, v_proj and out_proj of every layer.
    void enableLora(int64_t rank, double alpha, double dropout);
    void mergeLora();
    void setLoraAlpha(double alpha);

    int64_t numLayers() const { return static_cast<int64_t>(mLayers.size()); }
    SiglipEncoderLayer layer(int64_t index) const { return mLayers.at(static_cast<size_t>(index)); }

    torch::nn::ModuleList layers{nullptr};

  private:
    SiglipEncoderConfig mConfig;
    std::vector<SiglipEncoderLayer> mLayers; // typed views of `layers`
};
TORCH_MODULE(SiglipEncoder);

} // namespace rsrefseg
