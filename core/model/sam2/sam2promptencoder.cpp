#include "model/sam2/sam2promptencoder.h"

#include "common/error.h"

#include <cmath>

namespace rsrefseg {

Sam2PromptEncoderImpl::Sam2PromptEncoderImpl(int64_t embedDim, int64_t imageEmbeddingSize, int64_t inputImageSize,
                                             int64_t maskInChans)
    : mEmbedDim(embedDim)
    , mImageEmbeddingSize(imageEmbeddingSize)
    , mInputImageSize(inputImageSize)
{
    if (embedDim <= 0 || embedDim % 2 != 0)
        throw Error("Sam2PromptEncoder: embed_dim must be positive and even (sin and cos halves), got " +
                    std::to_string(embedDim));
    if (imageEmbeddingSize <= 0 || inputImageSize <= 0)
        throw Error("Sam2PromptEncoder: image sizes must be positive");
    if (maskInChans < 4 || maskInChans % 4 != 0)
        throw Error("Sam2PromptEncoder: mask_in_chans must be a positive multiple of 4, got " +
                    std::to_string(maskInChans));

    // Upstream's init is N(0, 1) * scale (1.0); a loaded checkpoint overwrites it.
    auto pe = register_module("pe_layer", std::make_shared<torch::nn::Module>());
    mGaussian = pe->register_buffer("positional_encoding_gaussian_matrix", torch::randn({2, embedDim / 2}));

    auto points = register_module("point_embeddings", std::make_shared<torch::nn::Module>());
    for (int i = 0; i < 4; ++i) // positive/negative point, two box corners
        mPointEmbeddings.push_back(points->register_module(std::to_string(i), torch::nn::Embedding(1, embedDim)));
    mNotAPointEmbed = register_module("not_a_point_embed", torch::nn::Embedding(1, embedDim));

    const int64_t quarter = maskInChans / 4;
    auto mask = register_module("mask_downscaling", std::make_shared<torch::nn::Module>());
    mMaskConv0 = mask->register_module("0", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, quarter, 2).stride(2)));
    mMaskNorm1 = mask->register_module("1", SamLayerNorm2d(quarter, 1e-6));
    mMaskConv3 =
        mask->register_module("3", torch::nn::Conv2d(torch::nn::Conv2dOptions(quarter, maskInChans, 2).stride(2)));
    mMaskNorm4 = mask->register_module("4", SamLayerNorm2d(maskInChans, 1e-6));
    mMaskConv6 = mask->register_module("6", torch::nn::Conv2d(torch::nn::Conv2dOptions(maskInChans, embedDim, 1)));
    mNoMaskEmbed = register_module("no_mask_embed", torch::nn::Embedding(1, embedDim));
}

torch::Tensor Sam2PromptEncoderImpl::denseEmbedding(const torch::Tensor &maskLogits)
{
    const int64_t size = maskInputSize();
    if (!maskLogits.defined() || maskLogits.dim() != 4 || maskLogits.size(0) < 1 || maskLogits.size(1) != 1 ||
        maskLogits.size(2) != size || maskLogits.size(3) != size)
        throw Error("Sam2PromptEncoder: mask logits must be [B, 1, " + std::to_string(size) + ", " +
                    std::to_string(size) + "], got " +
                    (maskLogits.defined() ? c10::str(maskLogits.sizes()) : std::string("an undefined tensor")));
    const torch::Tensor &w = mMaskConv0->weight;
    torch::Tensor x = maskLogits.to(w.device(), w.scalar_type());
    x = torch::gelu(mMaskNorm1(mMaskConv0(x)));
    x = torch::gelu(mMaskNorm4(mMaskConv3(x)));
    return mMaskConv6(x);
}

torch::Tensor Sam2PromptEncoderImpl::densePositionalEncoding() const
{
    const int64_t g = mImageEmbeddingSize;
    const auto options = torch::TensorOptions().dtype(torch::kFloat32).device(mGaussian.device());
    // Upstream: cumsum(ones) - 0.5, then / size: the same float32 values as (arange + 0.5) / g.
    const torch::Tensor centres = (torch::arange(g, options) + 0.5) / static_cast<double>(g);
    const torch::Tensor x = centres.view({1, g}).expand({g, g});
    const torch::Tensor y = centres.view({g, 1}).expand({g, g});
    torch::Tensor c = torch::stack({x, y}, -1) * 2 - 1;  // [g, g, 2]
    c = torch::matmul(c, mGaussian.to(torch::kFloat32)); // [g, g, C/2]
    c = c * (2.0 * M_PI);
    const torch::Tensor pe = torch::cat({torch::sin(c), torch::cos(c)}, -1); // [g, g, C]
    return pe.permute({2, 0, 1}).unsqueeze(0).contiguous().to(mGaussian.scalar_type());
}

} // namespace rsrefseg
