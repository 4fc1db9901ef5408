#include "model/rsrefseg/rsrefsegmodel.h"

#include "common/error.h"

#include <torch/nn/functional/upsampling.h>

namespace rsrefseg {

namespace F = torch::nn::functional;

namespace {

// A plain module that only groups children under a name (mmengine's wrapper levels).
std::shared_ptr<torch::nn::Module> group(torch::nn::Module &parent, const std::string &name)
{
    return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

torch::Tensor bilinear(const torch::Tensor &x, int64_t h, int64_t w)
{
    return F::interpolate(x, F::InterpolateFuncOptions()
                                 .size(std::vector<int64_t>{h, w})
                                 .mode(torch::kBilinear)
                                 .align_corners(false));
}

// L2 normalisation without epsilon, as upstream (`x / x.norm(dim=..., keepdim=True)`).
torch::Tensor l2normalise(const torch::Tensor &x, int64_t dim)
{
    return x / x.norm(2, {dim}, true);
}

} // namespace

RSRefSegModelImpl::RSRefSegModelImpl(const RSRefSegConfig &config)
    : mConfig(config)
{
    mConfig.validate("RSRefSeg configuration");
    auto backbone = group(*this, "backbone");
    samVision = backbone->register_module("model", SamVisionEncoder(config.sam.vision));
    samImagePositional =
        backbone->register_module("shared_image_embedding", SamPositionalEmbedding(config.sam.vision.numPosFeats));

    auto clipVision = group(*this, "clip_vision_encoder");
    siglipVision = clipVision->register_module("model", SiglipVisionTransformer(config.siglip.vision));

    auto clipText = group(*this, "clip_text_encoder");
    siglipText = clipText->register_module("model", SiglipTextTransformer(config.siglip.text));
    logitScale = clipText->register_parameter("logit_scale", torch::full({1}, std::log(10.0)));
    logitBias = clipText->register_parameter("logit_bias", torch::full({1}, -10.0));

    samPromptEncoder = group(*this, "sam_prompt_encoder")->register_module("model", SamPromptEncoder(config.sam.promptEncoder));
    samMaskDecoder = group(*this, "sam_mask_decoder")->register_module("model", SamMaskDecoder(config.sam.maskDecoder));

    const int64_t c = config.siglip.vision.hiddenSize;
    const int64_t p = config.promptChannels();
    prompterDownChannel = register_module(
        "prompter_down_channel", RSRefSegConvModule(RSRefSegConvModuleOptions{3 * c, p, 1, 1, 0, true}));
    prompterDownSpatial = register_module("prompter_down_spatial", torch::nn::ModuleList());
    for (int64_t i = 0; i < config.downSpatialTimes; ++i)
        prompterDownSpatial->push_back(RSRefSegConvModule(RSRefSegConvModuleOptions{p, p, 3, 2, 1, true}));
    prompterDownSpatial->push_back(RSRefSegConvModule(RSRefSegConvModuleOptions{p, p, 1, 1, 0, false}));
}

torch::ScalarType RSRefSegModelImpl::dtype() const
{
    return logitScale.scalar_type();
}

torch::Device RSRefSegModelImpl::device() const
{
    return logitScale.device();
}

torch::Tensor RSRefSegModelImpl::normalise(const torch::Tensor &rgb01, const std::array<double, 3> &mean,
                                           const std::array<double, 3> &std) const
{
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(rgb01.device());
    const torch::Tensor m = torch::tensor({mean[0], mean[1], mean[2]}, opts).view({1, 3, 1, 1});
    const torch::Tensor s = torch::tensor({std[0], std[1], std[2]}, opts).view({1, 3, 1, 1});
    return (rgb01 - m) / s;
}

ImageFeatures RSRefSegModelImpl::encodeImage(const torch::Tensor &rgb01, RSRefSegTrace *trace)
{
    const int64_t s = mConfig.imageSize();
    if (rgb01.dim() != 4 || rgb01.size(1) != 3 || rgb01.size(2) != s || rgb01.size(3) != s)
        throw Error("encodeImage expects [B, 3, " + std::to_string(s) + ", " + std::to_string(s) + "] RGB in [0, 1], got " +
                    c10::str(rgb01.sizes()));
    const torch::Tensor x = rgb01.to(device(), torch::kFloat32);
    const torch::Tensor xSam = normalise(x, mConfig.samMean, mConfig.samStd);
    const torch::Tensor xClipNormalised = normalise(x, mConfig.siglipMean, mConfig.siglipStd);
    const int64_t cs = mConfig.siglipImageSize();
    const torch::Tensor xClip = cs == s ? xClipNormalised : bilinear(xClipNormalised, cs, cs);

    ImageFeatures f;
    f.samEmbeddings = samVision->forward(xSam.to(dtype()));
    SiglipVisionOutput vision = siglipVision->forward(xClip.to(dtype()));
    const int64_t g = mConfig.siglipGrid();
    const torch::Tensor &h = vision.lastHiddenState; // [B, N, C]
    f.siglipFeatures = h.transpose(1, 2).reshape({h.size(0), h.size(2), g, g});
    if (trace) {
        (*trace)["x_sam"] = xSam;
        (*trace)["x_clip_normalized"] = xClipNormalised;
        (*trace)["x_clip"] = xClip;
        (*trace)["sam_visual_feat"] = f.samEmbeddings;
        (*trace)["clip_visual_last_hidden_state"] = vision.lastHiddenState;
        if (vision.poolerOutput.defined())
            (*trace)["clip_visual_pooler"] = vision.poolerOutput;
        (*trace)["clip_visual_feat"] = f.siglipFeatures;
    }
    return f;
}

TextFeatures RSRefSegModelImpl::encodeText(const torch::Tensor &inputIds, const torch::Tensor &attentionMask,
                                           RSRefSegTrace *trace)
{
    if (inputIds.dim() != 2 || inputIds.size(1) == 0)
        throw Error("encodeText expects token ids [B, L] with L >= 1, got " + c10::str(inputIds.sizes()));
    if (inputIds.size(1) > mConfig.siglip.text.maxPositionEmbeddings)
        throw Error("encodeText: " + std::to_string(inputIds.size(1)) + " tokens exceed the text tower's " +
                    std::to_string(mConfig.siglip.text.maxPositionEmbeddings) + " positions");
    const torch::Tensor ids = inputIds.to(device(), torch::kLong);
    const torch::Tensor mask = attentionMask.defined() ? attentionMask.to(device(), torch::kLong) : torch::Tensor();
    SiglipTextOutput out = siglipText->forward(ids, mask);
    if (trace) {
        (*trace)["clip_text_last_hidden_state"] = out.lastHiddenState;
        (*trace)["clip_text_pooler"] = out.poolerOutput;
    }
    return {out.lastHiddenState, out.poolerOutput};
}

DecodeOutput RSRefSegModelImpl::decode(const ImageFeatures &image, const TextFeatures &text, RSRefSegTrace *trace)
{
    const int64_t bi = image.siglipFeatures.size(0);
    const int64_t bt = text.pooled.size(0);
    if (bi != bt && bi != 1 && bt != 1)
        throw Error("decode: image batch " + std::to_string(bi) + " and text batch " + std::to_string(bt) +
                    " differ (one of them must be 1)");
    const int64_t b = std::max(bi, bt);
    auto expand = [b](const torch::Tensor &t) {
        if (t.size(0) == b)
            return t;
        std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end());
        sizes[0] = b;
        return t.expand(sizes);
    };

