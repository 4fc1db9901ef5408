#include "model/rsrefseg2/cascadedprompter.h"

#include "common/error.h"

#include <torch/nn/functional/upsampling.h>
#include <torch/nn/modules/activation.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <utility>

namespace rsrefseg {

namespace {

std::string shapeOf(const torch::Tensor &t)
{
    return t.defined() ? c10::str(t.sizes()) : std::string("none");
}

bool reducedPrecision(const torch::Tensor &t)
{
    return t.scalar_type() == torch::kBFloat16 || t.scalar_type() == torch::kHalf;
}

// F.adaptive_avg_pool1d over the token axis: bin i averages tokens floor(iL/n) .. ceil((i+1)L/n)-1
// (bins overlap when n does not divide L). Summed in float32 for bf16 input.
torch::Tensor textPool(const torch::Tensor &text, int64_t bins)
{
    const int64_t length = text.size(1);
    const torch::Tensor t = reducedPrecision(text) ? text.to(torch::kFloat32) : text;
    std::vector<torch::Tensor> pooled;
    for (int64_t i = 0; i < bins; ++i) {
        const int64_t start = (i * length) / bins;
        const int64_t end = ((i + 1) * length + bins - 1) / bins;
        pooled.push_back(t.narrow(1, start, end - start).mean(1));
    }
    return torch::stack(pooled, 1).to(text.scalar_type());
}

// Source indices and weights of a bilinear align_corners=True resize in > out as ATen's CPU kernel
// computes them (float scale (in-1)/(out-1), index floor(scale*i) clamped, lambda in [0, 1]).
struct LinearTaps
{
    torch::Tensor index;  // int64 [out]: the first source index (the second is index + 1, padded)
    torch::Tensor weight; // float32 [out]: the second source's weight
};

LinearTaps alignCornersTaps(int64_t in, int64_t out)
{
    const float scale = out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f;
    std::vector<int64_t> index(static_cast<size_t>(out));
    std::vector<float> weight(static_cast<size_t>(out));
    for (int64_t i = 0; i < out; ++i) {
        const float real = scale * static_cast<float>(i);
        const int64_t i0 = std::min(static_cast<int64_t>(std::floor(real)), in - 1);
        index[static_cast<size_t>(i)] = i0;
        weight[static_cast<size_t>(i)] = std::min(std::max(real - static_cast<float>(i0), 0.0f), 1.0f);
    }
    return {torch::tensor(index, torch::kInt64), torch::tensor(weight, torch::kFloat32)};
}

} // namespace

CascadedPrompterImpl::CascadedPrompterImpl(const CascadedPrompterConfig &config, int64_t numLayers)
    : mConfig(config)
{
    if (numLayers < 1)
        throw Error("cascaded prompter: numLayers must be positive, got " + std::to_string(numLayers));
    // The dense prompt is a cosine between refined image channels and the text pooler.
    if (config.imgFeatDim != config.textFeatDim)
        throw Error("cascaded prompter: img_feat_dim (" + std::to_string(config.imgFeatDim) +
                    ") must equal text_feat_dim (" + std::to_string(config.textFeatDim) + ") for the dense prompt");
    if (config.imgFeatDim % 2 != 0 || config.numTextQueries < 1 || config.numPrompts < 1 || config.imgpeSize < 1)
        throw Error("cascaded prompter: invalid configuration (odd img_feat_dim or empty queries/prompts/img_pe)");
    const int64_t nq = config.numTextQueries, c = config.imgFeatDim;
    // Upstream attribute order.
    textQueryPeEmbedding1 = register_parameter("text_query_pe_embedding1", torch::randn({nq, config.textFeatDim}));
    textQueryPeEmbedding2 = register_parameter("text_query_pe_embedding2", torch::randn({nq, config.textFeatDim}));
    twoQueriesTextAttnLayers = register_module("two_queries_text_attn_layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < numLayers; ++i) {
        mStep0.emplace_back(config);
        twoQueriesTextAttnLayers->push_back(mStep0.back());
    }
    imgPe = register_parameter("img_pe", torch::randn({1, c, config.imgpeSize, config.imgpeSize}));
    queries1ToImgAttnLayers = register_module("queries1_to_img_attn_layers", torch::nn::ModuleList());
    promptQueries2ImgAttnLayers = register_module("prompt_queries2_img_attn_layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < numLayers; ++i) {
        mStep1.emplace_back(config, config.query1Order);
        queries1ToImgAttnLayers->push_back(mStep1.back());
        mStep2.emplace_back(config, config.query2Order);
        promptQueries2ImgAttnLayers->push_back(mStep2.back());
    }
    promptPeEmbedding =
        register_parameter("prompt_pe_embedding", torch::randn({config.numPrompts, config.promptFeatDim}));
    promptEmbedding = register_parameter("prompt_embedding", torch::randn({config.numPrompts, config.promptFeatDim}));
    sparsePromptMlp =
        register_module("sparse_prompt_mlp", PrompterMlp(config.promptFeatDim, config.mlpDim, config.promptFeatDim));
    using torch::nn::Conv2dOptions;
    mConv0 = torch::nn::Conv2d(Conv2dOptions(c, c / 2, 3).padding(1).bias(true));
    mNorm1 = torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(c / 2).eps(config.bnEps));
    mConv3 = torch::nn::Conv2d(Conv2dOptions(c / 2, c, 3).padding(1).bias(true));
    densePromptConv =
        register_module("dense_prompt_conv", torch::nn::Sequential(mConv0, mNorm1, torch::nn::GELU(), mConv3));
}

