#include "model/rsrefseg2/rsrefseg2config.h"

#include "common/error.h"

#include <fstream>

namespace rsrefseg {

namespace {

// A field of `j`, converted to T; `path` is its position in the file (for messages).
template <typename T>
T field(const nlohmann::json &j, const char *key, const std::string &source, const std::string &path)
{
    if (!j.is_object() || !j.contains(key))
        throw Error(source + ": missing field '" + path + key + "'");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception &) {
        throw Error(source + ": field '" + path + key + "' has the wrong type (" + j.at(key).dump() + ")");
    }
}

nlohmann::json object(const nlohmann::json &j, const char *key, const std::string &source, const std::string &path)
{
    const auto o = field<nlohmann::json>(j, key, source, path);
    if (!o.is_object())
        throw Error(source + ": field '" + path + key + "' must be an object");
    return o;
}

void requirePositive(int64_t v, const std::string &source, const std::string &name)
{
    if (v <= 0)
        throw Error(source + ": field '" + name + "' must be positive, got " + std::to_string(v));
}

SiglipEncoderConfig encoderFrom(const nlohmann::json &j, const std::string &source, const std::string &path)
{
    SiglipEncoderConfig e;
    e.hiddenSize = field<int64_t>(j, "hidden_size", source, path);
    e.intermediateSize = field<int64_t>(j, "intermediate_size", source, path);
    e.numHiddenLayers = field<int64_t>(j, "num_hidden_layers", source, path);
    e.numAttentionHeads = field<int64_t>(j, "num_attention_heads", source, path);
    e.hiddenAct = field<std::string>(j, "hidden_act", source, path);
    e.layerNormEps = field<double>(j, "layer_norm_eps", source, path);
    return e;
}

nlohmann::json encoderJson(const SiglipEncoderConfig &e)
{
    return {{"hidden_size", e.hiddenSize},
            {"intermediate_size", e.intermediateSize},
            {"num_hidden_layers", e.numHiddenLayers},
            {"num_attention_heads", e.numAttentionHeads},
            {"hidden_act", e.hiddenAct},
            {"layer_norm_eps", e.layerNormEps}};
}

} // namespace

CascadedPrompterConfig::CascadedPrompterConfig()
    : twoQueryOrder{"self_attn_query_query1",
                    "norm_query1_1",
                    "self_attn_query_query2",
                    "norm_query2_1",
                    "cross_attn_query_text_query1_text",
                    "norm_query1_2",
                    "mlp_query1_2",
                    "norm_query1_3",
                    "cross_attn_query_text_query2_text",
                    "norm_query2_2",
                    "mlp_query2_2",
                    "norm_query2_3",
                    "cross_attn_query_query_query1_query2",
                    "norm_query1_4",
                    "mlp_query1_3",
                    "norm_query1_5",
                    "cross_attn_query_query_query2_query1",
                    "norm_query2_4",
                    "mlp_query2_3",
                    "norm_query2_5"},
      query1Order{"self_attn_text_text_1", "norm_text_1", "cross_attn_img_text_1", "norm_img_1", "mlp_img_1",
                  "norm_img_2"},
      query2Order{"self_attn_text_1",       "norm_text_1",   "cross_attn_img_text_1",    "norm_img_1",
                  "mlp_img_1",              "norm_img_2",    "self_attn_prompt_1",       "norm_prompt_1",
                  "cross_attn_prompt_text_1", "norm_prompt_2", "mlp_prompt_2",           "norm_prompt_3",
                  "cross_attn_prompt_img_1", "norm_prompt_4", "mlp_prompt_3",            "norm_prompt_5"}
{
}

bool CascadedPrompterConfig::operator==(const CascadedPrompterConfig &o) const
{
    return numTextQueries == o.numTextQueries && textFeatDim == o.textFeatDim && imgFeatDim == o.imgFeatDim &&
           promptFeatDim == o.promptFeatDim && numHeads == o.numHeads && internalDim == o.internalDim &&
           mlpDim == o.mlpDim && numPrompts == o.numPrompts && imgpeSize == o.imgpeSize &&
           layerNormEps == o.layerNormEps && bnEps == o.bnEps && twoQueryOrder == o.twoQueryOrder &&
           query1Order == o.query1Order && query2Order == o.query2Order;
}

