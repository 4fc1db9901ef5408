// HieraBlock: one SAM 2 Hiera block (sam2 hieradet.py `MultiScaleBlock` with its
// `MultiScaleAttention`), channels-last (B, H, W, C) in and out.
//
//   HieraBlockSpec spec;             // usually from HieraTrunkImpl::blockSpecs(config)
//   spec.dim = 144; spec.dimOut = 288; spec.numHeads = 4; spec.windowSize = 8; spec.qStride = {2, 2};
//   HieraBlock block(spec);
//   torch::Tensor y = block(x);      // x [B, 256, 256, 144] -> y [B, 128, 128, 288]
//
// Pre-LN: x_n = norm1(x); the shortcut is x, or maxpool(proj(x_n)) when the width changes (the
// projection of the NORMED tokens, as upstream). x_n is zero-padded bottom/right to a multiple
// of the window and partitioned (the padded tokens are keys/values of their windows, unmasked);
// on q-pool blocks the queries are max-pooled inside each window; head_dim = dimOut / numHeads.
// Then x + mlp(norm2(x)) with exact-erf GELU. Any dtype works (bf16 included: the layer norms
// run in float32, see model/common/layernorm.h).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <array>
#include <cstdint>

namespace rsrefseg {

struct HieraBlockSpec
{
    int64_t dim = 0;
    int64_t dimOut = 0;
    int64_t numHeads = 1;
    int64_t windowSize = 0;               // 0: global attention
    std::array<int64_t, 2> qStride{0, 0}; // {0, 0}: no query pooling
    double mlpRatio = 4.0;
    double normEps = 1e-6;

    bool poolsQueries() const { return qStride[0] > 0 && qStride[1] > 0; }
    bool operator==(const HieraBlockSpec &o) const;
};

class HieraBlockImpl : public torch::nn::Module
{
  public:
    explicit HieraBlockImpl(const HieraBlockSpec &spec);

    // x [B, H, W, dim] -> [B, H / qStride[0], W / qStride[1], dimOut] (floored, as max_pool2d)
    torch::Tensor forward(const torch::Tensor &x);

    // Upper bound on attention-score elements (windows*heads x queries x keys) held at once;
    // 0 or less: no chunking. Chunks are runs of query tokens (same numbers, bounded memory:
    // a global block of Hiera-L at 1024 px has 8 x 4096 x 4096 scores).
    void setAttentionChunkElements(int64_t elements) { mChunkElements = elements; }

    const HieraBlockSpec &spec() const { return mSpec; }

    torch::nn::LayerNorm norm1{nullptr};
    torch::nn::Linear qkv{nullptr};      // attn.qkv: dim -> 3 * dimOut, laid out (3, heads, head_dim)
    torch::nn::Linear attnProj{nullptr}; // attn.proj
    torch::nn::LayerNorm norm2{nullptr};
    torch::nn::Linear mlp0{nullptr}; // mlp.layers.0
    torch::nn::Linear mlp1{nullptr}; // mlp.layers.1
    torch::nn::Linear proj{nullptr}; // only when dim != dimOut

  private:
    // windows [N, h, w, dim] -> [N, h', w', dimOut] (h' = h / qStride on q-pool blocks)
    torch::Tensor attention(const torch::Tensor &windows);

    HieraBlockSpec mSpec;
    int64_t mChunkElements = int64_t(1) << 26;
};
TORCH_MODULE(HieraBlock);

// Max pooling with kernel = stride = `stride` over H and W of a channels-last [B, H, W, C]
// tensor (floor mode, like torch max_pool2d), as a view + amax: works in every dtype.
torch::Tensor hieraMaxPool(const torch::Tensor &x, const std::array<int64_t, 2> &stride);

} // namespace rsrefseg
