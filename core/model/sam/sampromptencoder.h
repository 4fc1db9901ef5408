// SamPromptEncoder: SAM's prompt encoder (HF `SamPromptEncoder` v4.45.2, key prefix
// `prompt_encoder.`): points, boxes and mask prompts -> sparse tokens [B, pb, N, C] and a dense
// embedding [B, C, g, g].
//
//   SamPromptEncoder enc(config.promptEncoder);
//   SamPrompts prompts;                         // nothing given: sparse zeros (B,1,1,C),
//   prompts.masks = logits;                     // dense = no_mask_embed broadcast
//   SamPromptEmbeddings e = enc(prompts);       // masks: [B, 1, 4g, 4g]  -> e.dense [B, C, g, g]
//
// Point/box coordinates are pixels of the model input (image_size x image_size, x first).
// Labels: 1 positive, 0 negative, -1 "not a point" (its embedding is not_a_point_embed),
// -10 ignored (zero embedding). Points without boxes get a padding point (label -1), as in HF.
// The module holds its own copy of the positional embedding (`shared_embedding`); SamModel ties
// it to `shared_image_embedding` when a file carries only one of them (SamModel::tiePositionalEmbeddings).
// One deliberate difference from HF: with only a mask prompt the batch size is the mask's
// (HF assumes 1 and would produce mismatched shapes for a larger batch).
#pragma once

#include "model/sam/samconfig.h"
#include "model/sam/samlayernorm2d.h"
#include "model/sam/sampositionalembedding.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

namespace rsrefseg {

struct SamPrompts
{
    torch::Tensor points; // [B, pb, N, 2] or undefined
    torch::Tensor labels; // [B, pb, N] (integer or float), required with points
    torch::Tensor boxes;  // [B, nb, 4] (x0, y0, x1, y1) or undefined; with points nb == pb
    torch::Tensor masks;  // [B, 1, 4g, 4g] mask logits or undefined
};

struct SamPromptEmbeddings
{
    torch::Tensor sparse; // [B, pb, N, C]
    torch::Tensor dense;  // [B, C, g, g]
};

class SamPromptEncoderImpl : public torch::nn::Module
{
  public:
    explicit SamPromptEncoderImpl(const SamPromptEncoderConfig &config);

    SamPromptEmbeddings forward(const SamPrompts &prompts);

    // Dense embedding of mask logits [B, 1, 4g, 4g] (SamMaskEmbedding).
    torch::Tensor embedMasks(const torch::Tensor &masks);
    // no_mask_embed broadcast to [batch, C, g, g].
    torch::Tensor noMaskDense(int64_t batch);
    torch::Tensor embedPoints(const torch::Tensor &points, const torch::Tensor &labels, bool pad);
    torch::Tensor embedBoxes(const torch::Tensor &boxes);

    const SamPromptEncoderConfig &config() const { return mConfig; }
    SamPositionalEmbedding sharedEmbedding() const { return mSharedEmbedding; }

  private:
    torch::ScalarType dtype() const { return mNoMaskEmbed->weight.scalar_type(); }

    SamPromptEncoderConfig mConfig;
    SamActivation mActivation;
    SamPositionalEmbedding mSharedEmbedding{nullptr}; // shared_embedding
    torch::nn::Conv2d mMaskConv1{nullptr};            // mask_embed.conv1
    SamLayerNorm2d mMaskLayerNorm1{nullptr};          // mask_embed.layer_norm1
    torch::nn::Conv2d mMaskConv2{nullptr};            // mask_embed.conv2
    SamLayerNorm2d mMaskLayerNorm2{nullptr};          // mask_embed.layer_norm2
    torch::nn::Conv2d mMaskConv3{nullptr};            // mask_embed.conv3
    torch::nn::Embedding mNoMaskEmbed{nullptr};       // no_mask_embed
    std::vector<torch::nn::Embedding> mPointEmbed;    // point_embed.N
    torch::nn::Embedding mNotAPointEmbed{nullptr};    // not_a_point_embed
};
TORCH_MODULE(SamPromptEncoder);

} // namespace rsrefseg
