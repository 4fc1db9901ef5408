// ComputeOptions: where and how a model runs (device, dtype, threads), as every caller gives it.
// applyComputeThreads() sets LibTorch's thread count through setTorchThreads
// (core/model/common/torchthreads.h): Debian's LibTorch starts with one thread, so every program
// sets it before the first forward pass.
//
//   ComputeOptions c;  c.device = "cpu";  c.dtype = "bf16";  c.threads = 0;   // 0: all cores
//   int used = applyComputeThreads(c.threads);
#pragma once

#include <string>

namespace rsrefseg {

struct ComputeOptions
{
    std::string device = "cpu"; // cpu | cuda | cuda:N
    std::string dtype = "f32";  // f32 | bf16 | f16 (f16: GPU only)
    int threads = 0;            // torch intra-op threads; 0: all hardware threads
};

// Sets LibTorch's intra-op thread count (process-wide) and returns the count in use.
int applyComputeThreads(int requested);

} // namespace rsrefseg
