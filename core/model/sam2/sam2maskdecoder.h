// Sam2MaskDecoder: sam2's `MaskDecoder` (sam2/modeling/sam/mask_decoder.py), key prefix
// `sam_mask_decoder.`, as RSRefSeg 2 runs it: multimask_output=False, repeat_image=False, high-res
// features on, eval-mode dynamic multimask via stability.
//
//   Sam2MaskDecoder dec(config.heads, config.neck.dModel);
//   auto s = dec->highResFeatures(level0, level1);      // conv_s0 / conv_s1 of the neck levels 0, 1
//   Sam2DecoderOutput out = dec(imageEmbeddings,          // [B, C, g, g]   (level 2 + no_mem_embed)
//                               imagePe,                  // [1, C, g, g] (Sam2PromptEncoder::densePositionalEncoding)
//                               sparse,                   // [B, N, C]      (the prompter's tokens)
//                               dense,                    // [B, C, g, g]   (Sam2PromptEncoder::denseEmbedding)
//                               s.first, s.second,        // [B, C/8, 4g, 4g], [B, C/4, 2g, 2g]
//                               /*trace*/ nullptr);
//   out.masks;   // [B, 1, 4g, 4g] low-resolution logits of the chosen token
//
// Tokens: [obj_score, iou, mask tokens 0..3, sparse]. Upscaling adds the high-res skips:
// u = GELU(LN2d(ConvT(src) + s1)), u = GELU(ConvT(u) + s0); masks = hypernetwork(token) . u.
// Selection (eval mode, dynamic_multimask_via_stability): stability of token 0 =
// #(m0 > delta) / #(m0 > -delta) (1 when the denominator is 0); below the threshold the output is
// the token among 1..3 with the highest IoU, chosen per batch element. In training mode, or with
// the option off, token 0.
// Reduced precision (bf16/fp16 module): the transformer runs in the module dtype; the upscaler,
// the heads (hypernetworks, IoU, object score: a few tokens) and the mask product run in float32,
// the stability test and the choice read those float32 logits and IoUs, and the outputs are
// cast back to the module dtype.
// The 2x2 stride-2 transposed convolutions are computed as one matrix product each (LibTorch
// 1.13's bf16 conv_transpose2d fails on the CPU: ARCHITECTURE.md, Platform facts: BLAS).
#pragma once

#include "model/sam/samlayernorm2d.h"
#include "model/sam2/sam2config.h"
#include "model/sam2/sam2headmlp.h"
#include "model/sam2/sam2twowaytransformer.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rsrefseg {

struct Sam2DecoderOutput
{
    torch::Tensor masks;           // [B, 1, 4g, 4g] logits of the chosen token
    torch::Tensor iou;             // [B, 1] its predicted IoU (sigmoid)
    torch::Tensor allMasks;        // [B, 4, 4g, 4g] every mask token's logits
    torch::Tensor allIou;          // [B, 4]
    torch::Tensor chosenToken;     // [B] int64: 0, or 1..3 after the stability fallback
    torch::Tensor stabilityToken0; // [B] float32
    torch::Tensor objScoreLogits;  // [B, 1] (returned, unused by RSRefSeg 2)
};

class Sam2MaskDecoderImpl : public torch::nn::Module
{
  public:
    Sam2MaskDecoderImpl(const Sam2HeadsConfig &config, int64_t transformerDim);

    // (conv_s0(level0), conv_s1(level1)): neck levels [B, C, 4g, 4g], [B, C, 2g, 2g] ->
    // [B, C/8, 4g, 4g], [B, C/4, 2g, 2g].
    std::pair<torch::Tensor, torch::Tensor> highResFeatures(const torch::Tensor &level0, const torch::Tensor &level1);

    // trace (may be null) receives the golden io names dec.hs, dec.mask_tokens_out, dec.all_masks,
    // dec.all_iou, dec.obj_score_logits, dec.stability_token0 [B, 1], dec.chosen_token,
    // dec.out.masks, dec.out.iou, dec.out.sam_tokens.
    Sam2DecoderOutput forward(const torch::Tensor &imageEmbeddings, const torch::Tensor &imagePe,
                              const torch::Tensor &sparse, const torch::Tensor &dense, const torch::Tensor &s0,
                              const torch::Tensor &s1, std::map<std::string, torch::Tensor> *trace = nullptr);

    const Sam2HeadsConfig &config() const { return mConfig; }
    int64_t transformerDim() const { return mDim; }
    int64_t numMaskTokens() const { return mNumMaskTokens; }

  private:
    void checkInputs(const torch::Tensor &imageEmbeddings, const torch::Tensor &imagePe, const torch::Tensor &sparse,
                     const torch::Tensor &dense, const torch::Tensor &s0, const torch::Tensor &s1) const;
    torch::Tensor upscale(const torch::Tensor &src, const torch::Tensor &s0, const torch::Tensor &s1);
    // Fills chosenToken, stabilityToken0, masks and iou from the mask logits and out.allIou.
    void select(Sam2DecoderOutput &out, const torch::Tensor &allMasks);

    Sam2HeadsConfig mConfig;
    int64_t mDim;
    int64_t mNumMaskTokens;
    Sam2TwoWayTransformer mTransformer{nullptr};
    torch::nn::Embedding mIouToken{nullptr};
    torch::nn::Embedding mMaskTokens{nullptr};
    torch::nn::Embedding mObjScoreToken{nullptr};
    torch::nn::ConvTranspose2d mUpscale0{nullptr}; // output_upscaling.0
    SamLayerNorm2d mUpscaleNorm1{nullptr};         // output_upscaling.1
    torch::nn::ConvTranspose2d mUpscale3{nullptr}; // output_upscaling.3
    torch::nn::Conv2d mConvS0{nullptr};
    torch::nn::Conv2d mConvS1{nullptr};
    std::vector<Sam2HeadMlp> mHypernetworks; // output_hypernetworks_mlps.N
    Sam2HeadMlp mIouHead{nullptr};           // iou_prediction_head
    Sam2HeadMlp mObjScoreHead{nullptr};      // pred_obj_score_head
};
TORCH_MODULE(Sam2MaskDecoder);

} // namespace rsrefseg
