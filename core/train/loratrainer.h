// LoraTrainer: trains an RSRefSeg model on a referring-segmentation data set (RSRefSeg JSONL)
// as the reference configuration "RSRefSeg-b" does (see TrainConfig for the settings): LoRA on
// the SAM image encoder and both SigLIP towers, the prompter, SAM prompt encoder and mask
// decoder trained in full, everything else frozen; loss = lossWeight x BCE-with-logits on the
// low-resolution logits resized (bilinear) to the label size (plus the optional, non-reference
// Dice and activation-map terms of TrainConfig, off by default); AdamW with warm-up + cosine
// schedule; validation every val_every epochs; resumable checkpoints; export of a model bundle
// with LoRA merged.
//
//   TrainConfig c = ...;  c.validate();
//   LoraTrainer::Feedback fb;  fb.progress = [](const LoraTrainer::Progress &p) { ... };
//   fb.stop = &interruptFlag;                       // e.g. set by SIGINT
//   LoraTrainer trainer(c, fb);
//   LoraTrainer::Result r = trainer.run();          // r.interrupted: last.safetensors is resumable
//
//   // Resume: the checkpoint carries its configuration.
//   TrainConfig again = LoraTrainer::checkpointConfig("run/last.safetensors");
//   LoraTrainer resumed(again, fb);  resumed.loadCheckpoint("run/last.safetensors");  resumed.run();
//
// Files in config.outDir: config.json (the resolved configuration), train_log.jsonl (one JSON
// record per logged step and per validation), last.safetensors and best.safetensors (best
// validation gIoU). A checkpoint (TrainingCheckpoint) holds the trainable and LoRA weights
// (every parameter for a from-scratch model), buffers, "adam.{step,exp_avg,exp_avg_sq}.<name>",
// the generator states and in its metadata the training configuration, the model
// configuration, step, epoch and best score. Frozen weights are not copied: resuming and
// exporting rebuild them from the same model source (TrainingModel).
//
// Every sentence is encoded on its own and decoded with its own image (batch 1 through the
// text tower and the prompter, exactly as at inference); the image encoders run batched.
#pragma once

#include "model/rsrefseg/rsrefsegmodel.h"
#include "train/segmentationmetrics.h"
#include "train/trainconfig.h"
#include "train/trainingbatchloader.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

class AdamW;
class LrSchedule;
class RSRefSegDataset;
class SiglipTokenizer;

class LoraTrainer
{
  public:
    struct Progress
    {
        int64_t step = 0;        // optimizer steps done
        int64_t totalSteps = 0;
        int64_t epoch = 0;       // 1-based epoch the step belongs to
        int64_t epochs = 0;
        double loss = 0.0;       // mean over the steps since the last report
        double lr = 0.0;         // of the last step
        double stepsPerSecond = 0.0;
        double etaSeconds = 0.0;
    };

    struct Feedback
    {
        std::function<void(const Progress &)> progress; // every log_every steps and at the end
        std::function<void(const std::string &)> message; // notices, validation tables, checkpoints
        const std::atomic<bool> *stop = nullptr;       // polled between steps
    };

    struct Result
    {
        int64_t steps = 0;
        bool interrupted = false;
        bool finished = false;   // all epochs (or max_steps) done
        double lastLoss = 0.0;
        std::optional<SegmentationReport> lastValidation;
        double bestGIoU = -1.0;      // best validation gIoU so far (-1: none)
        nlohmann::json bestMetrics;  // its SegmentationReport::toJson()
        int64_t bestStep = -1;
        std::string lastCheckpoint;
        std::string bestCheckpoint;
        std::string exportedBundle;
    };

    // Builds the model, the data and the optimizer. Throws rsrefseg::Error for bad settings,
    // unreadable data (dataset warnings are reported through feedback.message), or a
    // tokenizer that does not fit the model.
    explicit LoraTrainer(const TrainConfig &config);
    LoraTrainer(const TrainConfig &config, const Feedback &feedback);
    ~LoraTrainer();
    LoraTrainer(const LoraTrainer &) = delete;
    LoraTrainer &operator=(const LoraTrainer &) = delete;

    // Trains until all epochs (or max_steps) are done or feedback.stop is set; writes
    // checkpoints, the log and, when config.exportDir is set and the run finished, the bundle.
    Result run();

    // One optimizer step on a batch (public for tests); returns the loss before the step.
    double trainStep(const TrainingBatch &batch);
    // Validation on the configured set (nullopt when there is none).
    std::optional<SegmentationReport> validate();

    void saveCheckpoint(const std::string &path) const;
    // Restores weights, optimizer, step and random state. The checkpoint's model configuration
    // must equal this trainer's.
    void loadCheckpoint(const std::string &path);
    // The training configuration stored in a checkpoint.
    static TrainConfig checkpointConfig(const std::string &checkpointPath);
    // Writes a model bundle (LoRA merged, eval-mode BatchNorm statistics) from a checkpoint.
    static void exportBundle(const std::string &checkpointPath, const std::string &bundleDir, bool overwrite,
                             const std::string &name = {});

    // A from-scratch architecture file: {"siglip": <HF SiglipConfig>, "sam": <HF SamConfig>,
    // "down_spatial_times": 2, "mask_threshold": 0.5} (the last two optional), or a full
    // RSRefSegConfig JSON (a bundle manifest's "config").
    static RSRefSegConfig readArchitecture(const std::string &path);
    // True for the parameters the reference trains: LoRA adapters, prompter_*,
    // sam_prompt_encoder.*, sam_mask_decoder.*.
    static bool isTrainableName(const std::string &name);

    RSRefSegModel model() const { return mModel; }
    const TrainConfig &config() const { return mConfig; }
    const TrainingBatchLoader &trainLoader() const { return *mLoader; }
    const SiglipTokenizer &tokenizer() const { return *mTokenizer; }
    int64_t step() const { return mStep; }
    int64_t totalSteps() const;
    double learningRate(int64_t step) const;
    std::vector<std::string> trainableParameterNames() const;

  private:
    struct RunState;
    // The constructor's three parts: model and tokenizer, data and batches, optimizer and schedule.
    void setUpModel();
    void loadData();
    void setUpOptimizer();
    void reportWarnings(const RSRefSegDataset &data, const char *what) const;
    // run()'s parts: the opening message and log record, a progress report, validation and
    // checkpoints at the end of an epoch (true when last.safetensors was written), the result.
    void announce(const RunState &state);
    void reportProgress(RunState &state, double lr);
    bool endOfEpoch(const RunState &state, Result &result);
    Result finishRun(const RunState &state, Result result);
    torch::Tensor batchLoss(const TrainingBatch &batch);
    void message(const std::string &text) const;
    void appendLog(const nlohmann::json &record) const;

    TrainConfig mConfig;
    Feedback mFeedback;
    RSRefSegModel mModel{nullptr};
    std::string mTokenizerPath;
    nlohmann::json mInitInfo;
    torch::Device mDevice{torch::kCPU};
    bool mBf16 = false;
    std::unique_ptr<SiglipTokenizer> mTokenizer;
    std::unique_ptr<RSRefSegDataset> mTrainData;
    std::unique_ptr<RSRefSegDataset> mValData;
    std::unique_ptr<TrainingBatchLoader> mLoader;
    std::unique_ptr<AdamW> mOptimizer;
    std::unique_ptr<LrSchedule> mSchedule;
    int64_t mStep = 0;
    double mBestGIoU = -1.0;
    int64_t mBestStep = -1;
    nlohmann::json mBestMetrics;
};

} // namespace rsrefseg
