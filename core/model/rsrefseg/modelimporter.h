// ModelImporter: builds a model bundle from the weights that exist in the world: the HF
// `SiglipModel` and `SamModel` folders a user downloads and/or an RSRefSeg training checkpoint
// (PEFT safetensors, mmengine .pth, DeepSpeed-converted fp16 .pth or merged safetensors).
//
//   ModelImporter::Options o;
//   o.siglipDir = "siglip-so400m-patch14-384"; o.samDir = "sam-vit-base";
//   o.checkpoint = "rsrefseg.pth"; o.loraAlpha = 16; o.outDir = "models/mine";
//   ModelImporter::Report r = ModelImporter::run(o);
//
// Precedence: every tensor the checkpoint holds wins; the HF folders supply
// the configurations, the tokenizer and only what the checkpoint lacks. LoRA is merged with
// scale alpha / r, r read from lora_A's shape; alpha must be given unless r is the paper's 16.
#pragma once

#include "model/rsrefseg/modelbundle.h"

#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

class ModelImporter
{
  public:
    struct Options
    {
        std::string siglipDir;  // HF folder: config.json, model.safetensors (or index), spiece.model
        std::string samDir;     // HF folder: config.json, model.safetensors (or index)
        std::string checkpoint; // optional RSRefSeg checkpoint
        std::optional<double> loraAlpha;
        std::optional<int64_t> loraRank; // if given, must equal the checkpoint's
        std::string dtype = "f32";       // stored dtype
        std::string outDir;
        std::string name;
        std::optional<bool> trained;     // default: true when a checkpoint is given
        bool overwrite = false;
    };

    struct Report
    {
        BundleManifest manifest;
        int64_t loraRank = 0;
        double loraAlpha = 0.0;
        int64_t fromCheckpoint = 0; // tensors taken from the checkpoint
        int64_t fromHf = 0;         // tensors taken from the HF folders
        std::vector<std::string> warnings;
    };

    // Builds the model in memory (not written): used by run() and by tests.
    static RSRefSegModel build(const Options &options, Report &report);
    static Report run(const Options &options);
};

} // namespace rsrefseg
