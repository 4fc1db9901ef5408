// SamMaskDecoder: SAM's mask decoder (HF `SamMaskDecoder` v4.45.2, key prefix `mask_decoder.`):
// a two-way transformer between the output/prompt tokens and the image embedding, a 4x
// transposed-conv upscaler and hypernetwork MLPs -> low-resolution mask logits and IoU scores.
//
//   SamMaskDecoder dec(config.maskDecoder);
//   SamMaskDecoderOutput out = dec(imageEmbeddings,   // [B, C, g, g] (vision encoder output)
//                                  imagePe,           // [1 or B, C, g, g] (imageWidePositionalEmbeddings)
//                                  sparse,            // [B, pb, N, C] (prompt tokens)
//                                  dense,             // [B, C, g, g]
//                                  /*multimask*/ false);
//   out.masks;            // [B, pb, 1, 4g, 4g] (multimask: masks 1..3 -> [B, pb, 3, 4g, 4g])
//   out.iouPredictions;   // [B, pb, 1] (or 3)
//
// Exactly HF's numerics: sparse tokens are appended only if sparse.sum() != 0; the first block
// replaces the queries by self_attn(queries) (no residual, no PE); attention divides by
// sqrt(c_per_head) without upcasting; cross attentions run at hidden / attention_downsample_rate.
// The upscaler runs in float32 when the module is in bf16/fp16 (cast in, cast back): LibTorch
// 1.13's bf16 conv_transpose2d on CPU failed with a channel-count error (ARCHITECTURE.md, Platform facts: BLAS).
// The building blocks live in this file with the decoder (one translation unit).
#pragma once

#include "model/sam/samconfig.h"
#include "model/sam/samlayernorm2d.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <utility>
#include <vector>

namespace rsrefseg {

// HF SamAttention: q/k/v/out projections with an internal width of hidden / downsampleRate.
class SamTwoWayAttentionImpl : public torch::nn::Module
{
  public:
    SamTwoWayAttentionImpl(int64_t hiddenSize, int64_t numHeads, int64_t downsampleRate);
    // query [B, Nq, C], key [B, Nk, C], value [B, Nk, C] -> [B, Nq, C]
    torch::Tensor forward(const torch::Tensor &query, const torch::Tensor &key, const torch::Tensor &value);

    torch::nn::Linear qProj{nullptr}, kProj{nullptr}, vProj{nullptr}, outProj{nullptr};

  private:
    int64_t mNumHeads;
};
TORCH_MODULE(SamTwoWayAttention);

// HF SamTwoWayAttentionBlock: self-attention, token->image cross attention, MLP, image->token
// cross attention, each followed by a LayerNorm.
class SamTwoWayAttentionBlockImpl : public torch::nn::Module
{
  public:
    SamTwoWayAttentionBlockImpl(const SamMaskDecoderConfig &config, bool skipFirstLayerPe);
    // Returns (queries, keys).
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor &queries, const torch::Tensor &keys,
                                                    const torch::Tensor &queryPe, const torch::Tensor &keyPe);

  private:
    bool mSkipFirstLayerPe;
    SamActivation mActivation;
    SamTwoWayAttention mSelfAttn{nullptr};
    torch::nn::LayerNorm mLayerNorm1{nullptr};
    SamTwoWayAttention mCrossTokenToImage{nullptr};
    torch::nn::LayerNorm mLayerNorm2{nullptr};
    torch::nn::Linear mLin1{nullptr}; // mlp.lin1
    torch::nn::Linear mLin2{nullptr}; // mlp.lin2
    torch::nn::LayerNorm mLayerNorm3{nullptr};
    torch::nn::LayerNorm mLayerNorm4{nullptr};
    SamTwoWayAttention mCrossImageToToken{nullptr};
};
TORCH_MODULE(SamTwoWayAttentionBlock);

// HF SamTwoWayTransformer (`mask_decoder.transformer.`).
class SamTwoWayTransformerImpl : public torch::nn::Module
{
  public:
    explicit SamTwoWayTransformerImpl(const SamMaskDecoderConfig &config);
    // tokens [B, T, C], image [B, HW, C], imagePe [B, HW, C] -> (queries [B, T, C], keys [B, HW, C])
    std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor &tokens, const torch::Tensor &image,
                                                    const torch::Tensor &imagePe);

  private:
    std::vector<SamTwoWayAttentionBlock> mLayers;
    SamTwoWayAttention mFinalAttn{nullptr};
    torch::nn::LayerNorm mFinalLayerNorm{nullptr};
};
TORCH_MODULE(SamTwoWayTransformer);

// HF SamFeedForward: proj_in -> ReLU -> (layers.N -> ReLU)* -> proj_out.
class SamFeedForwardImpl : public torch::nn::Module
{
  public:
    SamFeedForwardImpl(int64_t inputDim, int64_t hiddenDim, int64_t outputDim, int64_t numLayers);
    torch::Tensor forward(const torch::Tensor &x);

  private:
    torch::nn::Linear mProjIn{nullptr};
    std::vector<torch::nn::Linear> mLayers;
    torch::nn::Linear mProjOut{nullptr};
};
TORCH_MODULE(SamFeedForward);

struct SamMaskDecoderOutput
{
    torch::Tensor masks;          // [B, pb, n, 4g, 4g] low-resolution logits
    torch::Tensor iouPredictions; // [B, pb, n]
};

class SamMaskDecoderImpl : public torch::nn::Module
{
  public:
    explicit SamMaskDecoderImpl(const SamMaskDecoderConfig &config);

    SamMaskDecoderOutput forward(const torch::Tensor &imageEmbeddings, const torch::Tensor &imagePe,
                                 const torch::Tensor &sparse, const torch::Tensor &dense, bool multimask);

    const SamMaskDecoderConfig &config() const { return mConfig; }

  private:
    torch::Tensor upscale(const torch::Tensor &x);

    SamMaskDecoderConfig mConfig;
    int64_t mNumMaskTokens;
    torch::nn::Embedding mIouToken{nullptr};
    torch::nn::Embedding mMaskTokens{nullptr};
    SamTwoWayTransformer mTransformer{nullptr};
    torch::nn::ConvTranspose2d mUpscaleConv1{nullptr};
    torch::nn::ConvTranspose2d mUpscaleConv2{nullptr};
    SamLayerNorm2d mUpscaleLayerNorm{nullptr};
    std::vector<SamFeedForward> mHypernetworks; // output_hypernetworks_mlps.N
    SamFeedForward mIouHead{nullptr};           // iou_prediction_head
};
TORCH_MODULE(SamMaskDecoder);

} // namespace rsrefseg
