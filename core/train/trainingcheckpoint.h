// TrainingCheckpoint: the file format of LoraTrainer's resumable checkpoints, a safetensors file
// with "param.<name>" (trainable and LoRA weights; every parameter for a from-scratch model),
// "buffer.<name>" (BatchNorm statistics etc.), "adam.<...>" (optimizer state), "rng.cpu" /
// "rng.cuda" (generator states) and metadata "format" = rsrefseg-train-checkpoint,
// "format_version" = 1, "created", plus what the trainer stores (step, configurations, ...).
//
//   std::map<std::string, torch::Tensor> t = TrainingCheckpoint::modelTensors(*model, all);
//   TrainingCheckpoint::addRngStates(t, device);
//   TrainingCheckpoint::write("run/last.safetensors", t, {{"step", "120"}, ...});
//
//   SafetensorsFile f = TrainingCheckpoint::open("run/last.safetensors");   // format checked
//   int64_t step = TrainingCheckpoint::integer(f, "step");
//   TrainingCheckpoint::loadModelTensors(*model, f, mustHave);
#pragma once

#include "model/weights/safetensorsfile.h"
#include "train/trainconfig.h"

#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>
#include <map>
#include <string>

namespace rsrefseg {

class TrainingCheckpoint
{
  public:
    // Opens a checkpoint; throws rsrefseg::Error when the file is not one (a model bundle's
    // weights, for example) or has another format version.
    static SafetensorsFile open(const std::string &path);
    // A metadata field; throws when it is missing.
    static std::string metadata(const SafetensorsFile &file, const char *key);
    // An integer metadata field; throws when it is missing or not an integer.
    static int64_t integer(const SafetensorsFile &file, const char *key);
    // The training configuration stored in "config".
    static TrainConfig config(const SafetensorsFile &file);

    // "param.*" (all parameters, or those that require a gradient) and "buffer.*" of a model,
    // detached, on the CPU, contiguous.
    static std::map<std::string, torch::Tensor> modelTensors(const torch::nn::Module &model, bool allParameters);
    // Copies "param.*" and "buffer.*" tensors into the model. Every parameter that `mustHave`
    // accepts and every buffer must be present; unknown names and shape mismatches are errors.
    static void loadModelTensors(torch::nn::Module &model, const SafetensorsFile &file,
                                 const std::function<bool(const std::string &, const torch::Tensor &)> &mustHave);
    // "rng.cpu" and, on a GPU, "rng.cuda": the default generators' states (dropout, shuffling
    // inside LibTorch), and restoring them from a file that holds them.
    static void addRngStates(std::map<std::string, torch::Tensor> &tensors, const torch::Device &device);
    static void restoreRngStates(const SafetensorsFile &file, const torch::Device &device);

    // Writes the tensors with `metadata` plus format, format_version and created; creates the
    // parent folder when missing.
    static void write(const std::string &path, const std::map<std::string, torch::Tensor> &tensors,
                      std::map<std::string, std::string> metadata);

    // The current UTC time as 2026-12-02T03:40:00Z.
    static std::string isoNow();
};

} // namespace rsrefseg
