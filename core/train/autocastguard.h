// AutocastGuard: mixed precision for a scope (RAII): while it lives, LibTorch's autocast runs
// the matrix products and convolutions of `device` in bfloat16 and keeps precision-sensitive
// ops (softmax, norms, losses) in float32; parameters stay float32. On exit the previous
// autocast state is restored and the cast cache cleared.
//
//   {
//       AutocastGuard autocast(torch::kCUDA, /*enabled*/ config.precision == "bf16");
//       DecodeOutput out = model->predict(...);
//   }
#pragma once

#include <c10/core/DeviceType.h>

namespace rsrefseg {

class AutocastGuard
{
  public:
    AutocastGuard(c10::DeviceType device, bool enabled);
    ~AutocastGuard();
    AutocastGuard(const AutocastGuard &) = delete;
    AutocastGuard &operator=(const AutocastGuard &) = delete;

  private:
    bool mEnabled = false;
    bool mCuda = false;
    bool mPreviousEnabled = false;
};

} // namespace rsrefseg
