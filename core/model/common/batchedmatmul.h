// batchedMatmul: torch::matmul for batched attention products, with the batch split across the
// torch threads. LibTorch 1.13 runs a CPU bmm as one BLAS call per matrix in a row, and for
// attention-sized matrices OpenBLAS uses one thread per call, so a second core sits idle:
// measured on the 2-core build machine (fp32, 2 threads), q k^T of SAM's windowed layers
// [300 x 196x64 @ 64x196] ran at 44 GFLOP/s as one bmm and at 104 GFLOP/s split in two halves,
// SigLIP so400m's [16 x 729x72 @ 72x729] at 54 -> 134, a global SAM chunk [12 x 512x64 @
// 64x4096] at 65 -> 142 (bf16 through oneDNN: 129 -> 243).
//   torch::Tensor scores = batchedMatmul(q, k.transpose(-2, -1)); // [..., n, m]
// Same arguments and result as torch::matmul for a, b of equal rank >= 3 and equal leading
// dimensions. Falls back to torch::matmul when autograd records (out= products have no
// gradient), off the CPU, with one thread, one matrix or no elements.
// Tiny bf16 products (a text query's 16 tokens) are computed in float32 and rounded once:
// oneDNN's bf16 bmm costs ~0.09 ms per call for SigLIP text's [16 x 16x72 @ 72x16], float32
// 0.02 ms; both accumulate in float32.
#pragma once

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/types.h>

#include <vector>

namespace rsrefseg {

// Multiply-adds up to which a bf16 product is computed in float32 (SigLIP text: 0.3 M).
constexpr int64_t kTinyBatchedMatmulWork = 1 << 20;

inline torch::Tensor batchedMatmul(const torch::Tensor &a, const torch::Tensor &b)
{
    const int64_t rank = a.dim();
    if (rank < 3 || b.dim() != rank || !a.device().is_cpu() || a.requires_grad() || b.requires_grad() ||
        a.numel() == 0 || b.numel() == 0 || a.sizes().slice(0, rank - 2) != b.sizes().slice(0, rank - 2))
        return torch::matmul(a, b);
    const int64_t m = a.size(rank - 2), k = a.size(rank - 1), n = b.size(rank - 1);
    if (a.scalar_type() == torch::kBFloat16 && b.scalar_type() == torch::kBFloat16 &&
        a.numel() / (m * k) * m * n * k <= kTinyBatchedMatmulWork)
        return torch::matmul(a.to(torch::kFloat32), b.to(torch::kFloat32)).to(torch::kBFloat16);
    const torch::Tensor a3 = a.reshape({-1, m, k});
    const torch::Tensor b3 = b.reshape({-1, k, n});
    const int64_t batch = a3.size(0);
    if (batch < 2 || at::get_num_threads() < 2)
        return torch::matmul(a, b);
    torch::Tensor out = torch::empty({batch, m, n}, a.options());
    at::parallel_for(0, batch, 1, [&](int64_t begin, int64_t end) {
        torch::Tensor slice = out.narrow(0, begin, end - begin);
        at::bmm_out(slice, a3.narrow(0, begin, end - begin), b3.narrow(0, begin, end - begin));
    });
    std::vector<int64_t> sizes(a.sizes().begin(), a.sizes().end() - 1);
    sizes.push_back(n);
    return out.view(sizes);
}

} // namespace rsrefseg
