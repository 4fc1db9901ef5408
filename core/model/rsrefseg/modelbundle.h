// ModelBundle: a folder that holds one ready-to-run RSRefSeg model: `manifest.json` (format
// version, model id, configuration, tokenizer and weight file names, provenance, whether the
// model is trained) plus safetensors weights with LoRA already merged and the SigLIP
// sentencepiece model. No Python and no network are needed to load it.
//
//   ModelBundle bundle = ModelBundle::open("models/rsrefseg-b");   // manifest only, validated
//   RSRefSegModel model = bundle.load({"cpu", torch::kFloat32});   // strict, eval mode
//   std::string spm = bundle.tokenizerPath();
//
// Every file name in a manifest must name a file inside the bundle folder: absolute paths,
// `..` and links that leave the folder are refused.
#pragma once

#include "model/rsrefseg/rsrefsegconfig.h"
#include "model/rsrefseg/rsrefsegmodel.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace rsrefseg {

struct BundleManifest
{
    static constexpr int kFormatVersion = 1;
    int formatVersion = kFormatVersion;
    std::string modelId;       // fingerprint of the weights file: part of every cache key
    std::string name;
    std::string description;
    bool trained = false;      // false: random or untrained weights (the UI says so)
    RSRefSegConfig config;
    std::string tokenizerFile = "spiece.model";
    std::string weightsFile = "model.safetensors";
    std::string weightsDtype = "f32"; // f32 | f16 | bf16 (as stored)
    int64_t parameterCount = 0;
    nlohmann::json provenance = nlohmann::json::object();

    nlohmann::json toJson() const;
    static BundleManifest fromJson(const nlohmann::json &json, const std::string &source);
};

struct ModelLoadOptions
{
    std::string device = "cpu"; // "cpu", "cuda", "cuda:N"
    torch::ScalarType dtype = torch::kFloat32;
};

class ModelBundle
{
  public:
    static ModelBundle open(const std::string &dir);

    const std::string &dir() const { return mDir; }
    const BundleManifest &manifest() const { return mManifest; }
    std::string tokenizerPath() const;
    std::string weightsPath() const;

    // Builds the model, loads the weights strictly, converts to the requested device/dtype and
    // switches to eval mode. `progress` (0..1) may return false to cancel (CancelledError).
    RSRefSegModel load(const ModelLoadOptions &options, const std::function<bool(double)> &progress = {}) const;

    // Writes a bundle folder atomically (a temporary folder renamed at the end). `tokenizerSource`
    // is copied in as manifest.tokenizerFile. Fills manifest.modelId and parameterCount.
    static void write(const std::string &dir, RSRefSegModelImpl &model, BundleManifest manifest,
                      const std::string &tokenizerSource, bool overwrite);

    // "f32" | "f16" | "bf16" <-> scalar type; throws for anything else.
    static torch::ScalarType parseDtype(const std::string &name);
    static std::string dtypeName(torch::ScalarType type);
    static torch::Device parseDevice(const std::string &name);

  private:
    std::string resolve(const std::string &fileName, const char *field) const;
    std::string mDir;
    BundleManifest mManifest;
};

} // namespace rsrefseg
