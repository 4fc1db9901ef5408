// CheckpointNames: maps the tensor names that exist in the world onto RSRefSegModel's names.
//
//   HF SiglipModel    vision_model.X -> clip_vision_encoder.model.X, text_model.X ->
//                     clip_text_encoder.model.X, logit_scale/bias -> clip_text_encoder.logit_*
//   HF SamModel       vision_encoder.X -> backbone.model.X, shared_image_embedding.X ->
//                     backbone.shared_image_embedding.X, prompt_encoder.X ->
//                     sam_prompt_encoder.model.X, mask_decoder.X -> sam_mask_decoder.model.X
//   RSRefSeg training checkpoint (mmengine + PEFT): `.base_model.model.` -> `.`,
//                     `.base_layer.` -> `.`, `.lora_A.default.` -> `.lora_A.` (same for B);
//                     a leading `module.` (DDP) is dropped.
#pragma once

#include <torch/types.h>

#include <map>
#include <string>

namespace rsrefseg {

using TensorMap = std::map<std::string, torch::Tensor>;

class CheckpointNames
{
  public:
    static TensorMap fromHfSiglip(const TensorMap &tensors, const std::string &source);
    static TensorMap fromHfSam(const TensorMap &tensors, const std::string &source);
    static TensorMap fromRSRefSegCheckpoint(const TensorMap &tensors, const std::string &source);

    // LoRA rank of a (renamed) checkpoint: 0 without adapters; an Error when adapters disagree.
    static int64_t loraRank(const TensorMap &renamed, const std::string &source);
    // Number of 3x3 stride-2 prompter blocks (the prompter_down_spatial.N entries with a norm).
    static int64_t downSpatialTimes(const TensorMap &renamed);
};

} // namespace rsrefseg