    // Activations in float32: small tensors, and sigmoid/normalisation are where bf16 hurts.
    const torch::Tensor v = expand(image.siglipFeatures).to(torch::kFloat32);          // [B, C, h, w]
    const torch::Tensor t = expand(text.tokens).to(torch::kFloat32);                   // [B, L, C]
    const torch::Tensor p = expand(text.pooled).to(torch::kFloat32);                   // [B, C]
    const torch::Tensor scale = logitScale.to(torch::kFloat32).exp();
    const torch::Tensor bias = logitBias.to(torch::kFloat32);
    const torch::Tensor vn = l2normalise(v, 1);
    const torch::Tensor tn = l2normalise(t, 2);
    const torch::Tensor pn = l2normalise(p, 1);

    const torch::Tensor localLogit = torch::einsum("bchw,blc->blhw", {vn, tn}) * scale + bias;
    const torch::Tensor local = torch::sigmoid(localLogit);
    const torch::Tensor globalLogit = torch::einsum("bchw,bc->bhw", {vn, pn}) * scale + bias;
    const torch::Tensor global = torch::sigmoid(globalLogit);
    const torch::Tensor localFeat = v * local.mean(1, true); // sum over all L positions / L
    const torch::Tensor prompterInput = torch::cat({(v + localFeat) / 2, global.unsqueeze(1) * v, v}, 1);