bool Lora2Config::operator==(const Lora2Config &o) const
{
    return r == o.r && alpha == o.alpha && dropout == o.dropout && targets == o.targets;
}

bool RSRefSeg2Config::operator==(const RSRefSeg2Config &o) const
{
    return imageSize == o.imageSize && backboneStride == o.backboneStride && hiera == o.hiera && neck == o.neck &&
           heads == o.heads && siglip.vision == o.siglip.vision && siglip.text == o.siglip.text &&
           siglipMean == o.siglipMean && siglipStd == o.siglipStd && samMean == o.samMean && samStd == o.samStd &&
           prompter == o.prompter && lora == o.lora && maskThreshold == o.maskThreshold;
}

RSRefSeg2Config RSRefSeg2Config::full()
{
    RSRefSeg2Config c;
    SiglipEncoderConfig so400m;
    so400m.hiddenSize = 1152;
    so400m.intermediateSize = 4304;
    so400m.numHiddenLayers = 27;
    so400m.numAttentionHeads = 16;
    static_cast<SiglipEncoderConfig &>(c.siglip.vision) = so400m;
    static_cast<SiglipEncoderConfig &>(c.siglip.text) = so400m;
    c.siglip.vision.imageSize = 512;
    c.siglip.vision.patchSize = 16;
    c.siglip.text.vocabSize = 256000;
    c.siglip.text.maxPositionEmbeddings = 64;
    // Gemma's id layout (tests/data/golden/rsrefseg2/README.md §7).
    c.siglip.text.padTokenId = 0;
    c.siglip.text.eosTokenId = 1;
    c.siglip.text.bosTokenId = 2;
    c.lora.targets = {
        {"backbone.model.image_encoder", R"(^(trunk\.blocks\.\d+\.attn\.(qkv|proj)|neck\.convs\.\d+\.conv)$)"},
        {"clip_vision_encoder", R"(^(model\.head\.(attention\.out_proj|mlp\.fc[12])|model\.encoder\.layers\.\d+\.self_attn\.(k_proj|v_proj|q_proj|out_proj))$)"},
        {"clip_text_encoder", R"(^(model\.head|model\.encoder\.layers\.\d+\.self_attn\.(k_proj|v_proj|q_proj|out_proj))$)"}};
    return c;
}

