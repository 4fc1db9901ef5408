#include "model/sam2/sam2maskdecoder.h"

#include "common/error.h"

namespace rsrefseg {

namespace {

std::string shapeOf(const torch::Tensor &t)
{
    return t.defined() ? c10::str(t.sizes()) : std::string("an undefined tensor");
}

bool hasShape(const torch::Tensor &t, const std::vector<int64_t> &shape)
{
    return t.defined() && t.sizes() == torch::IntArrayRef(shape);
}

std::string dims(const std::vector<int64_t> &shape)
{
    return c10::str(torch::IntArrayRef(shape));
}

// A 2x2, stride-2 transposed convolution has no overlapping outputs: one matrix product and a
// pixel shuffle (ATen's CPU kernel for this shape is a slow reference path, and its bf16 variant
// fails in LibTorch 1.13). Computed in x's dtype.
torch::Tensor transposedConv2x2(const torch::Tensor &x, const torch::Tensor &weight, const torch::Tensor &bias)
{
    const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    const int64_t o = weight.size(1);
    const torch::Tensor rows = x.permute({0, 2, 3, 1}).reshape({b * h * w, c});
    torch::Tensor y = torch::matmul(rows, weight.reshape({c, o * 4}).to(x.scalar_type()));
    y = y.view({b, h, w, o, 2, 2}).permute({0, 3, 1, 4, 2, 5}).reshape({b, o, 2 * h, 2 * w});
    return y + bias.to(x.scalar_type()).view({1, o, 1, 1});
}

bool isReducedPrecision(torch::ScalarType t)
{
    return t == torch::kBFloat16 || t == torch::kHalf;
}

} // namespace

Sam2MaskDecoderImpl::Sam2MaskDecoderImpl(const Sam2HeadsConfig &config, int64_t transformerDim)
    : mConfig(config)
    , mDim(transformerDim)
    , mNumMaskTokens(config.numMultimaskOutputs + 1)
{
    const int64_t d = transformerDim;
    if (d <= 0 || d % 8 != 0)
        throw Error("Sam2MaskDecoder: transformer_dim must be a positive multiple of 8, got " + std::to_string(d));
    if (config.numMultimaskOutputs < 1)
        throw Error("Sam2MaskDecoder: num_multimask_outputs must be at least 1 (the stability fallback picks among "
                    "them), got " +
                    std::to_string(config.numMultimaskOutputs));
    // The variants RSRefSeg 2 (and sam2.1) never builds change the module tree; refuse them
    // rather than load a different model under the same names.
    if (!config.useHighResFeatures || !config.predObjScores || !config.predObjScoresMlp)
        throw Error("Sam2MaskDecoder: only use_high_res_features, pred_obj_scores and pred_obj_scores_mlp all true "
                    "are supported (SAM 2.1's configuration)");

    mTransformer =
        register_module("transformer", Sam2TwoWayTransformer(config.transformerDepth, d, config.transformerHeads,
                                                             config.transformerMlpDim, config.attentionDownsampleRate));
    mIouToken = register_module("iou_token", torch::nn::Embedding(1, d));
    mMaskTokens = register_module("mask_tokens", torch::nn::Embedding(mNumMaskTokens, d));
    mObjScoreToken = register_module("obj_score_token", torch::nn::Embedding(1, d));

    auto up = register_module("output_upscaling", std::make_shared<torch::nn::Module>());
    mUpscale0 =
        up->register_module("0", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(d, d / 4, 2).stride(2)));
    mUpscaleNorm1 = up->register_module("1", SamLayerNorm2d(d / 4, 1e-6));
    mUpscale3 = up->register_module(
        "3", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(d / 4, d / 8, 2).stride(2)));
    mConvS0 = register_module("conv_s0", torch::nn::Conv2d(torch::nn::Conv2dOptions(d, d / 8, 1)));
    mConvS1 = register_module("conv_s1", torch::nn::Conv2d(torch::nn::Conv2dOptions(d, d / 4, 1)));

    auto hyper = register_module("output_hypernetworks_mlps", std::make_shared<torch::nn::Module>());
    for (int64_t i = 0; i < mNumMaskTokens; ++i)
        mHypernetworks.push_back(hyper->register_module(std::to_string(i), Sam2HeadMlp(d, d, d / 8, 3)));
    mIouHead = register_module("iou_prediction_head", Sam2HeadMlp(d, config.iouHeadHiddenDim, mNumMaskTokens,
                                                                  config.iouHeadDepth, config.iouPredictionUseSigmoid));
    mObjScoreHead = register_module("pred_obj_score_head", Sam2HeadMlp(d, d, 1, 3));
}

