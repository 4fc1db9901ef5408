#include "model/sam/samconfig.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>

namespace rsrefseg {

namespace {

// Typed readers: a present key must have the right JSON type (null counts as absent, as
// Python's `None` default would), an absent key keeps the default already in `value`.
class Reader
{
  public:
    Reader(const nlohmann::json &object, std::string source, std::string prefix)
        : mObject(object)
        , mSource(std::move(source))
        , mPrefix(std::move(prefix))
    {
    }

    bool has(const char *key) const { return mObject.contains(key) && !mObject.at(key).is_null(); }

    void read(const char *key, int64_t &value) const
    {
        if (!has(key))
            return;
        const auto &v = mObject.at(key);
        if (v.is_number_integer()) {
            value = v.get<int64_t>();
        } else if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() &&
                   std::fabs(v.get<double>()) < 9.0e18) {
            // Python would accept 16.0 where an int is expected only by accident; be lenient.
            // (The range check keeps the conversion defined: fuzz_bundlemanifest sent 1.3e125.)
            value = static_cast<int64_t>(v.get<double>());
        } else {
            fail(key, "an integer");
        }
    }
    void read(const char *key, double &value) const
    {
        if (!has(key))
            return;
        const auto &v = mObject.at(key);
        if (!v.is_number())
            fail(key, "a number");
        value = v.get<double>();
    }
    void read(const char *key, bool &value) const
    {
        if (!has(key))
            return;
        const auto &v = mObject.at(key);
        if (!v.is_boolean())
            fail(key, "true or false");
        value = v.get<bool>();
    }
    void read(const char *key, std::string &value) const
    {
        if (!has(key))
            return;
        const auto &v = mObject.at(key);
        if (!v.is_string())
            fail(key, "a string");
        value = v.get<std::string>();
    }
    void read(const char *key, std::vector<int64_t> &value) const
    {
        if (!has(key))
            return;
        const auto &v = mObject.at(key);
        if (!v.is_array())
            fail(key, "a list of integers");
        std::vector<int64_t> out;
        for (const auto &item : v) {
            if (!item.is_number_integer())
                fail(key, "a list of integers");
            out.push_back(item.get<int64_t>());
        }
        value = out;
    }

    [[noreturn]] void fail(const char *key, const char *what) const
    {
        throw Error(mSource + ": field '" + mPrefix + key + "' must be " + what);
    }

  private:
    const nlohmann::json &mObject;
    std::string mSource;
    std::string mPrefix;
};

const nlohmann::json &subObject(const nlohmann::json &json, const char *key, const std::string &source)
{
    static const nlohmann::json empty = nlohmann::json::object();
    if (!json.contains(key) || json.at(key).is_null())
        return empty;
    if (!json.at(key).is_object())
        throw Error(source + ": field '" + key + "' must be an object");
    return json.at(key);
}

void requirePositive(int64_t value, const std::string &source, const std::string &field)
{
    if (value <= 0)
        throw Error(source + ": field '" + field + "' must be positive, got " + std::to_string(value));
}

void requireDivisible(int64_t value, int64_t by, const std::string &source, const std::string &field,
                      const std::string &byText)
{
    if (by <= 0 || value % by != 0)
        throw Error(source + ": field '" + field + "' (" + std::to_string(value) + ") must be divisible by " +
                    byText + " (" + std::to_string(by) + ")");
}

} // namespace

SamActivation samActivationFromName(const std::string &name, const std::string &field)
{
    if (name == "gelu")
        return SamActivation::GeluErf;
    if (name == "gelu_pytorch_tanh" || name == "gelu_new")
        return SamActivation::GeluTanh;
    if (name == "relu")
        return SamActivation::Relu;
    throw Error(field + ": unsupported activation '" + name + "' (expected gelu, gelu_pytorch_tanh, gelu_new or relu)");
}

int64_t SamVisionConfig::layerWindowSize(int64_t layer) const
{
    const bool global = std::find(globalAttnIndexes.begin(), globalAttnIndexes.end(), layer) != globalAttnIndexes.end();
    return global ? 0 : windowSize;
}