void CascadedPrompterImpl::checkInputs(const torch::Tensor &imageTokens, const torch::Tensor &textTokens,
                                       const torch::Tensor &textPooled, const torch::Tensor &logitScale,
                                       const torch::Tensor &logitBias, int64_t maskInputSize) const
{
    const int64_t c = mConfig.imgFeatDim;
    if (!imageTokens.defined() || imageTokens.dim() != 3 || imageTokens.size(2) != c || imageTokens.size(0) < 1)
        throw Error("cascaded prompter: image tokens must be [batch, s*s, " + std::to_string(c) + "], got " +
                    shapeOf(imageTokens));
    const int64_t n = imageTokens.size(1);
    const auto grid = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(n))));
    if (n < 1 || grid * grid != n)
        throw Error("cascaded prompter: image token count " + std::to_string(n) + " is not a square grid");
    if (!textTokens.defined() || textTokens.dim() != 3 || textTokens.size(2) != mConfig.textFeatDim ||
        textTokens.size(0) < 1 || textTokens.size(1) < 1)
        throw Error("cascaded prompter: text tokens must be [batch, length >= 1, " +
                    std::to_string(mConfig.textFeatDim) + "], got " + shapeOf(textTokens));
    const int64_t b = textTokens.size(0);
    if (imageTokens.size(0) != b && imageTokens.size(0) != 1)
        throw Error("cascaded prompter: image batch " + std::to_string(imageTokens.size(0)) +
                    " must be 1 or the text batch " + std::to_string(b));
    if (!textPooled.defined() || textPooled.dim() != 2 || textPooled.size(0) != b ||
        textPooled.size(1) != mConfig.textFeatDim)
        throw Error("cascaded prompter: text pooler must be [" + std::to_string(b) + ", " +
                    std::to_string(mConfig.textFeatDim) + "], got " + shapeOf(textPooled));
    if (!logitScale.defined() || logitScale.numel() != 1 || !logitBias.defined() || logitBias.numel() != 1)
        throw Error("cascaded prompter: logit scale and bias must hold one value each, got " + shapeOf(logitScale) +
                    " and " + shapeOf(logitBias));
    if (maskInputSize < 1)
        throw Error("cascaded prompter: mask input size must be positive, got " + std::to_string(maskInputSize));
    const auto dtype = imgPe.scalar_type();
    for (const torch::Tensor *t : {&imageTokens, &textTokens, &textPooled}) {
        if (t->scalar_type() != dtype)
            throw Error(std::string("cascaded prompter: inputs must have the module's dtype ") + c10::toString(dtype) +
                        ", got " + c10::toString(t->scalar_type()));
    }
}

torch::Tensor CascadedPrompterImpl::imagePositionalEmbedding(int64_t grid) const
{
    torch::Tensor pe = imgPe;
    if (pe.size(2) != grid) {
        // Upstream resizes a learned PE of another grid: bicubic, align_corners=True (float32 here:
        // reduced-precision bicubic is not available on every LibTorch CPU build).
        namespace F = torch::nn::functional;
        pe = F::interpolate(pe.to(torch::kFloat32), F::InterpolateFuncOptions()
                                                        .size(std::vector<int64_t>{grid, grid})
                                                        .mode(torch::kBicubic)
                                                        .align_corners(true))
                 .to(imgPe.scalar_type());
    }
    // b c h w -> b (h w) c, contiguous once so that the per-op additions stream through memory.
    return pe.flatten(2).transpose(1, 2).contiguous();
}

