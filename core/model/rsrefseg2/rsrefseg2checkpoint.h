// RSRefSeg2Checkpoint: an RSRefSeg 2 checkpoint in any layout its tools write, as the merged,
// plain tensor names RSRefSeg2Model registers (golden README §6, RSREFSEG2.md §7).
//
//   Lora2Config lora = config.lora;                          // alpha; r is read from the adapters
//   RSRefSeg2Checkpoint::Result r = RSRefSeg2Checkpoint::read("rrsisd.pth", lora);
//   r.tensors["backbone.model.image_encoder.trunk.blocks.0.attn.qkv.weight"];   // W + alpha/r B A
//
// Layouts: the mmengine `.pth` ({'state_dict': ...}) with PEFT names, with or without a
// `module.` prefix; a raw DeepSpeed `mp_rank_00_model_states.pt` ({'module': ...}); merged
// safetensors (plain names, no adapters). Floating tensors become float32 exactly (bf16 and fp16
// widen without rounding) and every adapter is folded in float32: W' = W + (alpha / r) B A,
// the 1x1 convolutions of the neck on their squeezed kernels. The adapter PEFT puts on the SigLIP
// vision head's attention.out_proj is inert upstream (nn.MultiheadAttention reads the weight
// directly) and is dropped unfolded, as the reference's forward ignores it. Training-only
// tensors (`decode_head.*`) are dropped. A name outside the RSRefSeg 2 tree is one Error naming
// it (a v1 checkpoint is recognised and said so).
#pragma once

#include "model/rsrefseg2/rsrefseg2config.h"

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace rsrefseg {

class RSRefSeg2Checkpoint
{
  public:
    using TensorMap = std::map<std::string, torch::Tensor>;

    struct Result
    {
        TensorMap tensors;          // merged model names -> float32 (int64 buffers kept)
        int64_t loraRank = 0;       // 0: no adapters (a merged file)
        int64_t foldedAdapters = 0; // adapters merged into their layer
        int64_t droppedTensors = 0; // training-only tensors and inert adapters left out
        std::string storedDtype;    // "bf16", "f16", "f32" or "mixed": the floating tensors as stored
    };

    static Result read(const std::string &path, const Lora2Config &lora);
    // The same for tensors already in memory; `source` names them in errors.
    static Result fromTensors(const TensorMap &raw, const std::string &source, const Lora2Config &lora);
};

} // namespace rsrefseg