SamConfig SamConfig::fromJson(const nlohmann::json &json, const std::string &source)
{
    if (!json.is_object())
        throw Error(source + ": a SAM config must be a JSON object");
    SamConfig c;
    Reader(json, source, "").read("initializer_range", c.initializerRange);

    {
        const Reader r(subObject(json, "vision_config", source), source, "vision_config.");
        SamVisionConfig &v = c.vision;
        r.read("hidden_size", v.hiddenSize);
        r.read("output_channels", v.outputChannels);
        r.read("num_hidden_layers", v.numHiddenLayers);
        r.read("num_attention_heads", v.numAttentionHeads);
        r.read("num_channels", v.numChannels);
        r.read("image_size", v.imageSize);
        r.read("patch_size", v.patchSize);
        r.read("hidden_act", v.hiddenAct);
        r.read("layer_norm_eps", v.layerNormEps);
        r.read("attention_dropout", v.attentionDropout);
        r.read("qkv_bias", v.qkvBias);
        r.read("mlp_ratio", v.mlpRatio);
        r.read("use_abs_pos", v.useAbsPos);
        r.read("use_rel_pos", v.useRelPos);
        r.read("window_size", v.windowSize);
        r.read("global_attn_indexes", v.globalAttnIndexes);
        r.read("num_pos_feats", v.numPosFeats);
        // SamVisionConfig: mlp_dim = int(hidden_size * mlp_ratio) if mlp_dim is None.
        if (r.has("mlp_dim"))
            r.read("mlp_dim", v.mlpDim);
        else
            v.mlpDim = static_cast<int64_t>(static_cast<double>(v.hiddenSize) * v.mlpRatio);
    }
    {
        const Reader r(subObject(json, "prompt_encoder_config", source), source, "prompt_encoder_config.");
        SamPromptEncoderConfig &p = c.promptEncoder;
        r.read("hidden_size", p.hiddenSize);
        r.read("image_size", p.imageSize);
        r.read("patch_size", p.patchSize);
        r.read("mask_input_channels", p.maskInputChannels);
        r.read("num_point_embeddings", p.numPointEmbeddings);
        r.read("hidden_act", p.hiddenAct);
        r.read("layer_norm_eps", p.layerNormEps);
    }
    {
        const Reader r(subObject(json, "mask_decoder_config", source), source, "mask_decoder_config.");
        SamMaskDecoderConfig &m = c.maskDecoder;
        r.read("hidden_size", m.hiddenSize);
        r.read("hidden_act", m.hiddenAct);
        r.read("mlp_dim", m.mlpDim);
        r.read("num_hidden_layers", m.numHiddenLayers);
        r.read("num_attention_heads", m.numAttentionHeads);
        r.read("attention_downsample_rate", m.attentionDownsampleRate);
        r.read("num_multimask_outputs", m.numMultimaskOutputs);
        r.read("iou_head_depth", m.iouHeadDepth);
        r.read("iou_head_hidden_dim", m.iouHeadHiddenDim);
        r.read("layer_norm_eps", m.layerNormEps);
    }
    c.validate(source);
    return c;
}

SamConfig SamConfig::fromFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open the SAM config");
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception &e) {
        throw Error(path + ": not valid JSON (" + e.what() + ")");
    }
    return fromJson(json, path);
}

SamConfig SamConfig::samVitBase()
{
    return SamConfig();
}

