#include "model/siglip/siglipconfig.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

namespace rsrefseg {

namespace {

using nlohmann::json;

std::string fieldName(const std::string &where, const std::string &key)
{
    return where.empty() ? key : where + "." + key;
}

int64_t readInt(const json &obj, const std::string &key, int64_t fallback, const std::string &source,
                const std::string &where)
{
    const auto it = obj.find(key);
    if (it == obj.end())
        return fallback;
    if (!it->is_number_integer())
        throw Error(source + ": field '" + fieldName(where, key) + "' must be an integer, got " + it->dump());
    return it->get<int64_t>();
}

std::optional<int64_t> readOptionalInt(const json &obj, const std::string &key, std::optional<int64_t> fallback,
                                       const std::string &source, const std::string &where)
{
    const auto it = obj.find(key);
    if (it == obj.end())
        return fallback;
    if (it->is_null())
        return std::nullopt;
    return readInt(obj, key, 0, source, where);
}

double readDouble(const json &obj, const std::string &key, double fallback, const std::string &source,
                  const std::string &where)
{
    const auto it = obj.find(key);
    if (it == obj.end())
        return fallback;
    if (!it->is_number())
        throw Error(source + ": field '" + fieldName(where, key) + "' must be a number, got " + it->dump());
    return it->get<double>();
}

std::string readString(const json &obj, const std::string &key, const std::string &fallback, const std::string &source,
                       const std::string &where)
{
    const auto it = obj.find(key);
    if (it == obj.end())
        return fallback;
    if (!it->is_string())
        throw Error(source + ": field '" + fieldName(where, key) + "' must be a string, got " + it->dump());
    return it->get<std::string>();
}

bool readBool(const json &obj, const std::string &key, bool fallback, const std::string &source,
              const std::string &where)
{
    const auto it = obj.find(key);
    if (it == obj.end())
        return fallback;
    if (!it->is_boolean())
        throw Error(source + ": field '" + fieldName(where, key) + "' must be true or false, got " + it->dump());
    return it->get<bool>();
}

void requirePositive(int64_t value, const std::string &source, const std::string &field)
{
    if (value <= 0)
        throw Error(source + ": field '" + field + "' must be positive, got " + std::to_string(value));
}

// The activations SigLIP checkpoints use (ACT2FN names); anything else is refused up front
// rather than at the first forward pass.
bool isSupportedActivation(const std::string &name)
{
    return name == "gelu_pytorch_tanh" || name == "gelu" || name == "gelu_new" || name == "quick_gelu" ||
           name == "relu";
}

void readEncoder(SiglipEncoderConfig &cfg, const json &obj, const std::string &source, const std::string &where)
{
    cfg.hiddenSize = readInt(obj, "hidden_size", cfg.hiddenSize, source, where);
    cfg.intermediateSize = readInt(obj, "intermediate_size", cfg.intermediateSize, source, where);
    cfg.numHiddenLayers = readInt(obj, "num_hidden_layers", cfg.numHiddenLayers, source, where);
    cfg.numAttentionHeads = readInt(obj, "num_attention_heads", cfg.numAttentionHeads, source, where);
    cfg.hiddenAct = readString(obj, "hidden_act", cfg.hiddenAct, source, where);
    cfg.layerNormEps = readDouble(obj, "layer_norm_eps", cfg.layerNormEps, source, where);
    cfg.attentionDropout = readDouble(obj, "attention_dropout", cfg.attentionDropout, source, where);

    requirePositive(cfg.hiddenSize, source, fieldName(where, "hidden_size"));
    requirePositive(cfg.intermediateSize, source, fieldName(where, "intermediate_size"));
    requirePositive(cfg.numAttentionHeads, source, fieldName(where, "num_attention_heads"));
    if (cfg.numHiddenLayers < 0)
        throw Error(source + ": field '" + fieldName(where, "num_hidden_layers") + "' must not be negative");
    if (cfg.hiddenSize % cfg.numAttentionHeads != 0)
        throw Error(source + ": '" + fieldName(where, "hidden_size") + "' (" + std::to_string(cfg.hiddenSize) +
                    ") is not divisible by '" + fieldName(where, "num_attention_heads") + "' (" +
                    std::to_string(cfg.numAttentionHeads) + ")");
    if (!isSupportedActivation(cfg.hiddenAct))
        throw Error(source + ": field '" + fieldName(where, "hidden_act") + "' has unsupported activation '" +
                    cfg.hiddenAct + "'");
    if (!(cfg.layerNormEps > 0.0))
        throw Error(source + ": field '" + fieldName(where, "layer_norm_eps") + "' must be positive");
    if (cfg.attentionDropout < 0.0 || cfg.attentionDropout >= 1.0)
        throw Error(source + ": field '" + fieldName(where, "attention_dropout") + "' must be in [0, 1)");
}

SiglipVisionConfig readVision(const json &obj, const std::string &source, const std::string &where)
{
    if (!obj.is_object())
        throw Error(source + ": '" + where + "' must be an object");
    SiglipVisionConfig cfg;
    readEncoder(cfg, obj, source, where);
    cfg.numChannels = readInt(obj, "num_channels", cfg.numChannels, source, where);
    cfg.imageSize = readInt(obj, "image_size", cfg.imageSize, source, where);
    cfg.patchSize = readInt(obj, "patch_size", cfg.patchSize, source, where);
    cfg.useHead = readBool(obj, "vision_use_head", cfg.useHead, source, where);
    requirePositive(cfg.numChannels, source, fieldName(where, "num_channels"));
    requirePositive(cfg.imageSize, source, fieldName(where, "image_size"));
    requirePositive(cfg.patchSize, source, fieldName(where, "patch_size"));
    if (cfg.patchSize > cfg.imageSize)
        throw Error(source + ": '" + fieldName(where, "patch_size") + "' is larger than '" +
                    fieldName(where, "image_size") + "'");
    return cfg;
}

SiglipTextConfig readText(const json &obj, const std::string &source, const std::string &where)
{
    if (!obj.is_object())
        throw Error(source + ": '" + where + "' must be an object");
    SiglipTextConfig cfg;
    readEncoder(cfg, obj, source, where);
    cfg.vocabSize = readInt(obj, "vocab_size", cfg.vocabSize, source, where);
    cfg.maxPositionEmbeddings = readInt(obj, "max_position_embeddings", cfg.maxPositionEmbeddings, source, where);
    cfg.padTokenId = readOptionalInt(obj, "pad_token_id", cfg.padTokenId, source, where);
    cfg.bosTokenId = readOptionalInt(obj, "bos_token_id", cfg.bosTokenId, source, where);
    cfg.eosTokenId = readOptionalInt(obj, "eos_token_id", cfg.eosTokenId, source, where);
    requirePositive(cfg.vocabSize, source, fieldName(where, "vocab_size"));
    requirePositive(cfg.maxPositionEmbeddings, source, fieldName(where, "max_position_embeddings"));
    return cfg;
}

json encoderJson(const SiglipEncoderConfig &cfg)
{
    json j;
    j["hidden_size"] = cfg.hiddenSize;
    j["intermediate_size"] = cfg.intermediateSize;
    j["num_hidden_layers"] = cfg.numHiddenLayers;
    j["num_attention_heads"] = cfg.numAttentionHeads;
    j["hidden_act"] = cfg.hiddenAct;
    j["layer_norm_eps"] = cfg.layerNormEps;
    j["attention_dropout"] = cfg.attentionDropout;
    return j;
}

json optionalJson(const std::optional<int64_t> &value)
{
    return value ? json(*value) : json(nullptr);
}

} // namespace

bool SiglipEncoderConfig::operator==(const SiglipEncoderConfig &other) const
{
    return hiddenSize == other.hiddenSize && intermediateSize == other.intermediateSize &&
           numHiddenLayers == other.numHiddenLayers && numAttentionHeads == other.numAttentionHeads &&
           hiddenAct == other.hiddenAct && layerNormEps == other.layerNormEps &&
           attentionDropout == other.attentionDropout;
}

bool SiglipVisionConfig::operator==(const SiglipVisionConfig &other) const
{
    return SiglipEncoderConfig::operator==(other) && numChannels == other.numChannels && imageSize == other.imageSize &&
           patchSize == other.patchSize && useHead == other.useHead;
}

bool SiglipTextConfig::operator==(const SiglipTextConfig &other) const
{
    return SiglipEncoderConfig::operator==(other) && vocabSize == other.vocabSize &&
           maxPositionEmbeddings == other.maxPositionEmbeddings && padTokenId == other.padTokenId &&
           bosTokenId == other.bosTokenId && eosTokenId == other.eosTokenId;
}

bool SiglipConfig::operator==(const SiglipConfig &other) const
{
    return vision == other.vision && text == other.text && initializerFactor == other.initializerFactor;
}

SiglipConfig SiglipConfig::fromJson(const nlohmann::json &json, const std::string &sourceName)
{
    if (!json.is_object())
        throw Error(sourceName + ": a SigLIP config must be a JSON object");
    const std::string modelType = readString(json, "model_type", "siglip", sourceName, "");
    SiglipConfig cfg;
    if (modelType == "siglip") {
        cfg.initializerFactor = readDouble(json, "initializer_factor", cfg.initializerFactor, sourceName, "");
        // HF: a missing or null sub-config means "all defaults".
        const auto vit = json.find("vision_config");
        if (vit != json.end() && !vit->is_null())
            cfg.vision = readVision(*vit, sourceName, "vision_config");
        const auto tit = json.find("text_config");
        if (tit != json.end() && !tit->is_null())
            cfg.text = readText(*tit, sourceName, "text_config");
    } else if (modelType == "siglip_vision_model") {
        cfg.vision = readVision(json, sourceName, "");
    } else if (modelType == "siglip_text_model") {
        cfg.text = readText(json, sourceName, "");
    } else {
        throw Error(sourceName + ": field 'model_type' is '" + modelType + "', expected 'siglip'");
    }
    return cfg;
}

SiglipConfig SiglipConfig::fromJsonText(const std::string &text, const std::string &sourceName)
{
    nlohmann::json parsed;
    try {
        parsed = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception &e) {
        throw Error(sourceName + ": invalid JSON: " + e.what());
    }
    return fromJson(parsed, sourceName);
}

SiglipConfig SiglipConfig::fromFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open SigLIP config");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw Error(path + ": read error");
    return fromJsonText(text.str(), path);
}

