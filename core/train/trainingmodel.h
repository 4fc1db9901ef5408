// TrainingModel: the model a training run starts from, built from a TrainConfig's start (exactly
// one of: a model bundle, HF SigLIP + SAM folders with an optional RSRefSeg checkpoint, or a
// from-scratch architecture file), with LoRA enabled unless train_all, the tokenizer it goes
// with and a record of where it came from (stored in checkpoints and exported bundles).
// Everything random (from-scratch weights, LoRA A matrices) follows the configuration's seed,
// so resuming and exporting rebuild the frozen weights exactly.
//
//   TrainingModel m = TrainingModel::build(config);
//   m.markTrainable(config.trainAll);   // requires_grad on LoRA + prompter + SAM decoder parts
//   m.model->to(device);
#pragma once

#include "model/rsrefseg/rsrefsegmodel.h"
#include "train/trainconfig.h"

#include <nlohmann/json.hpp>

#include <string>

namespace rsrefseg {

struct TrainingModel
{
    RSRefSegModel model{nullptr};
    std::string tokenizerPath;
    nlohmann::json initInfo; // {"kind": "bundle" | "hf" | "scratch", ..., "tokenizer": path}

    static TrainingModel build(const TrainConfig &config);
    // Sets requires_grad: every parameter with trainAll, else those isTrainableName() accepts.
    void markTrainable(bool trainAll) const;

    // A from-scratch architecture file: {"siglip": <HF SiglipConfig>, "sam": <HF SamConfig>,
    // "down_spatial_times": 2, "mask_threshold": 0.5} (the last two optional), or a full
    // RSRefSegConfig JSON (a bundle manifest's "config").
    static RSRefSegConfig readArchitecture(const std::string &path);
    // True for the parameters the reference trains: LoRA adapters, prompter_*,
    // sam_prompt_encoder.*, sam_mask_decoder.*.
    static bool isTrainableName(const std::string &name);
};

} // namespace rsrefseg