RSRefSeg2Config RSRefSeg2Config::fromJson(const nlohmann::json &json, const std::string &source)
{
    if (!json.is_object())
        throw Error(source + ": the RSRefSeg 2 configuration is not a JSON object");
    RSRefSeg2Config c;
    c.imageSize = field<int64_t>(json, "sam2_image_size", source, "");
    c.backboneStride = field<int64_t>(json, "sam2_backbone_stride", source, "");

    const auto h = object(json, "hiera", source, "");
    c.hiera.embedDim = field<int64_t>(h, "embed_dim", source, "hiera.");
    c.hiera.numHeads = field<int64_t>(h, "num_heads", source, "hiera.");
    c.hiera.stages = field<std::vector<int64_t>>(h, "stages", source, "hiera.");
    c.hiera.globalAttBlocks = field<std::vector<int64_t>>(h, "global_att_blocks", source, "hiera.");
    c.hiera.windowPosEmbedBkgSpatialSize =
        field<std::array<int64_t, 2>>(h, "window_pos_embed_bkg_spatial_size", source, "hiera.");
    c.hiera.windowSpec = field<std::vector<int64_t>>(h, "window_spec", source, "hiera.");
    c.hiera.qPool = field<int64_t>(h, "q_pool", source, "hiera.");
    c.hiera.qStride = field<std::array<int64_t, 2>>(h, "q_stride", source, "hiera.");
    c.hiera.dimMul = field<double>(h, "dim_mul", source, "hiera.");
    c.hiera.headMul = field<double>(h, "head_mul", source, "hiera.");
    c.hiera.mlpRatio = field<double>(h, "mlp_ratio", source, "hiera.");
    const auto pe = object(h, "patch_embed", source, "hiera.");
    c.hiera.patchKernel = field<int64_t>(pe, "kernel", source, "hiera.patch_embed.");
    c.hiera.patchStride = field<int64_t>(pe, "stride", source, "hiera.patch_embed.");
    c.hiera.patchPadding = field<int64_t>(pe, "padding", source, "hiera.patch_embed.");
    c.hiera.normEps = field<double>(h, "norm_eps", source, "hiera.");

    const auto n = object(json, "neck", source, "");
    c.neck.dModel = field<int64_t>(n, "d_model", source, "neck.");
    c.neck.backboneChannelList = field<std::vector<int64_t>>(n, "backbone_channel_list", source, "neck.");
    c.neck.fpnTopDownLevels = field<std::vector<int64_t>>(n, "fpn_top_down_levels", source, "neck.");
    c.neck.interpolation = field<std::string>(n, "fpn_interp_model", source, "neck.");
    c.neck.fuseType = field<std::string>(n, "fuse_type", source, "neck.");
    c.neck.scalp = field<int64_t>(n, "scalp", source, "neck.");
    c.neck.kernelSize = field<int64_t>(n, "kernel_size", source, "neck.");

    const auto s = object(json, "sam_heads", source, "");
    const std::string sp = "sam_heads.";
    c.heads.maskInChans = field<int64_t>(s, "mask_in_chans", source, sp);
    c.heads.numMultimaskOutputs = field<int64_t>(s, "num_multimask_outputs", source, sp);
    c.heads.transformerDepth = field<int64_t>(s, "transformer_depth", source, sp);
    c.heads.transformerMlpDim = field<int64_t>(s, "transformer_mlp_dim", source, sp);
    c.heads.transformerHeads = field<int64_t>(s, "transformer_heads", source, sp);
    c.heads.attentionDownsampleRate = field<int64_t>(s, "attention_downsample_rate", source, sp);
    c.heads.iouHeadDepth = field<int64_t>(s, "iou_head_depth", source, sp);
    c.heads.iouHeadHiddenDim = field<int64_t>(s, "iou_head_hidden_dim", source, sp);
    c.heads.useHighResFeatures = field<bool>(s, "use_high_res_features", source, sp);
    c.heads.iouPredictionUseSigmoid = field<bool>(s, "iou_prediction_use_sigmoid", source, sp);
    c.heads.predObjScores = field<bool>(s, "pred_obj_scores", source, sp);
    c.heads.predObjScoresMlp = field<bool>(s, "pred_obj_scores_mlp", source, sp);
    c.heads.useMultimaskTokenForObjPtr = field<bool>(s, "use_multimask_token_for_obj_ptr", source, sp);
    c.heads.dynamicMultimaskViaStability = field<bool>(s, "dynamic_multimask_via_stability", source, sp);
    c.heads.stabilityDelta = field<double>(s, "dynamic_multimask_stability_delta", source, sp);
    c.heads.stabilityThresh = field<double>(s, "dynamic_multimask_stability_thresh", source, sp);
    c.heads.directlyAddNoMemEmbed = field<bool>(s, "directly_add_no_mem_embed", source, sp);

    const auto sg = object(json, "siglip", source, "");
    const auto vj = object(sg, "vision", source, "siglip.");
    const auto tj = object(sg, "text", source, "siglip.");
    static_cast<SiglipEncoderConfig &>(c.siglip.vision) = encoderFrom(vj, source, "siglip.vision.");
    static_cast<SiglipEncoderConfig &>(c.siglip.text) = encoderFrom(tj, source, "siglip.text.");
    c.siglip.vision.imageSize = field<int64_t>(vj, "image_size", source, "siglip.vision.");
    c.siglip.vision.patchSize = field<int64_t>(vj, "patch_size", source, "siglip.vision.");
    c.siglip.text.vocabSize = field<int64_t>(tj, "vocab_size", source, "siglip.text.");
    c.siglip.text.maxPositionEmbeddings = field<int64_t>(tj, "max_position_embeddings", source, "siglip.text.");
    c.siglip.text.padTokenId = 0;
    c.siglip.text.eosTokenId = 1;
    c.siglip.text.bosTokenId = 2;
    const auto proc = object(sg, "processor", source, "siglip.");
    c.siglipMean = field<std::array<double, 3>>(proc, "image_mean", source, "siglip.processor.");
    c.siglipStd = field<std::array<double, 3>>(proc, "image_std", source, "siglip.processor.");
    const auto size = object(proc, "size", source, "siglip.processor.");
    const int64_t height = field<int64_t>(size, "height", source, "siglip.processor.size.");
    const int64_t width = field<int64_t>(size, "width", source, "siglip.processor.size.");
    if (height != width || height != c.siglip.vision.imageSize)
        throw Error(source + ": siglip.processor.size (" + std::to_string(height) + " x " + std::to_string(width) +
                    ") must be square and equal siglip.vision.image_size (" +
                    std::to_string(c.siglip.vision.imageSize) + ")");

    const auto p = object(json, "prompter", source, "");
    const std::string pp = "prompter.";
    c.prompter.numTextQueries = field<int64_t>(p, "num_text_queries", source, pp);
    c.prompter.textFeatDim = field<int64_t>(p, "text_feat_dim", source, pp);
    c.prompter.imgFeatDim = field<int64_t>(p, "img_feat_dim", source, pp);
    c.prompter.promptFeatDim = field<int64_t>(p, "prompt_feat_dim", source, pp);
    c.prompter.numHeads = field<int64_t>(p, "num_heads", source, pp);
    c.prompter.internalDim = field<int64_t>(p, "internal_dim", source, pp);
    c.prompter.mlpDim = field<int64_t>(p, "mlp_dim", source, pp);
    c.prompter.numPrompts = field<int64_t>(p, "num_prompts", source, pp);
    c.prompter.imgpeSize = field<int64_t>(p, "imgpe_size", source, pp);
    c.prompter.layerNormEps = field<double>(p, "layer_norm_eps", source, pp);
    c.prompter.bnEps = field<double>(p, "bn_eps", source, pp);
    if (p.contains("orders")) {
        const auto o = object(p, "orders", source, pp);
        c.prompter.twoQueryOrder = field<std::vector<std::string>>(o, "two", source, "prompter.orders.");
        c.prompter.query1Order = field<std::vector<std::string>>(o, "q1", source, "prompter.orders.");
        c.prompter.query2Order = field<std::vector<std::string>>(o, "q2", source, "prompter.orders.");
    }

    const auto l = object(json, "lora", source, "");
    c.lora.r = field<int64_t>(l, "r", source, "lora.");
    c.lora.alpha = field<double>(l, "lora_alpha", source, "lora.");
    c.lora.dropout = field<double>(l, "lora_dropout", source, "lora.");
    c.lora.targets = field<std::map<std::string, std::string>>(l, "targets", source, "lora.");

    if (json.contains("preprocess")) {
        const auto pre = object(json, "preprocess", source, "");
        c.samMean = field<std::array<double, 3>>(pre, "sam_mean", source, "preprocess.");
        c.samStd = field<std::array<double, 3>>(pre, "sam_std", source, "preprocess.");
    }
    if (json.contains("mask_threshold"))
        c.maskThreshold = field<double>(json, "mask_threshold", source, "");
    c.validate(source);
    return c;
}

