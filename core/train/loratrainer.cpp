#include "train/loratrainer.h"

#include "common/atomictextfile.h"
#include "common/error.h"
#include "model/rsrefseg/filefingerprint.h"
#include "model/rsrefseg/modelbundle.h"
#include "modelhub/computeoptions.h"
#include "modelhub/rsrefsegnetwork.h"
#include "text/sigliptokenizer.h"
#include "train/adamw.h"
#include "train/autocastguard.h"
#include "train/lrschedule.h"
#include "train/referringevaluator.h"
#include "train/rsrefsegdataset.h"
#include "train/trainingcheckpoint.h"
#include "train/trainingmodel.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rsrefseg {

namespace fs = std::filesystem;

// The bookkeeping of one run(): sizes, checkpoint paths and the loss since the last report.
struct LoraTrainer::RunState
{
    int64_t stepsPerEpoch = 0;
    int64_t total = 0;
    std::string lastPath;
    std::string bestPath;
    std::chrono::steady_clock::time_point start;
    int64_t firstStep = 0;
    double lossSum = 0.0;
    int64_t lossCount = 0;
};

RSRefSegConfig LoraTrainer::readArchitecture(const std::string &path)
{
    return TrainingModel::readArchitecture(path);
}

bool LoraTrainer::isTrainableName(const std::string &name)
{
    return TrainingModel::isTrainableName(name);
}

LoraTrainer::LoraTrainer(const TrainConfig &config)
    : LoraTrainer(config, Feedback())
{
}

LoraTrainer::LoraTrainer(const TrainConfig &config, const Feedback &feedback)
    : mConfig(config)
    , mFeedback(feedback)
{
    mConfig.validate();
    setUpModel();
    loadData();
    setUpOptimizer();
}

void LoraTrainer::setUpModel()
{
    applyComputeThreads(mConfig.threads);
    mDevice = ModelBundle::parseDevice(mConfig.device);
    mBf16 = mConfig.precision == "bf16" || (mConfig.precision == "auto" && mDevice.is_cuda());
    // LibTorch 1.13's CPU autocast fails inside this model ("expected scalar type BFloat16 but
    // found Float"): mixed precision is a GPU feature here.
    if (mBf16 && !mDevice.is_cuda())
        throw Error("precision bf16 needs a GPU (--device cuda); train in f32 on the CPU");

    const TrainingModel built = TrainingModel::build(mConfig);
    mModel = built.model;
    mTokenizerPath = built.tokenizerPath;
    mInitInfo = built.initInfo;
    const RSRefSegConfig &mc = mModel->config();

    built.markTrainable(mConfig.trainAll);
    mModel->to(mDevice);
    mModel->train();

    mTokenizer = RSRefSegNetwork::tokenizerFor(mTokenizerPath, mc);
    if (mTokenizer->vocabSize() > mc.siglip.text.vocabSize)
        throw Error("tokenizer '" + mTokenizerPath + "' has " + std::to_string(mTokenizer->vocabSize()) +
                    " pieces, more than the text model's vocabulary of " + std::to_string(mc.siglip.text.vocabSize));
}

void LoraTrainer::reportWarnings(const RSRefSegDataset &d, const char *what) const
{
    if (d.warnings().empty())
        return;
    message(std::string(what) + ": " + std::to_string(d.skippedLines()) + " line(s) skipped in " + d.jsonlPath());
    std::size_t shown = 0;
    for (const DatasetWarning &w : d.warnings()) {
        if (++shown > 10) {
            message("  ... " + std::to_string(d.warnings().size() - 10) + " more warning(s)");
            break;
        }
        message("  " + (w.lineNumber ? "line " + std::to_string(w.lineNumber) + ": " : std::string()) + w.message);
    }
}