nlohmann::json SamConfig::toJson() const
{
    nlohmann::json j;
    j["model_type"] = "sam";
    j["architectures"] = {"SamModel"};
    j["initializer_range"] = initializerRange;
    j["vision_config"] = {
        {"hidden_size", vision.hiddenSize},
        {"output_channels", vision.outputChannels},
        {"num_hidden_layers", vision.numHiddenLayers},
        {"num_attention_heads", vision.numAttentionHeads},
        {"num_channels", vision.numChannels},
        {"image_size", vision.imageSize},
        {"patch_size", vision.patchSize},
        {"hidden_act", vision.hiddenAct},
        {"layer_norm_eps", vision.layerNormEps},
        {"attention_dropout", vision.attentionDropout},
        {"qkv_bias", vision.qkvBias},
        {"mlp_ratio", vision.mlpRatio},
        {"use_abs_pos", vision.useAbsPos},
        {"use_rel_pos", vision.useRelPos},
        {"window_size", vision.windowSize},
        {"global_attn_indexes", vision.globalAttnIndexes},
        {"num_pos_feats", vision.numPosFeats},
        {"mlp_dim", vision.mlpDim},
    };
    j["prompt_encoder_config"] = {
        {"hidden_size", promptEncoder.hiddenSize},
        {"image_size", promptEncoder.imageSize},
        {"patch_size", promptEncoder.patchSize},
        {"image_embedding_size", promptEncoder.imageEmbeddingSize()},
        {"mask_input_channels", promptEncoder.maskInputChannels},
        {"num_point_embeddings", promptEncoder.numPointEmbeddings},
        {"hidden_act", promptEncoder.hiddenAct},
        {"layer_norm_eps", promptEncoder.layerNormEps},
    };
    j["mask_decoder_config"] = {
        {"hidden_size", maskDecoder.hiddenSize},
        {"hidden_act", maskDecoder.hiddenAct},
        {"mlp_dim", maskDecoder.mlpDim},
        {"num_hidden_layers", maskDecoder.numHiddenLayers},
        {"num_attention_heads", maskDecoder.numAttentionHeads},
        {"attention_downsample_rate", maskDecoder.attentionDownsampleRate},
        {"num_multimask_outputs", maskDecoder.numMultimaskOutputs},
        {"iou_head_depth", maskDecoder.iouHeadDepth},
        {"iou_head_hidden_dim", maskDecoder.iouHeadHiddenDim},
        {"layer_norm_eps", maskDecoder.layerNormEps},
    };
    return j;
}

void SamConfig::validate(const std::string &source) const
{
    const SamVisionConfig &v = vision;
    requirePositive(v.hiddenSize, source, "vision_config.hidden_size");
    requirePositive(v.outputChannels, source, "vision_config.output_channels");
    requirePositive(v.numHiddenLayers, source, "vision_config.num_hidden_layers");
    requirePositive(v.numAttentionHeads, source, "vision_config.num_attention_heads");
    requirePositive(v.numChannels, source, "vision_config.num_channels");
    requirePositive(v.patchSize, source, "vision_config.patch_size");
    requirePositive(v.mlpDim, source, "vision_config.mlp_dim");
    requirePositive(v.numPosFeats, source, "vision_config.num_pos_feats");
    requireDivisible(v.hiddenSize, v.numAttentionHeads, source, "vision_config.hidden_size", "num_attention_heads");
    requireDivisible(v.imageSize, v.patchSize, source, "vision_config.image_size", "patch_size");
    if (v.windowSize < 0)
        throw Error(source + ": field 'vision_config.window_size' must not be negative");
    samActivationFromName(v.hiddenAct, source + ": vision_config.hidden_act");

    const SamPromptEncoderConfig &p = promptEncoder;
    requirePositive(p.hiddenSize, source, "prompt_encoder_config.hidden_size");
    requirePositive(p.patchSize, source, "prompt_encoder_config.patch_size");
    requirePositive(p.numPointEmbeddings, source, "prompt_encoder_config.num_point_embeddings");
    requireDivisible(p.imageSize, p.patchSize, source, "prompt_encoder_config.image_size", "patch_size");
    // SamMaskEmbedding's first conv has mask_input_channels // 4 outputs.
    requireDivisible(p.maskInputChannels, 4, source, "prompt_encoder_config.mask_input_channels", "4");
    requirePositive(p.maskInputChannels, source, "prompt_encoder_config.mask_input_channels");
    if (p.numPointEmbeddings < 4)
        throw Error(source + ": field 'prompt_encoder_config.num_point_embeddings' must be at least 4 "
                             "(positive/negative point, two box corners)");
    samActivationFromName(p.hiddenAct, source + ": prompt_encoder_config.hidden_act");

    const SamMaskDecoderConfig &m = maskDecoder;
    requirePositive(m.hiddenSize, source, "mask_decoder_config.hidden_size");
    requirePositive(m.numHiddenLayers, source, "mask_decoder_config.num_hidden_layers");
    requirePositive(m.numAttentionHeads, source, "mask_decoder_config.num_attention_heads");
    requirePositive(m.attentionDownsampleRate, source, "mask_decoder_config.attention_downsample_rate");
    requirePositive(m.numMultimaskOutputs, source, "mask_decoder_config.num_multimask_outputs");
    requirePositive(m.mlpDim, source, "mask_decoder_config.mlp_dim");
    requirePositive(m.iouHeadHiddenDim, source, "mask_decoder_config.iou_head_hidden_dim");
    if (m.iouHeadDepth < 2)
        throw Error(source + ": field 'mask_decoder_config.iou_head_depth' must be at least 2");
    requireDivisible(m.hiddenSize, m.numAttentionHeads, source, "mask_decoder_config.hidden_size",
                     "num_attention_heads");
    requireDivisible(m.hiddenSize / m.attentionDownsampleRate, m.numAttentionHeads, source,
                     "mask_decoder_config.hidden_size / attention_downsample_rate", "num_attention_heads");
    // The upscaler goes to hidden/4 then hidden/8 channels.
    requireDivisible(m.hiddenSize, 8, source, "mask_decoder_config.hidden_size", "8");
    samActivationFromName(m.hiddenAct, source + ": mask_decoder_config.hidden_act");

    // The pieces meet: neck output + dense prompt feed the decoder, the image positional
    // embedding (2 * num_pos_feats channels) is added to the decoder's keys.
    if (v.outputChannels != m.hiddenSize)
        throw Error(source + ": vision_config.output_channels (" + std::to_string(v.outputChannels) +
                    ") must equal mask_decoder_config.hidden_size (" + std::to_string(m.hiddenSize) + ")");
    if (p.hiddenSize != m.hiddenSize)
        throw Error(source + ": prompt_encoder_config.hidden_size (" + std::to_string(p.hiddenSize) +
                    ") must equal mask_decoder_config.hidden_size (" + std::to_string(m.hiddenSize) + ")");
    if (2 * v.numPosFeats != p.hiddenSize)
        throw Error(source + ": 2 * vision_config.num_pos_feats (" + std::to_string(2 * v.numPosFeats) +
                    ") must equal prompt_encoder_config.hidden_size (" + std::to_string(p.hiddenSize) + ")");
    if (p.imageEmbeddingSize() != v.gridSize())
        throw Error(source + ": prompt_encoder_config image_size / patch_size (" +
                    std::to_string(p.imageEmbeddingSize()) + ") must equal the vision grid (" +
                    std::to_string(v.gridSize()) + ")");
}

