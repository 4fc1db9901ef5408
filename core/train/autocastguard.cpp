#include "train/autocastguard.h"

#include <ATen/autocast_mode.h>

namespace rsrefseg {

AutocastGuard::AutocastGuard(c10::DeviceType device, bool enabled)
    : mEnabled(enabled)
    , mCuda(device == c10::DeviceType::CUDA)
{
    if (!mEnabled)
        return;
    if (mCuda) {
        mPreviousEnabled = at::autocast::is_enabled();
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
    } else {
        mPreviousEnabled = at::autocast::is_cpu_enabled();
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
    }
    at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard()
{
    if (!mEnabled)
        return;
    // The cast cache is only valid inside the outermost autocast region.
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
    if (mCuda)
        at::autocast::set_enabled(mPreviousEnabled);
    else
        at::autocast::set_cpu_enabled(mPreviousEnabled);
}

} // namespace rsrefseg