std::pair<torch::Tensor, torch::Tensor> Sam2MaskDecoderImpl::highResFeatures(const torch::Tensor &level0,
                                                                             const torch::Tensor &level1)
{
    for (const torch::Tensor *t : {&level0, &level1})
        if (!t->defined() || t->dim() != 4 || t->size(1) != mDim)
            throw Error("Sam2MaskDecoder: high-res neck levels must be [B, " + std::to_string(mDim) + ", H, W], got " +
                        shapeOf(*t));
    const auto type = mConvS0->weight.scalar_type();
    return {mConvS0(level0.to(type)), mConvS1(level1.to(type))};
}

void Sam2MaskDecoderImpl::checkInputs(const torch::Tensor &imageEmbeddings, const torch::Tensor &imagePe,
                                      const torch::Tensor &sparse, const torch::Tensor &dense, const torch::Tensor &s0,
                                      const torch::Tensor &s1) const
{
    const int64_t c = mDim;
    if (!imageEmbeddings.defined() || imageEmbeddings.dim() != 4 || imageEmbeddings.size(0) < 1 ||
        imageEmbeddings.size(1) != c)
        throw Error("Sam2MaskDecoder: image embeddings must be [B, " + std::to_string(c) + ", h, w], got " +
                    shapeOf(imageEmbeddings));
    const int64_t b = imageEmbeddings.size(0), h = imageEmbeddings.size(2), w = imageEmbeddings.size(3);
    if (!hasShape(imagePe, {1, c, h, w}) && !hasShape(imagePe, {b, c, h, w}))
        throw Error("Sam2MaskDecoder: image positional encoding must be " + dims({1, c, h, w}) + ", got " +
                    shapeOf(imagePe));
    if (!sparse.defined() || sparse.dim() != 3 || sparse.size(0) != b || sparse.size(2) != c)
        throw Error("Sam2MaskDecoder: sparse prompt embeddings must be [" + std::to_string(b) + ", N, " +
                    std::to_string(c) + "], got " + shapeOf(sparse));
    if (!hasShape(dense, {b, c, h, w}) && !hasShape(dense, {1, c, h, w}))
        throw Error("Sam2MaskDecoder: dense prompt embeddings must be " + dims({b, c, h, w}) + ", got " +
                    shapeOf(dense));
    if (!hasShape(s0, {b, c / 8, 4 * h, 4 * w}))
        throw Error("Sam2MaskDecoder: high-res feature s0 must be " + dims({b, c / 8, 4 * h, 4 * w}) + ", got " +
                    shapeOf(s0));
    if (!hasShape(s1, {b, c / 4, 2 * h, 2 * w}))
        throw Error("Sam2MaskDecoder: high-res feature s1 must be " + dims({b, c / 4, 2 * h, 2 * w}) + ", got " +
                    shapeOf(s1));
}

torch::Tensor Sam2MaskDecoderImpl::upscale(const torch::Tensor &src, const torch::Tensor &s0, const torch::Tensor &s1)
{
    // Float32 for reduced-precision modules: a few hundred MFLOP at full size, and the mask
    // logits (and the stability switch that reads them) keep float32 accuracy.
    const auto type = isReducedPrecision(src.scalar_type()) ? torch::kFloat32 : src.scalar_type();
    torch::Tensor u = transposedConv2x2(src.to(type), mUpscale0->weight, mUpscale0->bias);
    u = torch::gelu(mUpscaleNorm1(u + s1.to(type)).to(type));
    return torch::gelu(transposedConv2x2(u, mUpscale3->weight, mUpscale3->bias) + s0.to(type));
}

void Sam2MaskDecoderImpl::select(Sam2DecoderOutput &out, const torch::Tensor &allMasks)
{
    const int64_t b = allMasks.size(0);
    // Upstream _get_stability_scores: float32 counts, ratio, 1 where nothing is above -delta.
    const torch::Tensor m0 = allMasks.select(1, 0).flatten(1);
    const double delta = mConfig.stabilityDelta;
    const torch::Tensor areaI = (m0 > delta).sum(-1).to(torch::kFloat32);
    const torch::Tensor areaU = (m0 > -delta).sum(-1).to(torch::kFloat32);
    out.stabilityToken0 = torch::where(areaU > 0, areaI / areaU, torch::ones_like(areaU));

    const auto longOptions = torch::TensorOptions().dtype(torch::kLong).device(allMasks.device());
    if (mConfig.dynamicMultimaskViaStability && !is_training()) {
        const torch::Tensor isStable = out.stabilityToken0 >= mConfig.stabilityThresh;
        // argmax keeps the first of equal scores, as upstream.
        const torch::Tensor best = out.allIou.narrow(1, 1, mNumMaskTokens - 1).argmax(-1) + 1;
        out.chosenToken = torch::where(isStable, torch::zeros({b}, longOptions), best);
    } else {
        out.chosenToken = torch::zeros({b}, longOptions);
    }
    const torch::Tensor index = out.chosenToken.view({b, 1});
    out.iou = out.allIou.gather(1, index);
    const torch::Tensor maskIndex = index.view({b, 1, 1, 1}).expand({b, 1, allMasks.size(2), allMasks.size(3)});
    out.masks = allMasks.gather(1, maskIndex);
}

