// BundleSummary: what a model bundle's manifest says about it, read without LibTorch and without
// loading weights, so that the desktop and the CLI can show a model (name, architecture, trained
// or not, size, provenance) before, or instead of, loading it. The one torch-free manifest reader.
//
//   BundleSummary s = BundleSummary::read("models/rsrefseg-b");   // throws Error naming file/field
//   if (!s.trained) std::cerr << s.untrainedWarning() << "\n";
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace rsrefseg {

struct BundleSummary
{
    std::string dir;
    std::string name;           // manifest "name", else the folder's name
    std::string modelId;        // fingerprint of the weights (cache keys)
    std::string architecture;   // manifest "architecture"; "rsrefseg" for bundles that predate it
    std::string description;
    bool trained = false;
    int64_t parameterCount = 0;
    std::string weightsDtype;   // as stored: f32 | f16 | bf16
    std::string weightsFile;
    uint64_t weightsBytes = 0;  // size of the weights file on disk (0 when missing)
    nlohmann::json provenance = nlohmann::json::object();

    // Reads <dir>/manifest.json. Throws rsrefseg::Error naming the file (and field) when the
    // folder has no readable, valid manifest.
    static BundleSummary read(const std::string &dir);

    // The one wording of the untrained-model warning ("" for a trained model).
    std::string untrainedWarning() const;
    nlohmann::json toJson() const;
};

} // namespace rsrefseg