bool SamConfig::operator==(const SamConfig &o) const
{
    const SamVisionConfig &a = vision, &b = o.vision;
    const bool visionEqual = a.hiddenSize == b.hiddenSize && a.outputChannels == b.outputChannels &&
        a.numHiddenLayers == b.numHiddenLayers && a.numAttentionHeads == b.numAttentionHeads &&
        a.numChannels == b.numChannels && a.imageSize == b.imageSize && a.patchSize == b.patchSize &&
        a.hiddenAct == b.hiddenAct && a.layerNormEps == b.layerNormEps && a.attentionDropout == b.attentionDropout &&
        a.qkvBias == b.qkvBias && a.mlpRatio == b.mlpRatio && a.useAbsPos == b.useAbsPos &&
        a.useRelPos == b.useRelPos && a.windowSize == b.windowSize && a.globalAttnIndexes == b.globalAttnIndexes &&
        a.numPosFeats == b.numPosFeats && a.mlpDim == b.mlpDim;
    const SamPromptEncoderConfig &p = promptEncoder, &q = o.promptEncoder;
    const bool promptEqual = p.hiddenSize == q.hiddenSize && p.imageSize == q.imageSize &&
        p.patchSize == q.patchSize && p.maskInputChannels == q.maskInputChannels &&
        p.numPointEmbeddings == q.numPointEmbeddings && p.hiddenAct == q.hiddenAct && p.layerNormEps == q.layerNormEps;
    const SamMaskDecoderConfig &m = maskDecoder, &n = o.maskDecoder;
    const bool decoderEqual = m.hiddenSize == n.hiddenSize && m.hiddenAct == n.hiddenAct && m.mlpDim == n.mlpDim &&
        m.numHiddenLayers == n.numHiddenLayers && m.numAttentionHeads == n.numAttentionHeads &&
        m.attentionDownsampleRate == n.attentionDownsampleRate && m.numMultimaskOutputs == n.numMultimaskOutputs &&
        m.iouHeadDepth == n.iouHeadDepth && m.iouHeadHiddenDim == n.iouHeadHiddenDim &&
        m.layerNormEps == n.layerNormEps;
    return visionEqual && promptEqual && decoderEqual && initializerRange == o.initializerRange;
}

} // namespace rsrefseg