void LoraTrainer::loadData()
{
    const RSRefSegConfig &mc = mModel->config();
    RSRefSegDataset::Options trainOptions;
    trainOptions.split = mConfig.trainSplit;
    mTrainData = std::make_unique<RSRefSegDataset>(RSRefSegDataset::load(mConfig.trainData, mConfig.trainImages, trainOptions));
    reportWarnings(*mTrainData, "training data");
    if (!mConfig.valData.empty()) {
        RSRefSegDataset::Options valOptions;
        valOptions.split = mConfig.valSplit;
        mValData = std::make_unique<RSRefSegDataset>(RSRefSegDataset::load(mConfig.valData, mConfig.valImages, valOptions));
        reportWarnings(*mValData, "validation data");
    }
    mLoader = std::make_unique<TrainingBatchLoader>(*mTrainData, *mTokenizer, static_cast<int>(mc.imageSize()),
                                                    mConfig.batchSize, mConfig.seed, mc.siglip.text.vocabSize,
                                                    mConfig.groupByImage);
    if (mLoader->truncatedSentences() > 0)
        message("training data: " + std::to_string(mLoader->truncatedSentences()) + " sentence(s) longer than the text tower's " +
                std::to_string(mc.siglip.text.maxPositionEmbeddings) + " positions were cut");
}

void LoraTrainer::setUpOptimizer()
{
    std::vector<std::pair<std::string, torch::Tensor>> trainable;
    for (auto &p : mModel->named_parameters(true))
        if (p.value().requires_grad())
            trainable.emplace_back(p.key(), p.value());
    if (trainable.empty())
        throw Error("nothing to train: no parameter requires a gradient");
    AdamW::Options ao;
    ao.beta1 = mConfig.beta1;
    ao.beta2 = mConfig.beta2;
    ao.eps = mConfig.adamEps;
    ao.weightDecay = mConfig.weightDecay;
    mOptimizer = std::make_unique<AdamW>(std::move(trainable), ao);
    const int64_t spe = mLoader->stepsPerEpoch();
    mSchedule = std::make_unique<LrSchedule>(mConfig.lr, mConfig.warmupStepsFor(spe), totalSteps(),
                                             mConfig.warmupStartFactor, mConfig.minLrRatio);
}

LoraTrainer::~LoraTrainer() = default;

int64_t LoraTrainer::totalSteps() const
{
    return mConfig.epochs * mLoader->stepsPerEpoch();
}

double LoraTrainer::learningRate(int64_t step) const
{
    return mSchedule->rate(step);
}

std::vector<std::string> LoraTrainer::trainableParameterNames() const
{
    std::vector<std::string> names;
    for (const auto &[name, p] : mOptimizer->parameters())
        names.push_back(name);
    return names;
}

void LoraTrainer::message(const std::string &text) const
{
    if (mFeedback.message)
        mFeedback.message(text);
}

void LoraTrainer::appendLog(const nlohmann::json &record) const
{
    std::error_code ec;
    fs::create_directories(mConfig.outDir, ec);
    std::ofstream out(fs::path(mConfig.outDir) / "train_log.jsonl", std::ios::app);
    out << record.dump() << "\n";
    out.flush();
    if (!out)
        throw Error("cannot append to '" + (fs::path(mConfig.outDir) / "train_log.jsonl").string() + "'");
}

