// SamConfig: the architecture sizes of a Hugging Face `SamModel` (transformers v4.45.2
// `SamConfig` with its vision / prompt-encoder / mask-decoder sub-configs).
//
//   rsrefseg::SamConfig c = rsrefseg::SamConfig::fromFile("sam-vit-base/config.json");
//   rsrefseg::SamConfig b = rsrefseg::SamConfig::samVitBase();   // facebook/sam-vit-base, no file
//   nlohmann::json j = c.toJson();                               // every resolved value
//
// Values a config.json does not state take SamConfig's defaults (which are the sam-vit-base
// sizes), exactly as `SamConfig.from_pretrained` resolves them; unknown keys are ignored.
// A field of the wrong JSON type, or sizes the model cannot be built with, is an Error naming
// the file and the field. No torch here: the UI and the bundle code may include it freely.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace rsrefseg {

// Activation functions named by HF `hidden_act` that SAM configs use.
enum class SamActivation { GeluErf, GeluTanh, Relu };

// "gelu" -> GeluErf, "gelu_pytorch_tanh"/"gelu_new" -> GeluTanh, "relu" -> Relu; else an Error
// whose message starts with `field` (e.g. "config.json: vision_config.hidden_act").
SamActivation samActivationFromName(const std::string &name, const std::string &field);

struct SamVisionConfig
{
    int64_t hiddenSize = 768;
    int64_t outputChannels = 256;
    int64_t numHiddenLayers = 12;
    int64_t numAttentionHeads = 12;
    int64_t numChannels = 3;
    int64_t imageSize = 1024;
    int64_t patchSize = 16;
    std::string hiddenAct = "gelu";
    double layerNormEps = 1e-6;
    double attentionDropout = 0.0;
    bool qkvBias = true;
    double mlpRatio = 4.0;
    bool useAbsPos = true;
    bool useRelPos = true;
    int64_t windowSize = 14;
    std::vector<int64_t> globalAttnIndexes = {2, 5, 8, 11};
    int64_t numPosFeats = 128;
    int64_t mlpDim = 3072; // HF: int(hidden_size * mlp_ratio) when the file gives none

    int64_t gridSize() const { return imageSize / patchSize; }
    int64_t headDim() const { return hiddenSize / numAttentionHeads; }
    // 0 for a global-attention layer, windowSize otherwise (HF SamVisionEncoder).
    int64_t layerWindowSize(int64_t layer) const;
};

struct SamPromptEncoderConfig
{
    int64_t hiddenSize = 256;
    int64_t imageSize = 1024;
    int64_t patchSize = 16;
    int64_t maskInputChannels = 16;
    int64_t numPointEmbeddings = 4;
    std::string hiddenAct = "gelu";
    double layerNormEps = 1e-6;

    // HF always derives it (a stated `image_embedding_size` is overwritten).
    int64_t imageEmbeddingSize() const { return imageSize / patchSize; }
};

struct SamMaskDecoderConfig
{
    int64_t hiddenSize = 256;
    std::string hiddenAct = "relu";
    int64_t mlpDim = 2048;
    int64_t numHiddenLayers = 2;
    int64_t numAttentionHeads = 8;
    int64_t attentionDownsampleRate = 2;
    int64_t numMultimaskOutputs = 3;
    int64_t iouHeadDepth = 3;
    int64_t iouHeadHiddenDim = 256;
    double layerNormEps = 1e-6;
};

struct SamConfig
{
    SamVisionConfig vision;
    SamPromptEncoderConfig promptEncoder;
    SamMaskDecoderConfig maskDecoder;
    double initializerRange = 0.02;

    // `source` names the file in error messages.
    static SamConfig fromJson(const nlohmann::json &json, const std::string &source);
    static SamConfig fromFile(const std::string &path);
    // facebook/sam-vit-base (all SamConfig defaults).
    static SamConfig samVitBase();

    // HF-style config with every resolved value of the three sub-configs.
    nlohmann::json toJson() const;
    // Throws Error (naming `source` and the field) when the model cannot be built.
    void validate(const std::string &source) const;

    bool operator==(const SamConfig &other) const;
    bool operator!=(const SamConfig &other) const { return !(*this == other); }
};

} // namespace rsrefseg
