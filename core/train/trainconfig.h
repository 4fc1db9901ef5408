// TrainConfig: every setting of an RSRefSeg LoRA training run (`rsrefseg train`), with the
// defaults of the reference configuration "RSRefSeg-b" (configs_RSRefSeg/RSRefSeg-b.py):
// LoRA r = 16, alpha = 16, dropout 0.1 on the SAM image encoder and both SigLIP towers; the
// prompter, SAM prompt encoder and mask decoder fully trained; BCE-with-logits loss x 5 on
// logits resized to the label size; AdamW lr 1e-4 (weight decay 0.05, the DeepSpeed config's);
// linear warm-up from 0.01 x lr over 5 epochs, then cosine decay to 0.001 x lr.
//
//   TrainConfig c = TrainConfig::fromJson(nlohmann::json::parse(file), "train.json");
//   c.validate();                       // throws rsrefseg::Error naming the field
//   nlohmann::json j = c.toJson();      // every field, snake_case (the --config file keys)
//
// The model starts from exactly one of: a model bundle (`init_bundle`, e.g. real SigLIP + SAM
// weights imported with `rsrefseg model import`), HF SigLIP + SAM folders (`siglip` + `sam`,
// optionally with an RSRefSeg checkpoint `init_checkpoint`), or a from-scratch architecture
// (`architecture`: a JSON file with HF-style "siglip" and "sam" configs, see
// LoraTrainer::readArchitecture) with its `tokenizer`. `train_all` trains every parameter
// instead of the LoRA split (meant for small from-scratch architectures).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace rsrefseg {

struct TrainConfig
{
    // Data (RSRefSeg JSONL + image folder; see RSRefSegDataset).
    std::string trainData;
    std::string trainImages;
    std::string trainSplit;        // keep only lines of this split ("" = all)
    std::string valData;           // optional validation set
    std::string valImages;
    std::string valSplit;
    int64_t valLimit = 0;          // evaluate only the first N validation samples (0 = all)

    // Model initialisation (exactly one source).
    std::string initBundle;
    std::string siglipDir;
    std::string samDir;
    std::string initCheckpoint;    // with siglip + sam only
    std::optional<double> initLoraAlpha; // LoRA alpha of init_checkpoint (rank 16: 16)
    std::string architecture;      // from scratch
    std::string tokenizer;         // sentencepiece model; required with `architecture`

    // What trains.
    bool trainAll = false;
    int64_t loraRank = 16;
    double loraAlpha = 16.0;
    double loraDropout = 0.1;

    // Optimisation.
    int64_t epochs = 200;
    int64_t batchSize = 1;
    // Keep the sentences of one image together in the epoch order (TrainingBatchLoader): each
    // image is encoded once per batch. Off in the reference (samples shuffled independently).
    bool groupByImage = false;
    double lr = 1e-4;
    double weightDecay = 0.05;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double adamEps = 1e-8;
    double warmupEpochs = 5.0;     // converted to steps (rounded)
    int64_t warmupSteps = -1;      // >= 0 overrides warmup_epochs
    double warmupStartFactor = 0.01;
    double minLrRatio = 0.001;
    double lossWeight = 5.0;
    // Not in the reference (0 = off): adds diceWeight x (1 - soft Dice) per sample, which keeps
    // tiny targets (a few hundred of 262144 pixels) from drowning in the background when a
    // small model learns from scratch.
    double diceWeight = 0.0;
    // Not in the reference (0 = off): supervises SigLIP's global activation map (the text-image
    // similarity grid that becomes SAM's dense prompt) with the mask max-pooled to that grid:
    // activationWeight x (BCE + soft Dice). Speeds up grounding when training from scratch.
    double activationWeight = 0.0;
    double gradClip = 0.0;         // max global gradient norm; 0 = off (as the reference)

    // Validation, checkpoints, export.
    int64_t valEvery = 5;          // epochs
    int64_t checkpointEvery = 0;   // also write last.safetensors every N steps (0 = per validation/end)
    std::string outDir;            // checkpoints, train_log.jsonl, config.json
    std::string exportDir;         // write a model bundle here at the end (best, else last)
    std::string name;              // bundle name
    bool overwrite = false;        // replace an existing export bundle

    // Run time.
    uint64_t seed = 0;
    std::string device = "cpu";
    std::string precision = "auto"; // auto (bf16 on GPU, f32 on CPU) | f32 | bf16
    int threads = 0;               // LibTorch intra-op threads (0 = hardware threads)
    int64_t logEvery = 10;         // steps between progress lines / log records
    int64_t maxSteps = 0;          // stop (with a checkpoint) after this global step (0 = run all epochs)

    nlohmann::json toJson() const;
    // Unknown keys are an error (a typo must not silently train with a default). `source`
    // names the origin in messages. Missing keys keep their defaults.
    static TrainConfig fromJson(const nlohmann::json &json, const std::string &source);
    // Checks ranges and that exactly one initialisation source is given.
    void validate() const;

    // "bundle", "hf" or "scratch" (after validate()).
    std::string initKind() const;
    int64_t warmupStepsFor(int64_t stepsPerEpoch) const;
};

} // namespace rsrefseg
