// RSRefSeg2Importer: builds an RSRefSeg 2 model bundle from the files that exist in the world:
// the released checkpoint (RSRefSeg2Checkpoint's layouts) and, when it lacks the frozen
// foundation weights, a Hugging Face SigLIP 2 folder and/or the SAM 2.1 `.pt`.
//
//   RSRefSeg2Importer::Options o;
//   o.checkpoint = "rrsisd.pth"; o.tokenizer = "tokenizer.model";
//   o.tokenizerConfig = "tokenizer_config.json"; o.outDir = "models/rsrefseg2-rrsisd";
//   RSRefSeg2Importer::Report r = RSRefSeg2Importer::run(o);   // config: the built-in full size
//
// Precedence: every tensor the checkpoint holds wins; --siglip and --sam supply only what it
// lacks (and the SigLIP folder the tokenizer files when none are given). A missing tensor is one
// Error naming the first one and the flag that supplies it; a tensor whose shape disagrees with
// the configuration names the tensor and both shapes.
#pragma once

#include "model/rsrefseg2/rsrefseg2bundle.h"

#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

class RSRefSeg2Importer
{
  public:
    struct Options
    {
        std::string configPath;      // the manifests/rsrefseg2-full.config.json schema; empty: built-in full size
        std::string checkpoint;      // required
        std::string tokenizer;       // Gemma tokenizer.model; empty: <siglipDir>/tokenizer.model
        std::string tokenizerConfig; // tokenizer_config.json; empty: <siglipDir>/tokenizer_config.json or defaults
        std::string siglipDir;       // optional HF SigLIP 2 folder
        std::string samFile;         // optional SAM 2.1 checkpoint (.pt, {'model': ...})
        std::string dtype = "f32";   // stored dtype
        std::string outDir;
        std::string name;
        std::optional<bool> trained; // default true
        bool overwrite = false;
    };

    struct Report
    {
        RSRefSeg2Manifest manifest;
        int64_t loraRank = 0;
        int64_t foldedAdapters = 0;
        int64_t fromCheckpoint = 0;
        int64_t fromSiglip = 0;
        int64_t fromSam = 0;
        std::string checkpointDtype;
        std::vector<std::string> warnings; // tokenizer notes, ...
    };

    // The model in memory (not written): used by run() and tests.
    static RSRefSeg2Model build(const Options &options, Report &report);
    static Report run(const Options &options);
};

} // namespace rsrefseg
