#include "model/rsrefseg2/rsrefseg2model.h"

#include "common/error.h"

#include <torch/nn/functional/upsampling.h>
#include <torch/torch.h>

#include <cmath>

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

torch::Tensor normalise(const torch::Tensor &x, const std::array<double, 3> &mean, const std::array<double, 3> &std)
{
    const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(x.device());
    const torch::Tensor m = torch::tensor({mean[0], mean[1], mean[2]}, opts).view({1, 3, 1, 1});
    const torch::Tensor s = torch::tensor({std[0], std[1], std[2]}, opts).view({1, 3, 1, 1});
    return (x - m) / s;
}

} // namespace

RSRefSeg2ModelImpl::RSRefSeg2ModelImpl(const RSRefSeg2Config &config)
    : mConfig(config)
{
    mConfig.validate("RSRefSeg 2 configuration");
    auto backbone = group(*this, "backbone");
    auto sam = group(*backbone, "model");
    imageEncoder = sam->register_module("image_encoder", Sam2ImageEncoder(config.hiera, config.neck));
    noMemEmbed = sam->register_parameter("no_mem_embed", torch::zeros({1, 1, config.neck.dModel}));
    promptEncoder = sam->register_module(
        "sam_prompt_encoder",
        Sam2PromptEncoder(config.neck.dModel, config.embeddingGrid(), config.imageSize, config.heads.maskInChans));
    maskDecoder = sam->register_module("sam_mask_decoder", Sam2MaskDecoder(config.heads, config.neck.dModel));

    siglipVision = group(*this, "clip_vision_encoder")->register_module("model", SiglipVisionTransformer(config.siglip.vision));
    auto clipText = group(*this, "clip_text_encoder");
    siglipText = clipText->register_module("model", SiglipTextTransformer(config.siglip.text));
    logitScale = clipText->register_parameter("logit_scale", torch::full({1}, std::log(10.0)));
    logitBias = clipText->register_parameter("logit_bias", torch::full({1}, -10.0));

    prompter = register_module("prompter", CascadedPrompter(config.prompter));
}

RSRefSeg2ImageFeatures RSRefSeg2ModelImpl::encodeImage(const torch::Tensor &padded01, RSRefSeg2Trace *trace)
{
    const int64_t s = mConfig.imageSize;
    if (padded01.dim() != 4 || padded01.size(1) != 3 || padded01.size(2) != s || padded01.size(3) != s)
        throw Error("RSRefSeg 2 encodeImage expects [B, 3, " + std::to_string(s) + ", " + std::to_string(s) +
                    "] RGB in [0, 1], got " + c10::str(padded01.sizes()));
    const torch::Tensor x = padded01.to(device(), torch::kFloat32);
    const torch::Tensor xSam = normalise(x, mConfig.samMean, mConfig.samStd);
    // Normalising before the resize equals the reference's order: both are linear.
    const torch::Tensor xClipNormalised = normalise(x, mConfig.siglipMean, mConfig.siglipStd);
    const int64_t cs = mConfig.siglipImageSize();
    const torch::Tensor xClip = cs == s ? xClipNormalised : bilinear(xClipNormalised, cs, cs);

    RSRefSeg2ImageFeatures f;
    const std::vector<torch::Tensor> levels = imageEncoder->forward(xSam.to(dtype()), trace);
    std::tie(f.highRes0, f.highRes1) = maskDecoder->highResFeatures(levels[0], levels[1]);
    // directly_add_no_mem_embed: the single-frame path of SAM2Base._prepare_backbone_features.
    f.embedding = levels[2] + noMemEmbed.view({1, -1, 1, 1});
    f.siglipTokens = siglipVision->forward(xClip.to(dtype())).lastHiddenState;
    if (trace) {
        auto &t = *trace;
        t["sam.input_normalized"] = xSam;
        t["siglip.input_normalized"] = xClipNormalised;
        t["siglip.input_resized"] = xClip;
        t["sam.F0"] = f.highRes0;
        t["sam.F1"] = f.highRes1;
        t["dec.in.image_embeddings"] = f.embedding;
        t["siglip.V"] = f.siglipTokens;
    }
    return f;
}

RSRefSeg2TextFeatures RSRefSeg2ModelImpl::encodeText(const torch::Tensor &inputIds, const torch::Tensor &attentionMask,
                                                     RSRefSeg2Trace *trace)
{
    if (inputIds.dim() != 2 || inputIds.size(1) == 0)
        throw Error("RSRefSeg 2 encodeText expects token ids [B, L] with L >= 1, got " + c10::str(inputIds.sizes()));
    if (inputIds.size(1) > mConfig.siglip.text.maxPositionEmbeddings)
        throw Error("RSRefSeg 2 encodeText: " + std::to_string(inputIds.size(1)) + " tokens exceed the text tower's " +
                    std::to_string(mConfig.siglip.text.maxPositionEmbeddings) + " positions");
    const torch::Tensor ids = inputIds.to(device(), torch::kLong);
    const torch::Tensor mask = attentionMask.defined() ? attentionMask.to(device(), torch::kLong) : torch::Tensor();
    const SiglipTextOutput out = siglipText->forward(ids, mask);
    if (trace) {
        (*trace)["siglip.T"] = out.lastHiddenState;
        (*trace)["siglip.p"] = out.poolerOutput;
    }
    return {out.lastHiddenState, out.poolerOutput};
}

