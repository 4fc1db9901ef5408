// BundleSummary: what a model bundle's manifest says about it, read without LibTorch and without
// loading weights, so that the desktop and the CLI can show a model (name, architecture, trained
// or not, size, provenance) before, or instead of, loading it. The one torch-free manifest reader;
// loading the weights (ModelBundle in core/model) validates the rest of the manifest.
//
//   BundleSummary s = BundleSummary::read("models/rsrefseg-b");   // throws Error naming file/field
//   if (!s.trained) std::cerr << s.untrainedWarning() << "\n";
#pragma once

#include "common/error.h"

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

    // Why read() failed, for callers that word the problem in their own language (the desktop).
    enum class Problem
    {
        NoManifest,   // no folder, or no readable manifest.json in it
        InvalidJson,  // manifest.json is not JSON (detail: the parser's message)
        InvalidField, // a field is missing or has the wrong type (the message names it)
    };
    class ReadError : public Error
    {
      public:
        ReadError(Problem problem, std::string file, std::string detail, const std::string &message)
            : Error(message), mProblem(problem), mFile(std::move(file)), mDetail(std::move(detail))
        {
        }
        Problem problem() const { return mProblem; }
        const std::string &file() const { return mFile; } // the manifest's path
        const std::string &detail() const { return mDetail; }

      private:
        Problem mProblem;
        std::string mFile;
        std::string mDetail;
    };

    // Reads <dir>/manifest.json. Throws ReadError (an rsrefseg::Error) naming the file, and the
    // field, when the folder has no readable, valid manifest. The messages are ModelBundle's.
    static BundleSummary read(const std::string &dir);

    // The one wording of the untrained-model warning ("" for a trained model).
    std::string untrainedWarning() const;
    nlohmann::json toJson() const;
};

} // namespace rsrefseg
