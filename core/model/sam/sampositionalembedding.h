// SamPositionalEmbedding: SAM's random-Fourier positional encoding (HF `SamPositionalEmbedding`),
// buffer `positional_embedding` G [2, F]. A point xy in [0,1]^2 (x first) is encoded as
//   pe(xy) = cat(sin(2*pi*((2*xy - 1) @ G)), cos(2*pi*((2*xy - 1) @ G)))   -> 2F channels.
//
//   SamPositionalEmbedding pe(128);
//   torch::Tensor grid = pe->imageWidePositionalEmbeddings(64);   // [1, 256, 64, 64] decoder
//   torch::Tensor clip = pe->imageWidePositionalEmbeddings(27);   // [1, 256, 27, 27] prompter
//   torch::Tensor pts  = pe->embedPixels(points, 1024, 1024);     // points in input pixels
//
// The sin/cos arguments are always computed in float32 (from G upcast if the module was moved
// to bf16/fp16; identical to HF in float32) and the result is returned in G's dtype: HF would
// evaluate sin(2*pi*...) of bf16 arguments, which is needlessly imprecise.
//
// Under InferenceMode the image-wide grids are kept (per size, for the buffer's current contents),
// since every decode of the same model asks for the same two.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <mutex>
#include <vector>

namespace rsrefseg {

class SamPositionalEmbeddingImpl : public torch::nn::Cloneable<SamPositionalEmbeddingImpl>
{
  public:
    explicit SamPositionalEmbeddingImpl(int64_t numPosFeats);

    void reset() override;

    // coords [..., 2] already normalised to [0, 1] (x, y) -> [..., 2F].
    torch::Tensor forward(const torch::Tensor &coords) const;
    // coords [..., 2] in pixels of an image of imageHeight x imageWidth: x / W, y / H first,
    // as HF's `forward(input_coords, input_shape)`.
    torch::Tensor embedPixels(const torch::Tensor &coords, int64_t imageHeight, int64_t imageWidth) const;
    // [1, 2F, n, n]: cell centres ((j + 0.5) / n, (i + 0.5) / n) for column j, row i
    // (HF SamModel.get_image_wide_positional_embeddings for any grid size n).
    torch::Tensor imageWidePositionalEmbeddings(int64_t n) const;

    const torch::Tensor &positionalEmbedding() const { return mPositionalEmbedding; }
    int64_t numPosFeats() const { return mNumPosFeats; }

  private:
    torch::Tensor computeImageWide(int64_t n) const;

    // Grids computed under InferenceMode, valid while the buffer's storage and version match.
    // A copy (Cloneable::clone) starts empty.
    struct GridCache
    {
        struct Entry
        {
            int64_t n;
            const void *data;
            uint32_t version;
            torch::Tensor grid;
        };
        std::mutex mutex;
        std::vector<Entry> entries;
        GridCache() = default;
        GridCache(const GridCache &) {}
        GridCache &operator=(const GridCache &) { return *this; }
    };

    int64_t mNumPosFeats;
    torch::Tensor mPositionalEmbedding;
    mutable GridCache mGridCache;
};
TORCH_MODULE(SamPositionalEmbedding);

} // namespace rsrefseg