torch::Tensor CascadedPrompterImpl::denseConv(const torch::Tensor &map, std::map<std::string, torch::Tensor> *trace)
{
    const auto record = [&](const std::string &name, const torch::Tensor &t) {
        if (trace)
            (*trace)["prompter.dense_conv." + name] = t;
    };
    torch::Tensor x = mConv0->forward(map);
    record("0", x);
    if (reducedPrecision(x) && !is_training()) {
        // Eval BatchNorm in float32 (576 x 32 x 32 values: cheap), rounded once, like layerNorm():
        // LibTorch's reduced-precision CPU norm kernels are slow or missing across versions.
        const auto f = [](const torch::Tensor &t) { return t.to(torch::kFloat32); };
        x = torch::batch_norm(f(x), f(mNorm1->weight), f(mNorm1->bias), f(mNorm1->running_mean), f(mNorm1->running_var),
                              false, 0.0, mConfig.bnEps, false)
                .to(x.scalar_type());
    } else {
        x = mNorm1->forward(x);
    }
    record("1", x);
    x = torch::gelu(x);
    record("2", x);
    x = mConv3->forward(x);
    record("3", x);
    return x;
}

torch::Tensor CascadedPrompterImpl::cosineUpsampled(const torch::Tensor &map, const torch::Tensor &unitText,
                                                    int64_t size, std::map<std::string, torch::Tensor> *trace) const
{
    namespace F = torch::nn::functional;
    const torch::Tensor up = F::interpolate(
        map,
        F::InterpolateFuncOptions().size(std::vector<int64_t>{size, size}).mode(torch::kBilinear).align_corners(true));
    if (trace)
        (*trace)["prompter.dense_upsampled"] = up;
    const torch::Tensor unitMap = up / up.norm(2, 1, true); // no eps, as upstream
    return torch::einsum("bchw,bc->bhw", {unitMap, unitText}).unsqueeze(1);
}

torch::Tensor CascadedPrompterImpl::cosineFactored(const torch::Tensor &map, const torch::Tensor &unitText,
                                                   int64_t size) const
{
    // Replicating the last row and column makes the second tap index+1 everywhere (ATen clamps it
    // at the border, where its weight is 0 anyway).
    const int64_t s = map.size(2);
    torch::Tensor f = torch::cat({map, map.narrow(3, s - 1, 1)}, 3);
    f = torch::cat({f, f.narrow(2, s - 1, 1)}, 2); // [B, C, s+1, s+1]
    const auto inner = [](const torch::Tensor &a, const torch::Tensor &b) { return (a * b).sum(1); };
    const auto cut = [&](int64_t y, int64_t x, int64_t h, int64_t w) { return f.narrow(2, y, h).narrow(3, x, w); };
    const int64_t n = s + 1;
    const torch::Tensor dot = torch::einsum("bchw,bc->bhw", {f, unitText}); // [B, n, n]
    const torch::Tensor sq = inner(f, f);                                   // [B, n, n]
    const torch::Tensor right = inner(cut(0, 0, n, s), cut(0, 1, n, s));    // (y,x).(y,x+1)   [B, n, s]
    const torch::Tensor down = inner(cut(0, 0, s, n), cut(1, 0, s, n));     // (y,x).(y+1,x)   [B, s, n]
    const torch::Tensor diag = inner(cut(0, 0, s, s), cut(1, 1, s, s));     // (y,x).(y+1,x+1) [B, s, s]
    const torch::Tensor anti = inner(cut(0, 1, s, s), cut(1, 0, s, s));     // (y,x+1).(y+1,x) [B, s, s]

    const LinearTaps taps = alignCornersTaps(s, size);
    const torch::Tensor y0 = taps.index, y1 = taps.index + 1;
    const auto at = [&](const torch::Tensor &m, const torch::Tensor &rows, const torch::Tensor &cols) {
        return m.index_select(1, rows).index_select(2, cols); // [B, size, size]
    };
    const torch::Tensor ty = taps.weight.view({size, 1}), tx = taps.weight.view({1, size});
    const torch::Tensor a00 = (1 - ty) * (1 - tx), a01 = (1 - ty) * tx, a10 = ty * (1 - tx), a11 = ty * tx;
    const torch::Tensor &x0 = y0, &x1 = y1; // square maps: the same taps on both axes

    const torch::Tensor interpDot =
        a00 * at(dot, y0, x0) + a01 * at(dot, y0, x1) + a10 * at(dot, y1, x0) + a11 * at(dot, y1, x1);
    const torch::Tensor squares = a00 * a00 * at(sq, y0, x0) + a01 * a01 * at(sq, y0, x1) + a10 * a10 * at(sq, y1, x0) +
                                  a11 * a11 * at(sq, y1, x1);
    const torch::Tensor cross = a00 * a01 * at(right, y0, x0) + a10 * a11 * at(right, y1, x0) +
                                a00 * a10 * at(down, y0, x0) + a01 * a11 * at(down, y0, x1) +
                                a00 * a11 * at(diag, y0, x0) + a01 * a10 * at(anti, y0, x0);
    return (interpDot / (squares + 2 * cross).sqrt()).unsqueeze(1);
}