torch::Tensor LoraTrainer::batchLoss(const TrainingBatch &batch)
{
    const int64_t s = mModel->config().imageSize();
    torch::Tensor logits;
    torch::Tensor activation; // [B, h, w] global activation logits
    {
        AutocastGuard autocast(mDevice.type(), mBf16);
        const ImageFeatures image = mModel->encodeImage(batch.images.to(mDevice));
        std::vector<torch::Tensor> perSample, activations;
        for (int64_t i = 0; i < batch.size(); ++i) {
            const int64_t row = batch.imageIndex[static_cast<size_t>(i)];
            const ImageFeatures one{image.samEmbeddings.narrow(0, row, 1), image.siglipFeatures.narrow(0, row, 1)};
            const torch::Tensor ids = batch.inputIds[static_cast<size_t>(i)].to(mDevice);
            const TextFeatures text = mModel->encodeText(ids, torch::ones_like(ids));
            DecodeOutput out = mModel->decode(one, text);
            perSample.push_back(out.lowResLogits);
            activations.push_back(out.globalActivationLogit);
        }
        logits = torch::cat(perSample, 0);
        activation = torch::cat(activations, 0).to(torch::kFloat32);
    }
    // Upstream: resize(seg_logits, size=label size, bilinear, align_corners=False), then
    // CrossEntropyLoss(use_sigmoid=True, loss_weight=5): mean BCE over every pixel, times 5.
    logits = torch::nn::functional::interpolate(logits.to(torch::kFloat32),
                                                torch::nn::functional::InterpolateFuncOptions()
                                                    .size(std::vector<int64_t>{s, s})
                                                    .mode(torch::kBilinear)
                                                    .align_corners(false));
    const torch::Tensor labels = batch.labels.to(mDevice);
    // Soft Dice per sample (smoothing 1), averaged over the batch.
    auto diceLoss = [](const torch::Tensor &logit, const torch::Tensor &target) {
        const torch::Tensor p = torch::sigmoid(logit).flatten(1);
        const torch::Tensor y = target.flatten(1);
        return (1.0 - (2.0 * (p * y).sum(1) + 1.0) / (p.sum(1) + y.sum(1) + 1.0)).mean();
    };
    torch::Tensor loss = torch::binary_cross_entropy_with_logits(logits, labels) * mConfig.lossWeight;
    if (mConfig.diceWeight > 0.0)
        loss = loss + diceLoss(logits, labels) * mConfig.diceWeight;
    if (mConfig.activationWeight > 0.0) {
        // Grid cells that hold any object pixel are the positives.
        const torch::Tensor grid =
            std::get<0>(torch::adaptive_max_pool2d(labels, {activation.size(1), activation.size(2)})).squeeze(1);
        loss = loss + (torch::binary_cross_entropy_with_logits(activation, grid) + diceLoss(activation, grid)) *
                          mConfig.activationWeight;
    }
    return loss;
}

double LoraTrainer::trainStep(const TrainingBatch &batch)
{
    mModel->train();
    const double lr = mSchedule->rate(mStep);
    mOptimizer->zeroGrad();
    const torch::Tensor loss = batchLoss(batch);
    const double value = loss.item<double>();
    if (!std::isfinite(value))
        throw Error("the training loss is not finite at step " + std::to_string(mStep + 1) +
                    " (learning rate too high, or broken data?); the last checkpoint is unchanged");
    loss.backward();
    if (mConfig.gradClip > 0.0)
        torch::nn::utils::clip_grad_norm_(mOptimizer->parameterTensors(), mConfig.gradClip);
    mOptimizer->step(lr);
    ++mStep;
    return value;
}

std::optional<SegmentationReport> LoraTrainer::validate()
{
    if (!mValData)
        return std::nullopt;
    mModel->eval();
    ReferringEvaluator evaluator(mModel, *mTokenizer);
    ReferringEvaluator::Options o;
    o.limit = static_cast<std::size_t>(mConfig.valLimit);
    o.bf16 = mBf16;
    o.imageBatch = std::max<int64_t>(1, mConfig.batchSize);
    const EvaluationResult r = evaluator.evaluate(*mValData, o);
    mModel->train();
    return r.report;
}

