// RSRefSegModel: the whole RSRefSeg network (Chen et al., 2025) with the two-phase API of
// sam.cpp: the expensive image encoders run once per image, every sentence after that costs
// only the text tower and a small decoder.
//
//   RSRefSegModel model(RSRefSegConfig::rsrefsegB());
//   ... load weights (ModelBundle / CheckpointLoader) ..., model->eval();
//   c10::InferenceMode guard;
//   ImageFeatures img = model->encodeImage(rgb01);       // [B,3,S,S] RGB in [0,1], S = imageSize
//   TextFeatures txt = model->encodeText(ids, mask);     // tokenizer output (core/text)
//   DecodeOutput out = model->decode(img, txt);          // low-res logits + IoU + activation
//
// Registered names follow the RSRefSeg checkpoint after LoRA merging (manifests/
// rsrefseg-b.merged.keys.json): backbone.model.* (SAM ViT), backbone.shared_image_embedding,
// clip_vision_encoder.model.*, clip_text_encoder.model.*, clip_text_encoder.logit_scale/bias,
// sam_prompt_encoder.model.*, sam_mask_decoder.model.*, prompter_down_channel.*,
// prompter_down_spatial.N.*. The forward is the reference's exactly (tests/data/golden/README.md §9).
#pragma once

#include "model/rsrefseg/rsrefsegconfig.h"
#include "model/rsrefseg/rsrefsegconvmodule.h"
#include "model/sam/sammaskdecoder.h"
#include "model/sam/sampositionalembedding.h"
#include "model/sam/sampromptencoder.h"
#include "model/sam/samvisionencoder.h"
#include "model/siglip/sigliptexttransformer.h"
#include "model/siglip/siglipvisiontransformer.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>

#include <map>
#include <string>

namespace rsrefseg {

// What depends only on the image: cached per tile by the engine.
struct ImageFeatures
{
    torch::Tensor samEmbeddings;  // [B, 256, 64, 64] SAM neck output
    torch::Tensor siglipFeatures; // [B, 1152, 27, 27] SigLIP last_hidden_state as a grid (V)
};

// What depends only on the sentence: cached per query string.
struct TextFeatures
{
    torch::Tensor tokens; // [B, L, C] SigLIP text last_hidden_state (T)
    torch::Tensor pooled; // [B, C] text head on the last position (p)
};

struct DecodeOutput
{
    torch::Tensor lowResLogits;          // [B, 1, 4g, 4g] (256 x 256 for RSRefSeg-b)
    torch::Tensor iouPrediction;         // [B]
    torch::Tensor globalActivationLogit; // [B, h, w] (27 x 27): sigmoid -> tile relevance
};

// Optional capture of every intermediate, named as in the golden fixtures (parity tests, the
// tile inspector).
using RSRefSegTrace = std::map<std::string, torch::Tensor>;

class RSRefSegModelImpl : public torch::nn::Module
{
  public:
    explicit RSRefSegModelImpl(const RSRefSegConfig &config);

    const RSRefSegConfig &config() const { return mConfig; }

    ImageFeatures encodeImage(const torch::Tensor &rgb01, RSRefSegTrace *trace = nullptr);
    TextFeatures encodeText(const torch::Tensor &inputIds, const torch::Tensor &attentionMask = {},
                            RSRefSegTrace *trace = nullptr);
    // Image and text batches must be equal, or one of them 1 (broadcast).
    DecodeOutput decode(const ImageFeatures &image, const TextFeatures &text, RSRefSegTrace *trace = nullptr);
    DecodeOutput predict(const torch::Tensor &rgb01, const torch::Tensor &inputIds,
                         const torch::Tensor &attentionMask = {}, RSRefSegTrace *trace = nullptr);

    // Low-resolution logits -> logits at (height, width): bilinear to the model input size,
    // then to the requested size, as upstream's post-processing (align_corners = false).
    torch::Tensor upsampleLogits(const torch::Tensor &lowResLogits, int64_t height, int64_t width) const;

    // LoRA on the RSRefSeg-b targets of the three adapted encoders; merge folds them.
    void enableLora(int64_t rank, double alpha, double dropout);
    void setLoraAlpha(double alpha);
    void mergeLora();

    // Submodules, also reachable by name.
    SamVisionEncoder samVision{nullptr};
    SamPositionalEmbedding samImagePositional{nullptr};
    SiglipVisionTransformer siglipVision{nullptr};
    SiglipTextTransformer siglipText{nullptr};
    SamPromptEncoder samPromptEncoder{nullptr};
    SamMaskDecoder samMaskDecoder{nullptr};
    RSRefSegConvModule prompterDownChannel{nullptr};
    torch::nn::ModuleList prompterDownSpatial{nullptr};
    torch::Tensor logitScale;
    torch::Tensor logitBias;

  private:
    torch::Tensor normalise(const torch::Tensor &rgb01, const std::array<double, 3> &mean,
                            const std::array<double, 3> &std) const;
    torch::ScalarType dtype() const;
    torch::Device device() const;

    RSRefSegConfig mConfig;
};
TORCH_MODULE(RSRefSegModel);

} // namespace rsrefseg
