// setTorchThreads: the one place that sets LibTorch's intra-op thread count. Debian's LibTorch
// starts with one thread (ARCHITECTURE.md, Platform facts: threads), so every program sets it
// before the first forward pass; ComputeOptions (core/modelhub) and the model benchmark call it.
#pragma once

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

namespace rsrefseg {

// Sets the count (0 or less: all hardware threads) and returns the count in use.
inline int setTorchThreads(int requested)
{
    const int n = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // Setting the same count again is not free in every LibTorch (it may rebuild the pool).
    if (at::get_num_threads() != n)
        at::set_num_threads(n);
    return n;
}

} // namespace rsrefseg