LoraTrainer::Result LoraTrainer::run()
{
    std::error_code ec;
    fs::create_directories(mConfig.outDir, ec);
    if (!fs::is_directory(mConfig.outDir, ec))
        throw Error("cannot create the training folder '" + mConfig.outDir + "'");
    writeTextFileAtomically(fs::path(mConfig.outDir) / "config.json", mConfig.toJson().dump(2) + "\n");

    RunState s;
    s.stepsPerEpoch = mLoader->stepsPerEpoch();
    s.total = totalSteps();
    s.lastPath = (fs::path(mConfig.outDir) / "last.safetensors").string();
    s.bestPath = (fs::path(mConfig.outDir) / "best.safetensors").string();
    announce(s);

    Result result;
    result.bestStep = mBestStep;
    s.start = std::chrono::steady_clock::now();
    s.firstStep = mStep;
    while (mStep < s.total && !(mConfig.maxSteps > 0 && mStep >= mConfig.maxSteps)) {
        const int64_t epoch = mStep / s.stepsPerEpoch;
        const double lr = mSchedule->rate(mStep);
        const double loss = trainStep(mLoader->batch(epoch, mStep % s.stepsPerEpoch));
        result.lastLoss = loss;
        s.lossSum += loss;
        ++s.lossCount;
        if (mStep % mConfig.logEvery == 0 || mStep == s.total)
            reportProgress(s, lr);

        bool saved = mStep % s.stepsPerEpoch == 0 && endOfEpoch(s, result);
        if (!saved && mConfig.checkpointEvery > 0 && mStep % mConfig.checkpointEvery == 0) {
            saveCheckpoint(s.lastPath);
            saved = true;
        }
        const bool stop = mFeedback.stop && mFeedback.stop->load();
        const bool limit = mConfig.maxSteps > 0 && mStep >= mConfig.maxSteps;
        if (stop || limit) {
            if (s.lossCount > 0)
                reportProgress(s, lr);
            if (!saved)
                saveCheckpoint(s.lastPath);
            result.interrupted = stop && !limit;
            break;
        }
    }
    return finishRun(s, result);
}

void LoraTrainer::announce(const RunState &s)
{
    int64_t trainable = 0, all = 0;
    for (const auto &p : mModel->parameters(true)) {
        all += p.numel();
        if (p.requires_grad())
            trainable += p.numel();
    }
    std::ostringstream text;
    text << "training " << (mConfig.trainAll ? "all parameters" : "LoRA + prompter + SAM prompt encoder + mask decoder")
         << ": " << trainable << " of " << all << " parameters; " << mTrainData->size() << " samples, "
         << s.stepsPerEpoch << " steps per epoch, " << s.total << " steps; " << (mBf16 ? "bf16 autocast" : "float32")
         << " on " << mDevice.str();
    if (mStep > 0)
        text << "; resuming at step " << mStep;
    message(text.str());
    appendLog({{"type", "start"},
               {"time", TrainingCheckpoint::isoNow()},
               {"step", mStep},
               {"total_steps", s.total},
               {"config", mConfig.toJson()}});
}

void LoraTrainer::reportProgress(RunState &s, double lr)
{
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.start).count();
    Progress p;
    p.step = mStep;
    p.totalSteps = s.total;
    p.epoch = (mStep - 1) / s.stepsPerEpoch + 1;
    p.epochs = mConfig.epochs;
    p.loss = s.lossCount ? s.lossSum / static_cast<double>(s.lossCount) : 0.0;
    p.lr = lr;
    p.stepsPerSecond = elapsed > 0 ? static_cast<double>(mStep - s.firstStep) / elapsed : 0.0;
    const int64_t end = mConfig.maxSteps > 0 ? std::min(s.total, mConfig.maxSteps) : s.total;
    p.etaSeconds = p.stepsPerSecond > 0 ? static_cast<double>(end - mStep) / p.stepsPerSecond : -1.0;
    if (mFeedback.progress)
        mFeedback.progress(p);
    appendLog({{"type", "train"},
               {"step", p.step},
               {"epoch", p.epoch},
               {"loss", p.loss},
               {"lr", p.lr},
               {"it_per_s", p.stepsPerSecond},
               {"eta_s", p.etaSeconds},
               {"elapsed_s", elapsed}});
    s.lossSum = 0.0;
    s.lossCount = 0;
}