RSRefSeg2Config RSRefSeg2Config::fromFile(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw Error(path + ": cannot open the RSRefSeg 2 configuration");
    nlohmann::json j;
    try {
        in >> j;
    } catch (const nlohmann::json::exception &e) {
        throw Error(path + ": not valid JSON (" + e.what() + ")");
    }
    return fromJson(j, path);
}

nlohmann::json RSRefSeg2Config::toJson() const
{
    nlohmann::json vision = encoderJson(siglip.vision);
    vision["image_size"] = siglip.vision.imageSize;
    vision["patch_size"] = siglip.vision.patchSize;
    nlohmann::json text = encoderJson(siglip.text);
    text["vocab_size"] = siglip.text.vocabSize;
    text["max_position_embeddings"] = siglip.text.maxPositionEmbeddings;
    return {
        {"sam2_image_size", imageSize},
        {"sam2_backbone_stride", backboneStride},
        {"hiera",
         {{"embed_dim", hiera.embedDim},
          {"num_heads", hiera.numHeads},
          {"stages", hiera.stages},
          {"global_att_blocks", hiera.globalAttBlocks},
          {"window_pos_embed_bkg_spatial_size", hiera.windowPosEmbedBkgSpatialSize},
          {"window_spec", hiera.windowSpec},
          {"q_pool", hiera.qPool},
          {"q_stride", hiera.qStride},
          {"dim_mul", hiera.dimMul},
          {"head_mul", hiera.headMul},
          {"mlp_ratio", hiera.mlpRatio},
          {"patch_embed", {{"kernel", hiera.patchKernel}, {"stride", hiera.patchStride}, {"padding", hiera.patchPadding}}},
          {"norm_eps", hiera.normEps}}},
        {"neck",
         {{"d_model", neck.dModel},
          {"backbone_channel_list", neck.backboneChannelList},
          {"fpn_top_down_levels", neck.fpnTopDownLevels},
          {"fpn_interp_model", neck.interpolation},
          {"fuse_type", neck.fuseType},
          {"scalp", neck.scalp},
          {"kernel_size", neck.kernelSize}}},
        {"sam_heads",
         {{"mask_in_chans", heads.maskInChans},
          {"num_multimask_outputs", heads.numMultimaskOutputs},
          {"transformer_depth", heads.transformerDepth},
          {"transformer_mlp_dim", heads.transformerMlpDim},
          {"transformer_heads", heads.transformerHeads},
          {"attention_downsample_rate", heads.attentionDownsampleRate},
          {"iou_head_depth", heads.iouHeadDepth},
          {"iou_head_hidden_dim", heads.iouHeadHiddenDim},
          {"use_high_res_features", heads.useHighResFeatures},
          {"iou_prediction_use_sigmoid", heads.iouPredictionUseSigmoid},
          {"pred_obj_scores", heads.predObjScores},
          {"pred_obj_scores_mlp", heads.predObjScoresMlp},
          {"use_multimask_token_for_obj_ptr", heads.useMultimaskTokenForObjPtr},
          {"dynamic_multimask_via_stability", heads.dynamicMultimaskViaStability},
          {"dynamic_multimask_stability_delta", heads.stabilityDelta},
          {"dynamic_multimask_stability_thresh", heads.stabilityThresh},
          {"directly_add_no_mem_embed", heads.directlyAddNoMemEmbed}}},
        {"siglip",
         {{"model_type", "siglip"},
          {"vision", vision},
          {"text", text},
          {"processor",
           {{"image_mean", siglipMean},
            {"image_std", siglipStd},
            {"size", {{"height", siglip.vision.imageSize}, {"width", siglip.vision.imageSize}}}}}}},
        {"prompter",
         {{"num_text_queries", prompter.numTextQueries},
          {"text_feat_dim", prompter.textFeatDim},
          {"img_feat_dim", prompter.imgFeatDim},
          {"prompt_feat_dim", prompter.promptFeatDim},
          {"num_heads", prompter.numHeads},
          {"internal_dim", prompter.internalDim},
          {"mlp_dim", prompter.mlpDim},
          {"num_prompts", prompter.numPrompts},
          {"imgpe_size", prompter.imgpeSize},
          {"orders", {{"two", prompter.twoQueryOrder}, {"q1", prompter.query1Order}, {"q2", prompter.query2Order}}},
          {"layer_norm_eps", prompter.layerNormEps},
          {"bn_eps", prompter.bnEps}}},
        {"lora", {{"r", lora.r}, {"lora_alpha", lora.alpha}, {"lora_dropout", lora.dropout}, {"targets", lora.targets}}},
        {"preprocess", {{"sam_mean", samMean}, {"sam_std", samStd}}},
        {"mask_threshold", maskThreshold}};
}

