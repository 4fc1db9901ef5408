// SiglipConfig: the architecture of a Hugging Face `SiglipModel` (transformers v4.45.2), read
// from its config.json. Values the file leaves out get the HF defaults, exactly as
// `SiglipConfig.from_pretrained` resolves them (config.full.json in the golden fixtures lists
// every resolved value).
//
//   rsrefseg::SiglipConfig cfg = rsrefseg::SiglipConfig::fromFile("siglip/config.json");
//   rsrefseg::SiglipVisionTransformer vision(cfg.vision);
//   auto so400m = rsrefseg::SiglipConfig::so400mPatch14_384();   // no file needed (benchmarks)
//
// Malformed files throw rsrefseg::Error naming the file and the field.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace rsrefseg {

// What both towers share: the encoder stack.
struct SiglipEncoderConfig
{
    int64_t hiddenSize = 768;
    int64_t intermediateSize = 3072;
    int64_t numHiddenLayers = 12;
    int64_t numAttentionHeads = 12;
    std::string hiddenAct = "gelu_pytorch_tanh";
    double layerNormEps = 1e-6;
    double attentionDropout = 0.0;

    int64_t headDim() const { return hiddenSize / numAttentionHeads; }
    bool operator==(const SiglipEncoderConfig &other) const;
};

// HF `SiglipVisionConfig`.
struct SiglipVisionConfig : SiglipEncoderConfig
{
    int64_t numChannels = 3;
    int64_t imageSize = 224;
    int64_t patchSize = 16;
    // HF reads `vision_use_head` only when the config carries it (default: attention-pooling head).
    bool useHead = true;

    int64_t gridSize() const { return imageSize / patchSize; }
    int64_t numPatches() const { return gridSize() * gridSize(); }
    bool operator==(const SiglipVisionConfig &other) const;
};

// HF `SiglipTextConfig`.
struct SiglipTextConfig : SiglipEncoderConfig
{
    int64_t vocabSize = 32000;
    int64_t maxPositionEmbeddings = 64;
    // Token ids are not used by the model's math; kept for the tokenizer and for round trips.
    std::optional<int64_t> padTokenId = 1;
    std::optional<int64_t> bosTokenId = 49406;
    std::optional<int64_t> eosTokenId = 49407;

    bool operator==(const SiglipTextConfig &other) const;
};

struct SiglipConfig
{
    SiglipVisionConfig vision;
    SiglipTextConfig text;
    double initializerFactor = 1.0;

    // Parses an HF config (model_type "siglip" with vision_config/text_config; a bare
    // "siglip_vision_model" or "siglip_text_model" config fills that tower and leaves the other
    // at its defaults). `sourceName` names the origin in error messages.
    static SiglipConfig fromJson(const nlohmann::json &json, const std::string &sourceName);
    static SiglipConfig fromJsonText(const std::string &text, const std::string &sourceName);
    static SiglipConfig fromFile(const std::string &path);
    // google/siglip-so400m-patch14-384 (the SigLIP of RSRefSeg-b), without any file.
    static SiglipConfig so400mPatch14_384();

    // HF-style JSON with every field this struct knows (fromJson(toJson()) == *this).
    nlohmann::json toJson() const;

    bool operator==(const SiglipConfig &other) const;
    bool operator!=(const SiglipConfig &other) const { return !(*this == other); }
};

} // namespace rsrefseg