bool LoraTrainer::endOfEpoch(const RunState &s, Result &result)
{
    const int64_t epochsDone = mStep / s.stepsPerEpoch;
    if (epochsDone % mConfig.valEvery != 0 && epochsDone != mConfig.epochs)
        return false;
    if (auto report = validate()) {
        result.lastValidation = report;
        nlohmann::json record = report->toJson();
        record["type"] = "val";
        record["step"] = mStep;
        record["epoch"] = epochsDone;
        appendLog(record);
        message("validation after epoch " + std::to_string(epochsDone) + " (step " + std::to_string(mStep) +
                "):\n" + ReferringEvaluator::table(*report));
        if (report->gIoU > mBestGIoU) {
            mBestGIoU = report->gIoU;
            mBestStep = mStep;
            mBestMetrics = report->toJson();
            saveCheckpoint(s.bestPath);
            message("new best gIoU " + std::to_string(100.0 * report->gIoU) + ": " + s.bestPath);
        }
    }
    saveCheckpoint(s.lastPath);
    return true;
}

LoraTrainer::Result LoraTrainer::finishRun(const RunState &s, Result result)
{
    std::error_code ec;
    if (mStep >= s.total && !fs::exists(s.lastPath, ec))
        saveCheckpoint(s.lastPath);
    result.finished = !result.interrupted;
    result.steps = mStep;
    result.lastCheckpoint = s.lastPath;
    if (mBestStep >= 0) {
        result.bestCheckpoint = s.bestPath;
        result.bestStep = mBestStep;
        result.bestGIoU = mBestGIoU;
        result.bestMetrics = mBestMetrics;
    }
    appendLog({{"type", result.interrupted ? "interrupted" : "end"}, {"time", TrainingCheckpoint::isoNow()}, {"step", mStep}});
    if (result.interrupted) {
        message("interrupted at step " + std::to_string(mStep) + "; resume with --resume " + s.lastPath);
        return result;
    }
    if (!mConfig.exportDir.empty()) {
        const std::string source = mBestStep >= 0 ? s.bestPath : s.lastPath;
        exportBundle(source, mConfig.exportDir, mConfig.overwrite, mConfig.name);
        result.exportedBundle = mConfig.exportDir;
        message("exported " + std::string(mBestStep >= 0 ? "the best" : "the last") + " checkpoint (step " +
                std::to_string(mBestStep >= 0 ? mBestStep : mStep) + ") as model bundle " + mConfig.exportDir);
    }
    return result;
}

void LoraTrainer::saveCheckpoint(const std::string &path) const
{
    std::map<std::string, torch::Tensor> tensors =
        TrainingCheckpoint::modelTensors(*mModel, mConfig.initKind() == "scratch");
    for (auto &[key, t] : mOptimizer->stateTensors())
        tensors["adam." + key] = t;
    TrainingCheckpoint::addRngStates(tensors, mDevice);
    const int64_t spe = mLoader->stepsPerEpoch();
    const nlohmann::json lora = {{"enabled", !mConfig.trainAll}, {"rank", mConfig.loraRank}, {"alpha", mConfig.loraAlpha}};
    TrainingCheckpoint::write(path, tensors,
                              {{"step", std::to_string(mStep)},
                               {"epoch", std::to_string(mStep / spe)},
                               {"steps_per_epoch", std::to_string(spe)},
                               {"best_step", std::to_string(mBestStep)},
                               {"best_giou", std::to_string(mBestGIoU)},
                               {"best_metrics", mBestMetrics.dump()},
                               {"config", mConfig.toJson().dump()},
                               {"model_config", mModel->config().toJson().dump()},
                               {"init", mInitInfo.dump()},
                               {"lora", lora.dump()}});
}

TrainConfig LoraTrainer::checkpointConfig(const std::string &checkpointPath)
{
    return TrainingCheckpoint::config(TrainingCheckpoint::open(checkpointPath));
}

