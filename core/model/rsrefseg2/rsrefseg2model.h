// RSRefSeg2Model: the whole RSRefSeg 2 network (KyanChen/RSRefSeg2, `RefSegEncoderDecoder` at
// inference) in the two phases the engine caches: the image encoders once per tile, then per
// sentence the text tower, the cascaded prompter and the SAM 2 mask decoder.
//
//   RSRefSeg2Model model(RSRefSeg2Config::full());
//   ... load merged weights (RSRefSeg2Checkpoint, StateDictLoader) ..., model->eval();
//   c10::InferenceMode guard;
//   RSRefSeg2ImageFeatures img = model->encodeImage(padded01);   // [B,3,S,S] RGB in [0,1], zero-padded
//   RSRefSeg2TextFeatures txt = model->encodeText(ids, mask);    // GemmaTokenizer output
//   RSRefSeg2DecodeOutput out = model->decode(img, txt);         // low-res logits [B,1,4g,4g]
//   torch::Tensor logits = model->postprocess(out.lowResLogits, resizedH, resizedW, origH, origW);
//
// Registered names are the merged checkpoint's (golden README Appendix A without the PEFT wrapper
// names): backbone.model.{image_encoder, no_mem_embed, sam_prompt_encoder, sam_mask_decoder}.*,
// clip_vision_encoder.model.*, clip_text_encoder.model.*, clip_text_encoder.logit_scale/bias,
// prompter.*. The image arrives keep-ratio resized and zero-padded bottom/right in [0, 1]
// space (the engine's ImagePreprocessor does that with OpenCV, as mmcv does): the padding is
// part of what both encoders see (RSREFSEG2.md §10).
#pragma once

#include "model/rsrefseg2/cascadedprompter.h"
#include "model/rsrefseg2/rsrefseg2config.h"
#include "model/sam2/sam2imageencoder.h"
#include "model/sam2/sam2maskdecoder.h"
#include "model/sam2/sam2promptencoder.h"
#include "model/siglip/sigliptexttransformer.h"
#include "model/siglip/siglipvisiontransformer.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <array>
#include <map>
#include <string>

namespace rsrefseg {

// What depends only on the image: cached per tile (RSRefSeg2SegmentationModel).
struct RSRefSeg2ImageFeatures
{
    torch::Tensor embedding;    // E = FPN level 2 + no_mem_embed [B, d, g, g]
    torch::Tensor highRes0;     // conv_s0(level 0) [B, d/8, 4g, 4g]
    torch::Tensor highRes1;     // conv_s1(level 1) [B, d/4, 2g, 2g]
    torch::Tensor siglipTokens; // V: SigLIP vision last_hidden_state [B, N, C]
};

// What depends only on the sentence.
struct RSRefSeg2TextFeatures
{
    torch::Tensor tokens; // T [B, L, C]
    torch::Tensor pooled; // p = head(T[:, -1]) [B, C]
};

struct RSRefSeg2DecodeOutput
{
    torch::Tensor lowResLogits;   // [B, 1, 4g, 4g] after the stability selection
    torch::Tensor iou;            // [B] predicted IoU of the chosen mask
    torch::Tensor densePrompt;    // D [B, 1, 4g, 4g]: the prompter's text-image cosine map (tile inspector)
    torch::Tensor chosenToken;    // [B] int64: 0, or 1..3 when the stability fallback fired
    torch::Tensor stability;      // [B] of mask token 0
};

using RSRefSeg2Trace = std::map<std::string, torch::Tensor>;

class RSRefSeg2ModelImpl : public torch::nn::Module
{
  public:
    explicit RSRefSeg2ModelImpl(const RSRefSeg2Config &config);

    const RSRefSeg2Config &config() const { return mConfig; }

    RSRefSeg2ImageFeatures encodeImage(const torch::Tensor &padded01, RSRefSeg2Trace *trace = nullptr);
    RSRefSeg2TextFeatures encodeText(const torch::Tensor &inputIds, const torch::Tensor &attentionMask = {},
                                     RSRefSeg2Trace *trace = nullptr);
    // Image and text batches must be equal, or the image batch 1 (several queries on one tile).
    RSRefSeg2DecodeOutput decode(const RSRefSeg2ImageFeatures &image, const RSRefSeg2TextFeatures &text,
                                 RSRefSeg2Trace *trace = nullptr);
    RSRefSeg2DecodeOutput predict(const torch::Tensor &padded01, const torch::Tensor &inputIds,
                                  const torch::Tensor &attentionMask = {}, RSRefSeg2Trace *trace = nullptr);

    // The reference's post-processing (RSREFSEG2.md §8), float32: bilinear to the padded model
    // input, crop the padding (the image covers [0, resizedH) x [0, resizedW)), bilinear to
    // (outH, outW). Both resizes align_corners = false.
    torch::Tensor postprocess(const torch::Tensor &lowResLogits, int64_t resizedH, int64_t resizedW, int64_t outH,
                              int64_t outW, RSRefSeg2Trace *trace = nullptr) const;
    // mmcv Resize(keep_ratio=True) to `size`: the long side becomes `size` ({height, width}).
    static std::array<int64_t, 2> keepRatioSize(int64_t height, int64_t width, int64_t size);

    Sam2ImageEncoder imageEncoder{nullptr};
    torch::Tensor noMemEmbed;
    Sam2PromptEncoder promptEncoder{nullptr};
    Sam2MaskDecoder maskDecoder{nullptr};
    SiglipVisionTransformer siglipVision{nullptr};
    SiglipTextTransformer siglipText{nullptr};
    torch::Tensor logitScale;
    torch::Tensor logitBias;
    CascadedPrompter prompter{nullptr};

  private:
    torch::ScalarType dtype() const { return logitScale.scalar_type(); }
    torch::Device device() const { return logitScale.device(); }

    RSRefSeg2Config mConfig;
};
TORCH_MODULE(RSRefSeg2Model);

} // namespace rsrefseg
