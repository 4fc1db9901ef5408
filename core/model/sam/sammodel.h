// SamModel: Hugging Face `SamModel` (transformers v4.45.2) as LibTorch modules whose registered
// names are the HF state-dict keys: `vision_encoder.`, `shared_image_embedding.`,
// `prompt_encoder.`, `mask_decoder.`.
//
//   rsrefseg::SamModel sam(rsrefseg::SamConfig::fromFile("sam-vit-base/config.json"));
//   sam->loadSafetensors("sam-vit-base/model.safetensors");       // strict, names any offender
//   sam->eval();
//   torch::Tensor emb = sam->visionEncoder()(pixels);               // [B, 256, 64, 64]
//   torch::Tensor pe = sam->imageWidePositionalEmbeddings();        // [1, 256, 64, 64]
//   SamPromptEmbeddings p = sam->promptEncoder()(prompts);
//   SamMaskDecoderOutput out = sam->maskDecoder()(emb, pe, p.sparse, p.dense, false);
//
// `shared_image_embedding` (image positional embeddings, also for the RSRefSeg prompter grid)
// and `prompt_encoder.shared_embedding` (points/boxes) are separate modules with the same
// shape: HF ties them and `save_pretrained` may keep only one, so a file that carries one of
// the two loads it into both; a file that carries both keeps each (tiePositionalEmbeddings).
#pragma once

#include "model/sam/samconfig.h"
#include "model/sam/sammaskdecoder.h"
#include "model/sam/sampositionalembedding.h"
#include "model/sam/sampromptencoder.h"
#include "model/sam/samvisionencoder.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <map>
#include <string>

namespace rsrefseg {

class SamModelImpl : public torch::nn::Module
{
  public:
    static constexpr const char *kImagePeKey = "shared_image_embedding.positional_embedding";
    static constexpr const char *kPromptPeKey = "prompt_encoder.shared_embedding.positional_embedding";

    explicit SamModelImpl(const SamConfig &config);

    // Strict load (missing, unexpected or mis-shaped tensors are an Error naming them), after
    // tying the positional-embedding pair.
    void loadStateDict(std::map<std::string, torch::Tensor> tensors, const std::string &sourceName);
    void loadSafetensors(const std::string &path);
    // Adds the missing one of the two positional-embedding keys (a copy of the other).
    static void tiePositionalEmbeddings(std::map<std::string, torch::Tensor> &tensors);

    // [1, C, g, g] for the decoder grid g = prompt_encoder image_embedding_size.
    torch::Tensor imageWidePositionalEmbeddings() const;

    // HF SamModel.forward for one set of prompts: encoder -> prompt encoder -> decoder.
    SamMaskDecoderOutput forward(const torch::Tensor &pixels, const SamPrompts &prompts, bool multimask);

    const SamConfig &config() const { return mConfig; }
    SamVisionEncoder visionEncoder() const { return mVisionEncoder; }
    SamPositionalEmbedding sharedImageEmbedding() const { return mSharedImageEmbedding; }
    SamPromptEncoder promptEncoder() const { return mPromptEncoder; }
    SamMaskDecoder maskDecoder() const { return mMaskDecoder; }

  private:
    SamConfig mConfig;
    SamPositionalEmbedding mSharedImageEmbedding{nullptr};
    SamVisionEncoder mVisionEncoder{nullptr};
    SamPromptEncoder mPromptEncoder{nullptr};
    SamMaskDecoder mMaskDecoder{nullptr};
};
TORCH_MODULE(SamModel);

} // namespace rsrefseg
