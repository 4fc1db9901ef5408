// RSRefSeg2Bundle: a model bundle folder holding one ready-to-run RSRefSeg 2 model:
// `manifest.json` (architecture "rsrefseg2", the full RSRefSeg2Config, file names, provenance),
// merged safetensors weights, the Gemma `tokenizer.model` and the `tokenizer_config.json` whose
// add_bos_token / add_eos_token the tokenizer follows. Same folder rules as ModelBundle
// (BundleFiles): every file must lie inside the folder; writing is atomic.
//
//   RSRefSeg2Bundle b = RSRefSeg2Bundle::open("models/rsrefseg2-rrsisd");
//   RSRefSeg2Model model = b.load({"cpu", torch::kBFloat16});   // strict, eval mode
#pragma once

#include "model/rsrefseg/modelbundle.h"
#include "model/rsrefseg2/rsrefseg2model.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace rsrefseg {

struct RSRefSeg2Manifest
{
    static constexpr const char *kArchitecture = "rsrefseg2";
    int formatVersion = BundleManifest::kFormatVersion;
    std::string modelId; // fingerprint of the weights file
    std::string name;
    std::string description;
    bool trained = true;
    RSRefSeg2Config config;
    std::string tokenizerFile = "tokenizer.model";
    std::string tokenizerConfigFile = "tokenizer_config.json";
    std::string weightsFile = "model.safetensors";
    std::string weightsDtype = "f32";
    int64_t parameterCount = 0;
    nlohmann::json provenance = nlohmann::json::object();

    nlohmann::json toJson() const;
    static RSRefSeg2Manifest fromJson(const nlohmann::json &json, const std::string &source);
};

class RSRefSeg2Bundle
{
  public:
    static RSRefSeg2Bundle open(const std::string &dir);

    const std::string &dir() const { return mDir; }
    const RSRefSeg2Manifest &manifest() const { return mManifest; }
    std::string tokenizerPath() const;
    std::string tokenizerConfigPath() const;
    std::string weightsPath() const;

    // Builds the model, loads the weights strictly on the requested device/dtype, eval mode.
    // `progress` (0..1) may return false to cancel (CancelledError).
    RSRefSeg2Model load(const ModelLoadOptions &options, const std::function<bool(double)> &progress = {}) const;

    // Writes a bundle folder atomically; fills manifest.modelId and parameterCount. An empty
    // `tokenizerConfigSource` writes the GemmaTokenizer defaults (BOS, no EOS).
    static void write(const std::string &dir, const RSRefSeg2ModelImpl &model, RSRefSeg2Manifest manifest,
                      const std::string &tokenizerSource, const std::string &tokenizerConfigSource, bool overwrite);

  private:
    std::string mDir;
    RSRefSeg2Manifest mManifest;
};

} // namespace rsrefseg