    const int64_t grid = mConfig.siglipGrid();
    const torch::Tensor peClip = samImagePositional->imageWidePositionalEmbeddings(grid).to(dtype());
    torch::Tensor x = prompterDownChannel->forward(prompterInput.to(dtype()));
    const torch::Tensor downChannel = x;
    x = x + peClip;
    const torch::Tensor peAdded = x;
    std::vector<torch::Tensor> spatialOuts;
    for (size_t i = 0; i < prompterDownSpatial->size(); ++i) {
        x = prompterDownSpatial[i]->as<RSRefSegConvModuleImpl>()->forward(x);
        spatialOuts.push_back(x);
    }
    const torch::Tensor sparse = x.flatten(2).transpose(1, 2).unsqueeze(1); // [B, 1, hw, C]

    const int64_t g = mConfig.samGrid();
    const torch::Tensor maskPrompt = bilinear(globalLogit.unsqueeze(1), 4 * g, 4 * g);
    const torch::Tensor dense = samPromptEncoder->embedMasks(maskPrompt.to(dtype()));
    const torch::Tensor peSam = samImagePositional->imageWidePositionalEmbeddings(g).to(dtype()).expand({b, -1, -1, -1});
    const torch::Tensor samEmb = expand(image.samEmbeddings);
    SamMaskDecoderOutput dec = samMaskDecoder->forward(samEmb, peSam, sparse, dense, /*multimask*/ false);

    DecodeOutput out;
    out.lowResLogits = dec.masks.squeeze(1);                 // [B, 1, 4g, 4g]
    out.iouPrediction = dec.iouPredictions.reshape({b, -1}).select(1, 0);
    out.globalActivationLogit = globalLogit;
    if (trace) {
        auto &tr = *trace;
        tr["local_activate_logit"] = localLogit;
        tr["local_activate"] = local;
        tr["global_activate_logit"] = globalLogit;
        tr["global_activate"] = global;
        tr["prompter_input"] = prompterInput;
        tr["prompter_down_channel_out"] = downChannel;
        tr["image_pe_clip_grid"] = peClip;
        tr["prompter_pe_added"] = peAdded;
        for (size_t i = 0; i < spatialOuts.size(); ++i)
            tr["prompter_down_spatial_" + std::to_string(i) + "_out"] = spatialOuts[i];
        tr["clip_activated_feat"] = x;
        tr["sparse_embeddings"] = sparse;
        tr["mask_prompt_input"] = maskPrompt;
        tr["dense_embeddings"] = dense;
        tr["image_pe_sam_grid"] = peSam;
        tr["low_res_masks"] = dec.masks;
        tr["iou_predictions"] = dec.iouPredictions;
        tr["seg_mask"] = out.lowResLogits;
    }
    return out;
}

DecodeOutput RSRefSegModelImpl::predict(const torch::Tensor &rgb01, const torch::Tensor &inputIds,
                                        const torch::Tensor &attentionMask, RSRefSegTrace *trace)
{
    const ImageFeatures image = encodeImage(rgb01, trace);
    const TextFeatures text = encodeText(inputIds, attentionMask, trace);
    return decode(image, text, trace);
}

torch::Tensor RSRefSegModelImpl::upsampleLogits(const torch::Tensor &lowResLogits, int64_t height, int64_t width) const
{
    const int64_t s = mConfig.imageSize();
    const torch::Tensor modelSize = bilinear(lowResLogits.to(torch::kFloat32), s, s);
    if (height == s && width == s)
        return modelSize;
    return bilinear(modelSize, height, width);
}

void RSRefSegModelImpl::enableLora(int64_t rank, double alpha, double dropout)
{
    samVision->enableLora(rank, alpha, dropout);
    siglipVision->enableLora(rank, alpha, dropout);
    siglipText->enableLora(rank, alpha, dropout);
}

void RSRefSegModelImpl::setLoraAlpha(double alpha)
{
    samVision->setLoraAlpha(alpha);
    siglipVision->setLoraAlpha(alpha);
    siglipText->setLoraAlpha(alpha);
}

void RSRefSegModelImpl::mergeLora()
{
    samVision->mergeLora();
    siglipVision->mergeLora();
    siglipText->mergeLora();
}

} // namespace rsrefseg