SiglipConfig SiglipConfig::so400mPatch14_384()
{
    // The hub config states only these; everything else is a SiglipConfig default
    // (golden manifests/siglip-so400m-patch14-384.config(.full).json).
    SiglipConfig cfg;
    for (SiglipEncoderConfig *tower :
         {static_cast<SiglipEncoderConfig *>(&cfg.vision), static_cast<SiglipEncoderConfig *>(&cfg.text)}) {
        tower->hiddenSize = 1152;
        tower->intermediateSize = 4304;
        tower->numHiddenLayers = 27;
        tower->numAttentionHeads = 16;
    }
    cfg.vision.imageSize = 384;
    cfg.vision.patchSize = 14;
    return cfg;
}

nlohmann::json SiglipConfig::toJson() const
{
    json vj = encoderJson(vision);
    vj["model_type"] = "siglip_vision_model";
    vj["num_channels"] = vision.numChannels;
    vj["image_size"] = vision.imageSize;
    vj["patch_size"] = vision.patchSize;
    if (!vision.useHead)
        vj["vision_use_head"] = false;

    json tj = encoderJson(text);
    tj["model_type"] = "siglip_text_model";
    tj["vocab_size"] = text.vocabSize;
    tj["max_position_embeddings"] = text.maxPositionEmbeddings;
    tj["pad_token_id"] = optionalJson(text.padTokenId);
    tj["bos_token_id"] = optionalJson(text.bosTokenId);
    tj["eos_token_id"] = optionalJson(text.eosTokenId);

    json j;
    j["model_type"] = "siglip";
    j["architectures"] = json::array({"SiglipModel"});
    j["initializer_factor"] = initializerFactor;
    j["vision_config"] = vj;
    j["text_config"] = tj;
    return j;
}

} // namespace rsrefseg