PrompterOutput CascadedPrompterImpl::forward(const torch::Tensor &imageTokens, const torch::Tensor &textTokens,
                                             const torch::Tensor &textPooled, const torch::Tensor &logitScale,
                                             const torch::Tensor &logitBias, int64_t maskInputSize,
                                             std::map<std::string, torch::Tensor> *trace)
{
    checkInputs(imageTokens, textTokens, textPooled, logitScale, logitBias, maskInputSize);
    const auto record = [&](const std::string &name, const torch::Tensor &t) {
        if (trace)
            (*trace)["prompter." + name] = t;
    };
    const int64_t b = textTokens.size(0);
    const int64_t c = mConfig.imgFeatDim;
    const auto grid = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(imageTokens.size(1)))));

    // Step 0 (init_type 'textpool'). No key mask: pad tokens of a batched text take part.
    torch::Tensor q1 = textPool(textTokens, mConfig.numTextQueries);
    torch::Tensor q2 = q1;
    record("Q1_init", q1);
    for (size_t i = 0; i < mStep0.size(); ++i) {
        std::tie(q1, q2) = mStep0[i]->forward(q1, q2, textTokens, textQueryPeEmbedding1, textQueryPeEmbedding2);
        record("step0.layer" + std::to_string(i) + ".Q1", q1);
        record("step0.layer" + std::to_string(i) + ".Q2", q2);
    }

    // Step 1: Q1 activates the image.
    const torch::Tensor imagePe = imagePositionalEmbedding(grid);
    PitStreams s1{torch::Tensor(), imageTokens, q1};
    for (size_t i = 0; i < mStep1.size(); ++i) {
        s1 = mStep1[i]->forward(s1, PitEmbeddings{torch::Tensor(), imagePe, textQueryPeEmbedding1});
        record("step1.layer" + std::to_string(i) + ".X", s1.image);
        record("step1.layer" + std::to_string(i) + ".Q1", s1.text);
    }

    // Step 2: Q2, the refined image and the learned prompts (batch 1 until the text enters).
    PitStreams s2{promptEmbedding.unsqueeze(0), s1.image, q2};
    for (size_t i = 0; i < mStep2.size(); ++i) {
        s2 = mStep2[i]->forward(s2, PitEmbeddings{promptPeEmbedding, imagePe, textQueryPeEmbedding2});
        record("step2.layer" + std::to_string(i) + ".X", s2.image);
        record("step2.layer" + std::to_string(i) + ".Q2", s2.text);
        record("step2.layer" + std::to_string(i) + ".R", s2.prompts);
    }

    PrompterOutput out;
    out.sparse = sparsePromptMlp->forward(s2.prompts);
    if (out.sparse.size(0) != b)
        out.sparse = out.sparse.expand({b, -1, -1}).contiguous();
    record("S", out.sparse);
    torch::Tensor image = s2.image.size(0) == b ? s2.image : s2.image.expand({b, -1, -1});
    out.refinedImage = image.transpose(1, 2).reshape({b, c, grid, grid}); // b (h w) c -> b c h w
    record("refined_img_feat_map", out.refinedImage);

    // Dense prompt ('text_pool', 'refined_clipfeat', internal conv, 'preup'), cosine in float32.
    const torch::Tensor map = denseConv(out.refinedImage, trace).to(torch::kFloat32);
    const torch::Tensor pooled = textPooled.to(torch::kFloat32);
    const torch::Tensor unitText = pooled / pooled.norm(2, 1, true);
    const torch::Tensor cosine = mDensePath == DensePromptPath::Upsampled
                                     ? cosineUpsampled(map, unitText, maskInputSize, trace)
                                     : cosineFactored(map, unitText, maskInputSize);
    record("dense_cosine", cosine);
    const torch::Tensor scale = logitScale.to(torch::kFloat32).reshape({1}).exp();
    out.dense = (cosine * scale + logitBias.to(torch::kFloat32).reshape({1})).to(imgPe.scalar_type());
    record("D", out.dense);
    return out;
}

} // namespace rsrefseg