RSRefSeg2DecodeOutput RSRefSeg2ModelImpl::decode(const RSRefSeg2ImageFeatures &image, const RSRefSeg2TextFeatures &text,
                                                 RSRefSeg2Trace *trace)
{
    const int64_t bi = image.embedding.size(0);
    const int64_t bt = text.pooled.size(0);
    if (bi != bt && bi != 1)
        throw Error("RSRefSeg 2 decode: image batch " + std::to_string(bi) + " and text batch " + std::to_string(bt) +
                    " differ (the image batch must equal it or be 1)");
    const int64_t b = bt;
    auto expand = [b](const torch::Tensor &t) {
        if (t.size(0) == b)
            return t;
        std::vector<int64_t> sizes(t.sizes().begin(), t.sizes().end());
        sizes[0] = b;
        return t.expand(sizes);
    };
    // The prompter broadcasts an image batch of 1 itself (its image attention runs once per query).
    const PrompterOutput p = prompter->forward(image.siglipTokens, text.tokens, text.pooled, logitScale, logitBias,
                                               mConfig.maskInputSize(), trace);
    const torch::Tensor dense = promptEncoder->denseEmbedding(p.dense.to(dtype()));
    const torch::Tensor pe = promptEncoder->densePositionalEncoding().to(dtype());
    const Sam2DecoderOutput dec = maskDecoder->forward(expand(image.embedding), pe, p.sparse.to(dtype()), dense,
                                                       expand(image.highRes0), expand(image.highRes1), trace);
    if (trace) {
        auto &t = *trace;
        t["sam.prompt.dense"] = dense;
        t["dec.in.dense"] = dense;
        t["dec.in.image_pe"] = pe;
        t["dec.in.sparse"] = p.sparse;
    }
    RSRefSeg2DecodeOutput out;
    out.lowResLogits = dec.masks;
    out.iou = dec.iou.reshape({b});
    out.densePrompt = p.dense;
    out.chosenToken = dec.chosenToken;
    out.stability = dec.stabilityToken0.reshape({b});
    return out;
}

RSRefSeg2DecodeOutput RSRefSeg2ModelImpl::predict(const torch::Tensor &padded01, const torch::Tensor &inputIds,
                                                  const torch::Tensor &attentionMask, RSRefSeg2Trace *trace)
{
    const RSRefSeg2ImageFeatures image = encodeImage(padded01, trace);
    const RSRefSeg2TextFeatures text = encodeText(inputIds, attentionMask, trace);
    return decode(image, text, trace);
}

torch::Tensor RSRefSeg2ModelImpl::postprocess(const torch::Tensor &lowResLogits, int64_t resizedH, int64_t resizedW,
                                              int64_t outH, int64_t outW, RSRefSeg2Trace *trace) const
{
    const int64_t s = mConfig.imageSize;
    if (resizedH < 1 || resizedW < 1 || resizedH > s || resizedW > s || outH < 1 || outW < 1)
        throw Error("RSRefSeg 2 postprocess: the image covers " + std::to_string(resizedH) + " x " +
                    std::to_string(resizedW) + " of the " + std::to_string(s) + " px input and should become " +
                    std::to_string(outH) + " x " + std::to_string(outW));
    const torch::Tensor padded = bilinear(lowResLogits.to(torch::kFloat32), s, s);
    const torch::Tensor cropped = padded.slice(2, 0, resizedH).slice(3, 0, resizedW);
    const torch::Tensor out = bilinear(cropped, outH, outW);
    if (trace) {
        (*trace)["seg_logits_pad"] = padded;
        (*trace)["post.cropped"] = cropped;
        (*trace)["post.logits_original_size"] = out.squeeze(1);
    }
    return out;
}

std::array<int64_t, 2> RSRefSeg2ModelImpl::keepRatioSize(int64_t height, int64_t width, int64_t size)
{
    if (height < 1 || width < 1)
        throw Error("an image of " + std::to_string(height) + " x " + std::to_string(width) + " pixels has nothing to segment");
    // mmcv rescale_size: scale = min(size / long side, size / short side), sides rounded half up.
    const double scale = std::min(static_cast<double>(size) / static_cast<double>(std::max(height, width)),
                                  static_cast<double>(size) / static_cast<double>(std::min(height, width)));
    const auto h = static_cast<int64_t>(static_cast<double>(height) * scale + 0.5);
    const auto w = static_cast<int64_t>(static_cast<double>(width) * scale + 0.5);
    return {std::max<int64_t>(h, 1), std::max<int64_t>(w, 1)};
}

} // namespace rsrefseg
