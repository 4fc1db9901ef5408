// Sam2PromptEncoder: sam2's `PromptEncoder` (sam2/modeling/sam/prompt_encoder.py), key prefix
// `sam_prompt_encoder.`, reduced to what RSRefSeg 2 calls: the mask path (`mask_downscaling`,
// the dense embedding of the prompter's mask logits D) and the dense positional encoding
// (`get_dense_pe`). The point/box tables (`point_embeddings.0..3`, `not_a_point_embed`) and
// `no_mask_embed` are registered so that a checkpoint loads strictly; RSRefSeg 2 never uses them.
//
//   Sam2PromptEncoder enc(/*embedDim*/ 256, /*imageEmbeddingSize*/ 64, /*inputImageSize*/ 1024,
//                         /*maskInChans*/ 16);
//   torch::Tensor dense = enc->denseEmbedding(maskLogits); // [B, 1, 256, 256] -> [B, 256, 64, 64]
//   torch::Tensor pe = enc->densePositionalEncoding();      // [1, 256, 64, 64]
//
// mask_downscaling: Conv(1 -> mic/4, k2 s2) `.0`, LayerNorm2d `.1` (eps 1e-6), GELU, Conv(-> mic,
// k2 s2) `.3`, LayerNorm2d `.4`, GELU, Conv(mic -> C, 1x1) `.6`. The dense PE is computed in
// float32 from the Fourier matrix G (`pe_layer.positional_encoding_gaussian_matrix` [2, C/2]) and
// returned in G's dtype, as RSRefSeg 2's position_encoding.py does for a bf16 module.
#pragma once

#include "model/sam/samlayernorm2d.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

namespace rsrefseg {

class Sam2PromptEncoderImpl : public torch::nn::Module
{
  public:
    Sam2PromptEncoderImpl(int64_t embedDim, int64_t imageEmbeddingSize, int64_t inputImageSize, int64_t maskInChans);

    // Mask logits [B, 1, 4g, 4g] -> dense prompt embedding [B, C, g, g] (module dtype).
    torch::Tensor denseEmbedding(const torch::Tensor &maskLogits);
    // [1, C, g, g]: 2*pi*((2c - 1) @ G) -> [sin, cos] at the cell centres c = ((j+.5)/g, (i+.5)/g).
    torch::Tensor densePositionalEncoding() const;

    int64_t embedDim() const { return mEmbedDim; }
    int64_t imageEmbeddingSize() const { return mImageEmbeddingSize; }
    int64_t inputImageSize() const { return mInputImageSize; }
    int64_t maskInputSize() const { return 4 * mImageEmbeddingSize; }
    const torch::Tensor &gaussianMatrix() const { return mGaussian; }

  private:
    int64_t mEmbedDim;
    int64_t mImageEmbeddingSize;
    int64_t mInputImageSize;
    torch::Tensor mGaussian;                            // pe_layer.positional_encoding_gaussian_matrix
    std::vector<torch::nn::Embedding> mPointEmbeddings; // point_embeddings.N (unused)
    torch::nn::Embedding mNotAPointEmbed{nullptr};      // not_a_point_embed (unused)
    torch::nn::Conv2d mMaskConv0{nullptr};              // mask_downscaling.0
    SamLayerNorm2d mMaskNorm1{nullptr};                 // mask_downscaling.1
    torch::nn::Conv2d mMaskConv3{nullptr};              // mask_downscaling.3
    SamLayerNorm2d mMaskNorm4{nullptr};                 // mask_downscaling.4
    torch::nn::Conv2d mMaskConv6{nullptr};              // mask_downscaling.6
    torch::nn::Embedding mNoMaskEmbed{nullptr};         // no_mask_embed (unused)
};
TORCH_MODULE(Sam2PromptEncoder);

} // namespace rsrefseg