void RSRefSeg2Config::validate(const std::string &source) const
{
    requirePositive(imageSize, source, "sam2_image_size");
    requirePositive(backboneStride, source, "sam2_backbone_stride");
    if (imageSize % backboneStride != 0)
        throw Error(source + ": sam2_image_size must be a multiple of sam2_backbone_stride");
    requirePositive(hiera.embedDim, source, "hiera.embed_dim");
    requirePositive(hiera.numHeads, source, "hiera.num_heads");
    if (hiera.stages.size() != 4 || hiera.windowSpec.size() != hiera.stages.size())
        throw Error(source + ": hiera.stages and hiera.window_spec must have 4 entries each");
    for (int64_t s : hiera.stages)
        requirePositive(s, source, "hiera.stages");
    for (int64_t w : hiera.windowSpec)
        if (w < 0)
            throw Error(source + ": hiera.window_spec must not be negative");
    for (int64_t g : hiera.globalAttBlocks)
        if (g < 0 || g >= hiera.numBlocks())
            throw Error(source + ": hiera.global_att_blocks names block " + std::to_string(g) + " of " +
                        std::to_string(hiera.numBlocks()));
    if (hiera.qPool < 0 || hiera.qPool >= static_cast<int64_t>(hiera.stages.size()))
        throw Error(source + ": hiera.q_pool must be between 0 and 3");
    std::vector<int64_t> channels = hiera.stageChannels();
    if (neck.backboneChannelList != std::vector<int64_t>(channels.rbegin(), channels.rend()))
        throw Error(source + ": neck.backbone_channel_list must be the Hiera stage channels, lowest resolution first");
    requirePositive(neck.dModel, source, "neck.d_model");
    if (neck.interpolation != "nearest" || neck.fuseType != "sum" || neck.kernelSize != 1)
        throw Error(source + ": only the nearest / sum / 1x1 FPN neck of SAM 2.1 is supported");
    if (neck.scalp != 1 || !heads.useHighResFeatures)
        throw Error(source + ": only scalp 1 with high-resolution features (SAM 2.1) is supported");
    if (siglip.vision.hiddenSize != siglip.text.hiddenSize)
        throw Error(source + ": SigLIP vision and text hidden sizes differ");
    if (prompter.textFeatDim != siglip.text.hiddenSize || prompter.imgFeatDim != siglip.vision.hiddenSize)
        throw Error(source + ": prompter.text_feat_dim / img_feat_dim must equal the SigLIP hidden size (" +
                    std::to_string(siglip.text.hiddenSize) + ")");
    if (prompter.promptFeatDim != neck.dModel)
        throw Error(source + ": prompter.prompt_feat_dim must equal neck.d_model (" + std::to_string(neck.dModel) + ")");
    if (prompter.imgpeSize != siglipGrid())
        throw Error(source + ": prompter.imgpe_size must equal the SigLIP grid (" + std::to_string(siglipGrid()) + ")");
    if (prompter.internalDim % prompter.numHeads != 0)
        throw Error(source + ": prompter.internal_dim must be a multiple of prompter.num_heads");
    requirePositive(lora.r, source, "lora.r");
    for (double s : samStd)
        if (!(s > 0.0))
            throw Error(source + ": preprocess.sam_std must be positive");
    for (double s : siglipStd)
        if (!(s > 0.0))
            throw Error(source + ": siglip.processor.image_std must be positive");
    if (!(maskThreshold > 0.0 && maskThreshold < 1.0))
        throw Error(source + ": mask_threshold must be between 0 and 1");
}

} // namespace rsrefseg