Sam2DecoderOutput Sam2MaskDecoderImpl::forward(const torch::Tensor &imageEmbeddings, const torch::Tensor &imagePe,
                                               const torch::Tensor &sparse, const torch::Tensor &dense,
                                               const torch::Tensor &s0, const torch::Tensor &s1,
                                               std::map<std::string, torch::Tensor> *trace)
{
    checkInputs(imageEmbeddings, imagePe, sparse, dense, s0, s1);
    const auto type = mIouToken->weight.scalar_type();
    const int64_t b = imageEmbeddings.size(0), c = mDim, h = imageEmbeddings.size(2), w = imageEmbeddings.size(3);

    // [obj_score, iou, mask tokens..., sparse]
    const torch::Tensor outputTokens = torch::cat({mObjScoreToken->weight, mIouToken->weight, mMaskTokens->weight}, 0)
                                           .unsqueeze(0)
                                           .expand({b, -1, -1});
    const torch::Tensor tokens = torch::cat({outputTokens, sparse.to(type)}, 1);
    // [B, hw, C], contiguous once: every image-side product and add reads these rows.
    const torch::Tensor src = (imageEmbeddings.to(type) + dense.to(type)).flatten(2).transpose(1, 2).contiguous();
    const torch::Tensor pe = imagePe.to(type).flatten(2).transpose(1, 2).contiguous();

    torch::Tensor hs, keys;
    std::tie(hs, keys) = mTransformer(src, pe, tokens);
    const torch::Tensor maskTokensOut = hs.narrow(1, 2, mNumMaskTokens);

    const torch::Tensor upscaled = upscale(keys.transpose(1, 2).reshape({b, c, h, w}), s0, s1); // [B, C/8, 4h, 4w]
    // The heads read a few tokens: in a bf16 module they run in float32 (upscaled's dtype), since
    // the masks are a dot product of hypernetwork outputs that may largely cancel.
    const torch::Tensor tokensOut = hs.to(upscaled.scalar_type());
    std::vector<torch::Tensor> hyper;
    for (int64_t i = 0; i < mNumMaskTokens; ++i)
        hyper.push_back(mHypernetworks[static_cast<size_t>(i)](tokensOut.select(1, 2 + i)));
    const torch::Tensor hyperIn = torch::stack(hyper, 1); // [B, M, C/8]
    const int64_t uc = upscaled.size(1), uh = upscaled.size(2), uw = upscaled.size(3);
    const torch::Tensor masks =
        torch::matmul(hyperIn, upscaled.view({b, uc, uh * uw})).view({b, mNumMaskTokens, uh, uw});

    Sam2DecoderOutput out;
    out.allIou = mIouHead(tokensOut.select(1, 1));
    out.objScoreLogits = mObjScoreHead(tokensOut.select(1, 0)).to(type);
    select(out, masks); // from the float32 logits and IoUs
    out.allMasks = masks.to(type);
    out.masks = out.masks.to(type);
    out.allIou = out.allIou.to(type);
    out.iou = out.iou.to(type);

    if (trace) {
        (*trace)["dec.hs"] = hs;
        (*trace)["dec.mask_tokens_out"] = maskTokensOut;
        (*trace)["dec.all_masks"] = out.allMasks;
        (*trace)["dec.all_iou"] = out.allIou;
        (*trace)["dec.obj_score_logits"] = out.objScoreLogits;
        (*trace)["dec.stability_token0"] = out.stabilityToken0.view({b, 1});
        (*trace)["dec.chosen_token"] = out.chosenToken;
        (*trace)["dec.out.masks"] = out.masks;
        (*trace)["dec.out.iou"] = out.iou;
        (*trace)["dec.out.sam_tokens"] = maskTokensOut.narrow(1, 0, 1);
    }
    return out;
}

} // namespace rsrefseg
