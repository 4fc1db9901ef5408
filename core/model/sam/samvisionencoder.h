// SamVisionEncoder: the SAM ViT image encoder (HF `SamVisionEncoder`, key prefix
// `vision_encoder.` in a SamModel state dict): patch conv -> + abs pos_embed (channels-last)
// -> windowed / global ViT blocks with decomposed relative positions -> neck (1x1 conv, LN,
// 3x3 conv, LN) -> image embeddings [B, output_channels, g, g].
//
//   SamVisionEncoder enc(config.vision);
//   enc->eval();
//   torch::Tensor emb = enc(pixels);                       // pixels: [B, 3, 1024, 1024], SAM-normalised
//   SamVisionEncoderOutput out = enc->forwardWithHiddenStates(pixels);   // + per-layer [B, g, g, C]
//   enc->enableLora(16, 16.0, 0.05);  // qkv, proj, lin1, lin2, neck.conv1, neck.conv2 (PEFT targets)
//   enc->mergeLora();                 // fold the adapters for inference
//
// The building blocks (attention, layer) live in this file with the encoder: they only exist as
// its parts, and one translation unit keeps the LibTorch build short. Any dtype works (bf16
// included); attention softmax runs in float32 as in HF. Global attention over a large grid is
// computed in chunks of query rows (same numbers, bounded memory): see setAttentionChunkElements.
#pragma once

#include "model/lora/loraconv2d.h"
#include "model/lora/loralinear.h"
#include "model/sam/samconfig.h"
#include "model/sam/samlayernorm2d.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

namespace rsrefseg {

// HF SamVisionAttention: one qkv Linear, `rel_pos_h` / `rel_pos_w` [2 * size - 1, head_dim]
// where size is the window (windowed layer) or the grid (global layer).
class SamVisionAttentionImpl : public torch::nn::Module
{
  public:
    SamVisionAttentionImpl(const SamVisionConfig &config, int64_t windowSize);

    // x: [B, H, W, C] -> [B, H, W, C]
    torch::Tensor forward(const torch::Tensor &x);

    // Upper bound on attention-score elements (batch*heads x queries x keys) held at once; 0 or
    // less: no chunking. Chunks are whole query rows of the grid.
    void setAttentionChunkElements(int64_t elements) { mChunkElements = elements; }

    LoraLinear qkv{nullptr};
    LoraLinear proj{nullptr};

  private:
    // [S, S, head_dim] table for query/key size S (HF get_rel_pos; resized only if needed).
    torch::Tensor relativePositions(int64_t size, const torch::Tensor &table) const;

    SamVisionConfig mConfig;
    int64_t mInputSize;
    int64_t mChunkElements = int64_t(1) << 26;
    torch::Tensor mRelPosH;
    torch::Tensor mRelPosW;
};
TORCH_MODULE(SamVisionAttention);

// HF SamVisionLayer: x + attn(ln1(x)) (windowed with zero padding when window > 0), then
// x + mlp(ln2(x)).
class SamVisionLayerImpl : public torch::nn::Module
{
  public:
    SamVisionLayerImpl(const SamVisionConfig &config, int64_t windowSize);

    torch::Tensor forward(const torch::Tensor &x);

    int64_t windowSize() const { return mWindowSize; }

    torch::nn::LayerNorm layerNorm1{nullptr};
    SamVisionAttention attn{nullptr};
    torch::nn::LayerNorm layerNorm2{nullptr};
    LoraLinear lin1{nullptr}; // mlp.lin1
    LoraLinear lin2{nullptr}; // mlp.lin2

  private:
    SamVisionConfig mConfig;
    int64_t mWindowSize;
    SamActivation mActivation;
};
TORCH_MODULE(SamVisionLayer);

struct SamVisionEncoderOutput
{
    torch::Tensor lastHiddenState;           // neck output [B, output_channels, g, g]
    std::vector<torch::Tensor> hiddenStates; // embeddings, then each layer's output [B, g, g, C]
};

class SamVisionEncoderImpl : public torch::nn::Module
{
  public:
    explicit SamVisionEncoderImpl(const SamVisionConfig &config);

    // pixels [B, num_channels, image_size, image_size] -> [B, output_channels, g, g]
    torch::Tensor forward(const torch::Tensor &pixels);
    SamVisionEncoderOutput forwardWithHiddenStates(const torch::Tensor &pixels);

    // PEFT LoRA on every layer's attn.qkv, attn.proj, mlp.lin1, mlp.lin2 and on neck.conv1,
    // neck.conv2 (golden README §8). Registers `<layer>.lora_A.weight` / `lora_B.weight`.
    void enableLora(int64_t rank, double alpha, double dropout);
    // Sets alpha on every adapter (rank from lora_A): after loading a PEFT checkpoint.
    void setLoraAlpha(double alpha);
    void mergeLora();
    bool hasLora() const;

    // See SamVisionAttentionImpl::setAttentionChunkElements (applies to every layer).
    void setAttentionChunkElements(int64_t elements);

    const SamVisionConfig &config() const { return mConfig; }
    const std::vector<SamVisionLayer> &layers() const { return mLayers; }

  private:
    SamVisionEncoderOutput run(const torch::Tensor &pixels, bool keepHiddenStates);

    SamVisionConfig mConfig;
    torch::nn::Conv2d mPatchProjection{nullptr}; // patch_embed.projection
    torch::Tensor mPosEmbed;                     // pos_embed [1, g, g, C]
    std::vector<SamVisionLayer> mLayers;         // layers.N
    LoraConv2d mNeckConv1{nullptr};              // neck.conv1
    SamLayerNorm2d mNeckLayerNorm1{nullptr};     // neck.layer_norm1
    LoraConv2d mNeckConv2{nullptr};              // neck.conv2
    SamLayerNorm2d mNeckLayerNorm2{nullptr};     // neck.layer_norm2
};
TORCH_MODULE(SamVisionEncoder);

} // namespace rsrefseg
