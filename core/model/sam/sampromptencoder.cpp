#include "model/sam/sampromptencoder.h"

#include "common/error.h"
#include "model/sam/samactivation.h"

namespace rsrefseg {

SamPromptEncoderImpl::SamPromptEncoderImpl(const SamPromptEncoderConfig &config)
    : mConfig(config)
    , mActivation(samActivationFromName(config.hiddenAct, "prompt_encoder_config.hidden_act"))
{
    const int64_t c = config.hiddenSize;
    if (c % 2 != 0)
        throw Error("SamPromptEncoder: hidden_size must be even (sin and cos halves), got " + std::to_string(c));
    if (config.maskInputChannels < 4 || config.maskInputChannels % 4 != 0)
        throw Error("SamPromptEncoder: mask_input_channels must be a positive multiple of 4, got " +
                    std::to_string(config.maskInputChannels));
    mSharedEmbedding = register_module("shared_embedding", SamPositionalEmbedding(c / 2));

    const int64_t quarter = config.maskInputChannels / 4;
    auto mask = register_module("mask_embed", std::make_shared<torch::nn::Module>());
    mMaskConv1 = mask->register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, quarter, 2).stride(2)));
    mMaskLayerNorm1 = mask->register_module("layer_norm1", SamLayerNorm2d(quarter, config.layerNormEps));
    mMaskConv2 = mask->register_module(
        "conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(quarter, config.maskInputChannels, 2).stride(2)));
    mMaskLayerNorm2 = mask->register_module("layer_norm2", SamLayerNorm2d(config.maskInputChannels, config.layerNormEps));
    mMaskConv3 = mask->register_module("conv3", torch::nn::Conv2d(torch::nn::Conv2dOptions(config.maskInputChannels, c, 1)));

    mNoMaskEmbed = register_module("no_mask_embed", torch::nn::Embedding(1, c));
    auto points = register_module("point_embed", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < config.numPointEmbeddings; ++i)
        mPointEmbed.push_back(points->register_module(std::to_string(i), torch::nn::Embedding(1, c)));
    mNotAPointEmbed = register_module("not_a_point_embed", torch::nn::Embedding(1, c));
}

torch::Tensor SamPromptEncoderImpl::embedPoints(const torch::Tensor &points, const torch::Tensor &labels, bool pad)
{
    if (points.dim() != 4 || points.size(3) != 2)
        throw Error("SamPromptEncoder: points must be [B, point_batch, N, 2], got " + c10::str(points.sizes()));
    if (!labels.defined() || labels.dim() != 3 || labels.size(0) != points.size(0) || labels.size(1) != points.size(1) ||
        labels.size(2) != points.size(2))
        throw Error("SamPromptEncoder: labels must be [B, point_batch, N] matching the points");
    const auto device = mNoMaskEmbed->weight.device();
    torch::Tensor p = points.to(device, torch::kFloat32) + 0.5; // shift to the pixel centre
    torch::Tensor l = labels.to(device);
    if (pad) {
        // HF appends the padding point after the +0.5 shift, at (0, 0) with label -1.
        p = torch::cat({p, torch::zeros({p.size(0), p.size(1), 1, 2}, p.options())}, 2);
        l = torch::cat({l, -torch::ones({l.size(0), l.size(1), 1}, l.options())}, 2);
    }
    const int64_t size = mConfig.imageSize;
    torch::Tensor pe = mSharedEmbedding->embedPixels(p, size, size).to(dtype());
    const torch::Tensor lab = l.unsqueeze(-1);
    // Same sequence of torch.where as HF (v4.45.2, written that way for ONNX export).
    pe = torch::where(lab == -1, mNotAPointEmbed->weight, pe);
    pe = torch::where(lab != -10, pe, torch::zeros({}, pe.options()));
    pe = torch::where(lab == 0, pe + mPointEmbed[0]->weight, pe);
    pe = torch::where(lab == 1, pe + mPointEmbed[1]->weight, pe);
    return pe;
}

torch::Tensor SamPromptEncoderImpl::embedBoxes(const torch::Tensor &boxes)
{
    if (boxes.dim() != 3 || boxes.size(2) != 4)
        throw Error("SamPromptEncoder: boxes must be [B, nb, 4], got " + c10::str(boxes.sizes()));
    const torch::Tensor b = boxes.to(mNoMaskEmbed->weight.device(), torch::kFloat32) + 0.5;
    const torch::Tensor coords = b.reshape({b.size(0), b.size(1), 2, 2});
    const int64_t size = mConfig.imageSize;
    torch::Tensor corners = mSharedEmbedding->embedPixels(coords, size, size).to(dtype());
    corners.select(2, 0).add_(mPointEmbed[2]->weight);
    corners.select(2, 1).add_(mPointEmbed[3]->weight);
    return corners;
}

torch::Tensor SamPromptEncoderImpl::embedMasks(const torch::Tensor &masks)
{
    const int64_t expected = 4 * mConfig.imageEmbeddingSize();
    if (masks.dim() != 4 || masks.size(1) != 1 || masks.size(2) != expected || masks.size(3) != expected)
        throw Error("SamPromptEncoder: mask prompts must be [B, 1, " + std::to_string(expected) + ", " +
                    std::to_string(expected) + "], got " + c10::str(masks.sizes()));
    torch::Tensor x = masks.to(mNoMaskEmbed->weight.device(), dtype());
    x = applySamActivation(mActivation, mMaskLayerNorm1(mMaskConv1(x)));
    x = applySamActivation(mActivation, mMaskLayerNorm2(mMaskConv2(x)));
    return mMaskConv3(x);
}

torch::Tensor SamPromptEncoderImpl::noMaskDense(int64_t batch)
{
    const int64_t g = mConfig.imageEmbeddingSize();
    // A copy, not HF's expanded view: callers may modify the result in place.
    return mNoMaskEmbed->weight.reshape({1, -1, 1, 1}).expand({batch, -1, g, g}).contiguous();
}

SamPromptEmbeddings SamPromptEncoderImpl::forward(const SamPrompts &prompts)
{
    SamPromptEmbeddings out;
    int64_t batch = prompts.masks.defined() ? prompts.masks.size(0) : 1;
    if (prompts.points.defined()) {
        if (!prompts.labels.defined())
            throw Error("SamPromptEncoder: points given without labels");
        batch = prompts.points.size(0);
        out.sparse = embedPoints(prompts.points, prompts.labels, /*pad*/ !prompts.boxes.defined());
    }
    if (prompts.boxes.defined()) {
        batch = prompts.boxes.size(0);
        const torch::Tensor boxes = embedBoxes(prompts.boxes);
        if (out.sparse.defined()) {
            if (out.sparse.size(0) != boxes.size(0) || out.sparse.size(1) != boxes.size(1))
                throw Error("SamPromptEncoder: points and boxes must have the same batch and point-batch sizes");
            out.sparse = torch::cat({out.sparse, boxes}, 2);
        } else {
            out.sparse = boxes;
        }
    }
    out.dense = prompts.masks.defined() ? embedMasks(prompts.masks) : noMaskDense(batch);
    if (!out.sparse.defined())
        out.sparse = torch::zeros({batch, 1, 1, mConfig.hiddenSize}, mNoMaskEmbed->weight.options());
    return out;
}

} // namespace rsrefseg
