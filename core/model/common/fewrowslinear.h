// fewRowsLinear: torch::linear(x, weight, bias), computed as weight @ x^T when x is a few rows of
// bf16 on the CPU. A text query is 16 tokens, and for so few rows oneDNN's bf16 product is
// faster with the weight as the left operand: measured on the 2-core build machine, SigLIP
// so400m's [16 x 1152] @ [1152 x 4304]^T took 0.94 ms as torch::linear and 0.79 ms this way,
// [16 x 4304] @ [4304 x 1152]^T 0.97 -> 0.67 ms; from about 128 rows on the two are equal, and
// fp32 (OpenBLAS) is slower this way, so everything else goes to torch::linear unchanged.
// Both accumulate in float32 and round once; the result is contiguous, shaped like linear's.
// When autograd records (training) it is torch::linear too: out= products have no gradient.
//   torch::Tensor y = fewRowsLinear(x, fc1->weight, fc1->bias);
#pragma once

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <torch/types.h>

#include <vector>

namespace rsrefseg {

constexpr int64_t kFewRowsLinearMaxRows = 64;

inline torch::Tensor fewRowsLinear(const torch::Tensor &x, const torch::Tensor &weight,
                                   const torch::Tensor &bias = torch::Tensor())
{
    const int64_t in = x.dim() > 0 ? x.size(-1) : 0;
    const int64_t rows = in > 0 ? x.numel() / in : 0;
    const bool recordsGradient = torch::GradMode::is_enabled() &&
                                 (x.requires_grad() || weight.requires_grad() || (bias.defined() && bias.requires_grad()));
    if (x.dim() < 2 || !x.device().is_cpu() || x.scalar_type() != torch::kBFloat16 ||
        weight.scalar_type() != torch::kBFloat16 || (bias.defined() && bias.scalar_type() != torch::kBFloat16) ||
        rows == 0 || rows > kFewRowsLinearMaxRows || recordsGradient)
        return torch::linear(x, weight, bias);
    const torch::Tensor transposed = torch::mm(weight, x.reshape({rows, in}).t()); // [out, rows]
    std::vector<int64_t> sizes(x.sizes().begin(), x.sizes().end() - 1);
    sizes.push_back(weight.size(0));
    if (!bias.defined())
        return transposed.t().contiguous().view(sizes);
    torch::Tensor out = torch::empty({rows, weight.size(0)}, x.options());
    at::add_out(out, transposed.t(), bias);
    return out.view(sizes);
}

} // namespace rsrefseg
