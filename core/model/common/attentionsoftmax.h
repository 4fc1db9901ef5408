// attentionSoftmax: softmax over the last dimension of attention scores as HF computes it
// (float32 accumulation), without HF's float32 copy of the whole score tensor when no gradient
// is needed. In the full-size encoders the scores are billions of elements, so the copy and the
// second allocation cost ~17 % of a bf16 encodeImage (profiled: aten::copy_).
//   fp32 scores: softmax computed in place (ATen's kernel reads each row before writing it);
//   bf16/fp16 scores: ATen's reduced-precision kernels accumulate in float internally.
// With autograd active the reference formulation is used unchanged.
#pragma once

#include <ATen/ATen.h>
#include <torch/types.h>

namespace rsrefseg {

inline torch::Tensor attentionSoftmax(torch::Tensor scores)
{
    if (scores.requires_grad())
        return torch::softmax(scores, -1, torch::kFloat32).to(scores.scalar_type());
    if (scores.scalar_type() == torch::kFloat32 || scores.scalar_type() == torch::kFloat64) {
        at::_softmax_out(scores, scores, -1, false);
        return scores;
    }
    return at::_softmax(scores, -1, false);
}

} // namespace rsrefseg