void LoraTrainer::loadCheckpoint(const std::string &path)
{
    const SafetensorsFile file = TrainingCheckpoint::open(path);
    const nlohmann::json modelConfig = nlohmann::json::parse(TrainingCheckpoint::metadata(file, "model_config"));
    if (modelConfig != mModel->config().toJson())
        throw Error(path + ": the checkpoint's model configuration differs from this run's model");
    const TrainConfig stored = TrainingCheckpoint::config(file);
    if (stored.trainAll != mConfig.trainAll || (!mConfig.trainAll && stored.loraRank != mConfig.loraRank))
        throw Error(path + ": the checkpoint was trained with different LoRA / train_all settings");
    const bool all = mConfig.initKind() == "scratch";
    TrainingCheckpoint::loadModelTensors(*mModel, file, [all](const std::string &, const torch::Tensor &p) {
        return all || p.requires_grad();
    });

    std::map<std::string, torch::Tensor> adam;
    for (const std::string &key : file.names())
        if (key.rfind("adam.", 0) == 0)
            adam[key.substr(5)] = file.tensor(key);
    mOptimizer->loadStateTensors(adam, path);
    TrainingCheckpoint::restoreRngStates(file, mDevice);

    mStep = TrainingCheckpoint::integer(file, "step");
    if (mStep < 0 || mStep > totalSteps())
        throw Error(path + ": step " + std::to_string(mStep) + " is outside this run's " + std::to_string(totalSteps()) + " steps");
    mBestStep = TrainingCheckpoint::integer(file, "best_step");
    try {
        mBestGIoU = std::stod(TrainingCheckpoint::metadata(file, "best_giou"));
        mBestMetrics = nlohmann::json::parse(TrainingCheckpoint::metadata(file, "best_metrics"));
    } catch (const std::exception &) {
        throw Error(path + ": invalid best_giou / best_metrics metadata");
    }
    message("resumed from " + path + " at step " + std::to_string(mStep));
}

void LoraTrainer::exportBundle(const std::string &checkpointPath, const std::string &bundleDir, bool overwrite,
                               const std::string &name)
{
    const SafetensorsFile file = TrainingCheckpoint::open(checkpointPath);
    const TrainConfig c = TrainingCheckpoint::config(file);
    const TrainingModel built = TrainingModel::build(c);
    RSRefSegModel model = built.model;
    if (nlohmann::json::parse(TrainingCheckpoint::metadata(file, "model_config")) != model->config().toJson())
        throw Error(checkpointPath + ": the checkpoint's model configuration differs from its model source's");
    built.markTrainable(c.trainAll);
    const bool all = c.initKind() == "scratch";
    TrainingCheckpoint::loadModelTensors(*model, file, [all](const std::string &, const torch::Tensor &p) {
        return all || p.requires_grad();
    });
    model->mergeLora();
    model->eval();

    BundleManifest m;
    m.config = model->config();
    m.name = !name.empty() ? name : fs::path(bundleDir).filename().string();
    m.trained = true;
    const std::string step = TrainingCheckpoint::metadata(file, "step");
    m.description = "Trained with 'rsrefseg train' (" + c.initKind() + " start, " + step + " steps on " +
                    fs::path(c.trainData).filename().string() + ")";
    const nlohmann::json best = nlohmann::json::parse(TrainingCheckpoint::metadata(file, "best_metrics"));
    m.provenance = {{"created", TrainingCheckpoint::isoNow()},
                    {"tool", "rsrefseg train"},
                    {"init", nlohmann::json::parse(TrainingCheckpoint::metadata(file, "init"))},
                    {"train_data", c.trainData},
                    {"val_data", c.valData},
                    {"steps", TrainingCheckpoint::integer(file, "step")},
                    {"seed", c.seed},
                    {"lora", {{"enabled", !c.trainAll}, {"rank", c.loraRank}, {"alpha", c.loraAlpha}, {"merged", !c.trainAll}}},
                    {"validation", best},
                    {"checkpoint", {{"file", fs::path(checkpointPath).filename().string()},
                                    {"fingerprint", FileFingerprint::ofFile(checkpointPath)}}},
                    {"training_config", c.toJson()}};
    ModelBundle::write(bundleDir, *model, m, built.tokenizerPath, overwrite);
}

} // namespace rsrefseg
