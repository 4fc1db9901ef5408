#include "model/sam/sampositionalembedding.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>

namespace rsrefseg {

SamPositionalEmbeddingImpl::SamPositionalEmbeddingImpl(int64_t numPosFeats)
    : mNumPosFeats(numPosFeats)
{
    reset();
}

void SamPositionalEmbeddingImpl::reset()
{
    // N(0, 1) like the released checkpoints (HF's init multiplies by hidden/2, which is never
    // what a loaded model holds); a loaded file overwrites it anyway.
    mPositionalEmbedding = register_buffer("positional_embedding", torch::randn({2, mNumPosFeats}));
}

torch::Tensor SamPositionalEmbeddingImpl::forward(const torch::Tensor &coords) const
{
    if (coords.dim() < 1 || coords.size(-1) != 2)
        throw Error("SamPositionalEmbedding: coordinates must have a last dimension of 2 (x, y)");
    const torch::Tensor g = mPositionalEmbedding.to(torch::kFloat32);
    // Same operation order as HF: 2 * c - 1, @ G, * (2 * pi).
    torch::Tensor c = coords.to(g.device(), torch::kFloat32) * 2 - 1;
    c = torch::matmul(c, g);
    c = c * (2.0 * M_PI);
    return torch::cat({torch::sin(c), torch::cos(c)}, -1).to(mPositionalEmbedding.scalar_type());
}

torch::Tensor SamPositionalEmbeddingImpl::embedPixels(const torch::Tensor &coords, int64_t imageHeight,
                                                      int64_t imageWidth) const
{
    if (coords.dim() < 1 || coords.size(-1) != 2)
        throw Error("SamPositionalEmbedding: coordinates must have a last dimension of 2 (x, y)");
    const torch::Tensor c = coords.to(mPositionalEmbedding.device(), torch::kFloat32);
    const torch::Tensor size = torch::tensor({static_cast<float>(imageWidth), static_cast<float>(imageHeight)},
                                             torch::TensorOptions().dtype(torch::kFloat32).device(c.device()));
    return forward(c / size);
}

torch::Tensor SamPositionalEmbeddingImpl::imageWidePositionalEmbeddings(int64_t n) const
{
    if (n <= 0)
        throw Error("SamPositionalEmbedding: grid size must be positive, got " + std::to_string(n));
    // Only inference tensors are kept: they could not take part in a training step.
    if (!c10::InferenceMode::is_enabled())
        return computeImageWide(n);
    const void *data = mPositionalEmbedding.data_ptr();
    const uint32_t version = mPositionalEmbedding._version();
    const std::lock_guard<std::mutex> lock(mGridCache.mutex);
    for (const auto &e : mGridCache.entries)
        if (e.n == n && e.data == data && e.version == version)
            return e.grid;
    mGridCache.entries.erase(std::remove_if(mGridCache.entries.begin(), mGridCache.entries.end(),
                                            [&](const auto &e) { return e.data != data || e.version != version; }),
                             mGridCache.entries.end());
    torch::Tensor grid = computeImageWide(n);
    mGridCache.entries.push_back({n, data, version, grid});
    return grid;
}

torch::Tensor SamPositionalEmbeddingImpl::computeImageWide(int64_t n) const
{
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(mPositionalEmbedding.device());
    // HF: cumsum(ones) - 0.5, then / size: the same float32 values as (arange + 0.5) / n.
    const torch::Tensor centres = (torch::arange(n, options) + 0.5) / static_cast<double>(n);
    const torch::Tensor y = centres.view({n, 1}).expand({n, n});
    const torch::Tensor x = centres.view({1, n}).expand({n, n});
    const torch::Tensor pe = forward(torch::stack({x, y}, -1)); // [n, n, 2F]
    return pe.permute({2, 0, 1}).unsqueeze(0).contiguous();
}

} // namespace rsrefseg
