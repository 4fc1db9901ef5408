#include "train/loratrainer.h"

#include "common/atomictextfile.h"
#include "common/error.h"
#include "model/rsrefseg/filefingerprint.h"
#include "model/rsrefseg/modelbundle.h"
#include "model/rsrefseg/modelimporter.h"
#include "model/weights/safetensorsfile.h"
#include "model/weights/safetensorswriter.h"
#include "text/sigliptokenizer.h"
#include "train/adamw.h"
#include "train/autocastguard.h"
#include "train/lrschedule.h"
#include "train/referringevaluator.h"
#include "train/rsrefsegdataset.h"

#include <ATen/Context.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

constexpr const char *kFormat = "rsrefseg-train-checkpoint";
constexpr const char *kFormatVersion = "1";

std::string isoNow()
{
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

nlohmann::json readJsonFile(const std::string &path, const char *what)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(std::string(what) + " '" + path + "' not found");
    std::ifstream in(path);
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception &e) {
        throw Error(std::string(what) + " '" + path + "': invalid JSON (" + e.what() + ")");
    }
}

std::string metadataField(const SafetensorsFile &file, const char *key)
{
    const auto &meta = file.metadata();
    auto it = meta.find(key);
    if (it == meta.end())
        throw Error(file.path() + ": not a training checkpoint (metadata '" + key + "' missing)");
    return it->second;
}

void checkFormat(const SafetensorsFile &file)
{
    const auto &meta = file.metadata();
    auto it = meta.find("format");
    if (it == meta.end() || it->second != kFormat)
        throw Error(file.path() + ": not an rsrefseg training checkpoint (a model bundle's weights or another file?)");
    if (metadataField(file, "format_version") != kFormatVersion)
        throw Error(file.path() + ": unsupported training checkpoint version " + metadataField(file, "format_version"));
}

int64_t parseInt(const std::string &text, const std::string &what)
{
    try {
        size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used != text.size())
            throw std::invalid_argument(text);
        return v;
    } catch (const std::exception &) {
        throw Error(what + ": '" + text + "' is not an integer");
    }
}

} // namespace

// What buildModel() produces: the model with LoRA enabled (unless train_all), its tokenizer and
// where it came from.
struct LoraTrainer::Built
{
    RSRefSegModel model{nullptr};
    std::string tokenizerPath;
    nlohmann::json initInfo;
};

RSRefSegConfig LoraTrainer::readArchitecture(const std::string &path)
{
    const nlohmann::json j = readJsonFile(path, "architecture file");
    if (!j.is_object() || !j.contains("siglip") || !j.contains("sam"))
        throw Error(path + ": an architecture file needs \"siglip\" and \"sam\" (HF-style configs)");
    if (j.contains("preprocess"))
        return RSRefSegConfig::fromJson(j, path);
    RSRefSegConfig c;
    c.siglip = SiglipConfig::fromJson(j.at("siglip"), path + " (siglip)");
    c.sam = SamConfig::fromJson(j.at("sam"), path + " (sam)");
    for (const auto &item : j.items()) {
        const std::string &k = item.key();
        try {
            if (k == "down_spatial_times")
                c.downSpatialTimes = item.value().get<int64_t>();
            else if (k == "mask_threshold")
                c.maskThreshold = item.value().get<double>();
            else if (k != "siglip" && k != "sam" && k != "comment")
                throw Error(path + ": unknown architecture field '" + k + "'");
        } catch (const nlohmann::json::exception &) {
            throw Error(path + ": field '" + k + "' has the wrong type");
        }
    }
    c.validate(path);
    return c;
}

bool LoraTrainer::isTrainableName(const std::string &name)
{
    if (name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos)
        return true;
    for (const char *prefix : {"prompter_", "sam_prompt_encoder.", "sam_mask_decoder."})
        if (name.rfind(prefix, 0) == 0)
            return true;
    return false;
}

LoraTrainer::Built LoraTrainer::buildModel(const TrainConfig &c)
{
    // Everything random below (from-scratch weights, LoRA A matrices) follows the seed.
    torch::manual_seed(c.seed);
    Built b;
    const std::string kind = c.initKind();
    if (kind == "bundle") {
        const ModelBundle bundle = ModelBundle::open(c.initBundle);
        b.model = bundle.load({"cpu", torch::kFloat32});
        b.tokenizerPath = bundle.tokenizerPath();
        b.initInfo = {{"kind", "bundle"},
                      {"path", c.initBundle},
                      {"model_id", bundle.manifest().modelId},
                      {"trained", bundle.manifest().trained}};
    } else if (kind == "hf") {
        ModelImporter::Options o;
        o.siglipDir = c.siglipDir;
        o.samDir = c.samDir;
        o.checkpoint = c.initCheckpoint;
        o.loraAlpha = c.initLoraAlpha;
        ModelImporter::Report report;
        b.model = ModelImporter::build(o, report);
        b.tokenizerPath = (fs::path(c.siglipDir) / "spiece.model").string();
        b.initInfo = {{"kind", "hf"}, {"siglip", c.siglipDir}, {"sam", c.samDir}, {"checkpoint", c.initCheckpoint}};
    } else {
        const RSRefSegConfig arch = readArchitecture(c.architecture);
        b.model = RSRefSegModel(arch);
        b.initInfo = {{"kind", "scratch"}, {"architecture", c.architecture}, {"seed", c.seed}};
    }
    if (!c.tokenizer.empty())
        b.tokenizerPath = c.tokenizer;
    b.initInfo["tokenizer"] = b.tokenizerPath;
    if (!c.trainAll)
        b.model->enableLora(c.loraRank, c.loraAlpha, c.loraDropout);
    return b;
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
    torch::set_num_threads(mConfig.threads > 0 ? mConfig.threads
                                               : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    mDevice = ModelBundle::parseDevice(mConfig.device);
    mBf16 = mConfig.precision == "bf16" || (mConfig.precision == "auto" && mDevice.is_cuda());
    // LibTorch 1.13's CPU autocast fails inside this model ("expected scalar type BFloat16 but
    // found Float"): mixed precision is a GPU feature here.
    if (mBf16 && !mDevice.is_cuda())
        throw Error("precision bf16 needs a GPU (--device cuda); train in f32 on the CPU");

    Built built = buildModel(mConfig);
    mModel = built.model;
    mTokenizerPath = built.tokenizerPath;
    mInitInfo = built.initInfo;
    const RSRefSegConfig &mc = mModel->config();

    for (auto &p : mModel->named_parameters(true))
        p.value().set_requires_grad(mConfig.trainAll || isTrainableName(p.key()));
    mModel->to(mDevice);
    mModel->train();

    SiglipTokenizer::Options to;
    to.maxPositions = static_cast<int>(mc.siglip.text.maxPositionEmbeddings);
    mTokenizer = std::make_unique<SiglipTokenizer>(mTokenizerPath, to);
    if (mTokenizer->vocabSize() > mc.siglip.text.vocabSize)
        throw Error("tokenizer '" + mTokenizerPath + "' has " + std::to_string(mTokenizer->vocabSize()) +
                    " pieces, more than the text model's vocabulary of " + std::to_string(mc.siglip.text.vocabSize));

    auto reportWarnings = [this](const RSRefSegDataset &d, const char *what) {
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
    };
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

    const int64_t spe = mLoader->stepsPerEpoch();
    const int64_t total = totalSteps();
    const std::string lastPath = (fs::path(mConfig.outDir) / "last.safetensors").string();
    const std::string bestPath = (fs::path(mConfig.outDir) / "best.safetensors").string();

    {
        int64_t trainable = 0, all = 0;
        for (const auto &p : mModel->parameters(true)) {
            all += p.numel();
            if (p.requires_grad())
                trainable += p.numel();
        }
        std::ostringstream s;
        s << "training " << (mConfig.trainAll ? "all parameters" : "LoRA + prompter + SAM prompt encoder + mask decoder")
          << ": " << trainable << " of " << all << " parameters; " << mTrainData->size() << " samples, " << spe
          << " steps per epoch, " << total << " steps; " << (mBf16 ? "bf16 autocast" : "float32") << " on "
          << mDevice.str();
        if (mStep > 0)
            s << "; resuming at step " << mStep;
        message(s.str());
    }
    appendLog({{"type", "start"}, {"time", isoNow()}, {"step", mStep}, {"total_steps", total}, {"config", mConfig.toJson()}});

    Result result;
    result.bestStep = mBestStep;
    const auto runStart = std::chrono::steady_clock::now();
    const int64_t firstStep = mStep;
    double lossSum = 0.0;
    int64_t lossCount = 0;
    auto progress = [&](double lr) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - runStart).count();
        Progress p;
        p.step = mStep;
        p.totalSteps = total;
        p.epoch = (mStep - 1) / spe + 1;
        p.epochs = mConfig.epochs;
        p.loss = lossCount ? lossSum / static_cast<double>(lossCount) : 0.0;
        p.lr = lr;
        p.stepsPerSecond = elapsed > 0 ? static_cast<double>(mStep - firstStep) / elapsed : 0.0;
        const int64_t end = mConfig.maxSteps > 0 ? std::min(total, mConfig.maxSteps) : total;
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
        lossSum = 0.0;
        lossCount = 0;
    };

    while (mStep < total && !(mConfig.maxSteps > 0 && mStep >= mConfig.maxSteps)) {
        const int64_t epoch = mStep / spe;
        const double lr = mSchedule->rate(mStep);
        const double loss = trainStep(mLoader->batch(epoch, mStep % spe));
        result.lastLoss = loss;
        lossSum += loss;
        ++lossCount;
        if (mStep % mConfig.logEvery == 0 || mStep == total)
            progress(lr);

        bool saved = false;
        if (mStep % spe == 0) {
            const int64_t epochsDone = mStep / spe;
            if (epochsDone % mConfig.valEvery == 0 || epochsDone == mConfig.epochs) {
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
                        saveCheckpoint(bestPath);
                        message("new best gIoU " + std::to_string(100.0 * report->gIoU) + ": " + bestPath);
                    }
                }
                saveCheckpoint(lastPath);
                saved = true;
            }
        }
        if (!saved && mConfig.checkpointEvery > 0 && mStep % mConfig.checkpointEvery == 0) {
            saveCheckpoint(lastPath);
            saved = true;
        }
        const bool stop = mFeedback.stop && mFeedback.stop->load();
        const bool limit = mConfig.maxSteps > 0 && mStep >= mConfig.maxSteps;
        if (stop || limit) {
            if (lossCount > 0)
                progress(lr);
            if (!saved)
                saveCheckpoint(lastPath);
            result.interrupted = stop && !limit;
            break;
        }
    }
    if (mStep >= total && !fs::exists(lastPath, ec))
        saveCheckpoint(lastPath);
    result.finished = !result.interrupted;
    result.steps = mStep;
    result.lastCheckpoint = lastPath;
    if (mBestStep >= 0) {
        result.bestCheckpoint = bestPath;
        result.bestStep = mBestStep;
        result.bestGIoU = mBestGIoU;
        result.bestMetrics = mBestMetrics;
    }
    appendLog({{"type", result.interrupted ? "interrupted" : "end"}, {"time", isoNow()}, {"step", mStep}});
    if (result.interrupted) {
        message("interrupted at step " + std::to_string(mStep) + "; resume with --resume " + lastPath);
        return result;
    }
    if (!mConfig.exportDir.empty()) {
        const std::string source = mBestStep >= 0 ? bestPath : lastPath;
        exportBundle(source, mConfig.exportDir, mConfig.overwrite, mConfig.name);
        result.exportedBundle = mConfig.exportDir;
        message("exported " + std::string(mBestStep >= 0 ? "the best" : "the last") + " checkpoint (step " +
                std::to_string(mBestStep >= 0 ? mBestStep : mStep) + ") as model bundle " + mConfig.exportDir);
    }
    return result;
}

void LoraTrainer::saveCheckpoint(const std::string &path) const
{
    const bool all = mConfig.initKind() == "scratch";
    std::map<std::string, torch::Tensor> tensors;
    {
        torch::NoGradGuard noGrad;
        for (const auto &p : mModel->named_parameters(true))
            if (all || p.value().requires_grad())
                tensors["param." + p.key()] = p.value().detach().to(torch::kCPU).contiguous();
        for (const auto &b : mModel->named_buffers(true))
            tensors["buffer." + b.key()] = b.value().detach().to(torch::kCPU).contiguous();
        for (auto &[key, t] : mOptimizer->stateTensors())
            tensors["adam." + key] = t;
        {
            at::Generator cpu = at::globalContext().defaultGenerator(torch::kCPU);
            std::lock_guard<std::mutex> lock(cpu.mutex());
            tensors["rng.cpu"] = cpu.get_state().clone();
        }
        if (mDevice.is_cuda()) {
            at::Generator gpu = at::globalContext().defaultGenerator(mDevice);
            std::lock_guard<std::mutex> lock(gpu.mutex());
            tensors["rng.cuda"] = gpu.get_state().clone();
        }
    }
    const int64_t spe = mLoader->stepsPerEpoch();
    std::map<std::string, std::string> meta = {
        {"format", kFormat},
        {"format_version", kFormatVersion},
        {"created", isoNow()},
        {"step", std::to_string(mStep)},
        {"epoch", std::to_string(mStep / spe)},
        {"steps_per_epoch", std::to_string(spe)},
        {"best_step", std::to_string(mBestStep)},
        {"best_giou", std::to_string(mBestGIoU)},
        {"best_metrics", mBestMetrics.dump()},
        {"config", mConfig.toJson().dump()},
        {"model_config", mModel->config().toJson().dump()},
        {"init", mInitInfo.dump()},
        {"lora", nlohmann::json{{"enabled", !mConfig.trainAll}, {"rank", mConfig.loraRank}, {"alpha", mConfig.loraAlpha}}.dump()}};
    std::error_code ec;
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty())
        fs::create_directories(parent, ec);
    SafetensorsWriter::write(path, tensors, meta);
}

TrainConfig LoraTrainer::checkpointConfig(const std::string &checkpointPath)
{
    const SafetensorsFile file = SafetensorsFile::open(checkpointPath);
    checkFormat(file);
    try {
        return TrainConfig::fromJson(nlohmann::json::parse(metadataField(file, "config")), checkpointPath + " (config)");
    } catch (const nlohmann::json::exception &e) {
        throw Error(checkpointPath + ": the stored training configuration is not valid JSON (" + e.what() + ")");
    }
}

namespace {

// Copies "param.*" and "buffer.*" tensors of a checkpoint into the model. Every parameter that
// `mustHave` accepts must be present; unknown names and shape mismatches are errors.
void loadModelTensors(torch::nn::Module &model, const SafetensorsFile &file,
                      const std::function<bool(const std::string &, const torch::Tensor &)> &mustHave)
{
    std::map<std::string, torch::Tensor> params, buffers;
    for (const auto &p : model.named_parameters(true))
        params[p.key()] = p.value();
    for (const auto &b : model.named_buffers(true))
        buffers[b.key()] = b.value();
    std::set<std::string> seen;
    torch::NoGradGuard noGrad;
    for (const std::string &key : file.names()) {
        std::map<std::string, torch::Tensor> *target = nullptr;
        std::string name;
        if (key.rfind("param.", 0) == 0) {
            target = &params;
            name = key.substr(6);
        } else if (key.rfind("buffer.", 0) == 0) {
            target = &buffers;
            name = key.substr(7);
        } else {
            continue;
        }
        auto it = target->find(name);
        if (it == target->end())
            throw Error(file.path() + ": tensor '" + key + "' belongs to no parameter or buffer of the model");
        const torch::Tensor value = file.tensor(key);
        if (value.sizes() != it->second.sizes())
            throw Error(file.path() + ": tensor '" + key + "' has shape " + c10::str(value.sizes()) + ", the model " +
                        c10::str(it->second.sizes()));
        it->second.copy_(value.to(it->second.device(), it->second.scalar_type()));
        seen.insert(key);
    }
    for (const auto &[name, p] : params)
        if (mustHave(name, p) && !seen.count("param." + name))
            throw Error(file.path() + ": trainable parameter '" + name + "' is missing from the checkpoint");
    for (const auto &[name, b] : buffers)
        if (!seen.count("buffer." + name))
            throw Error(file.path() + ": buffer '" + name + "' is missing from the checkpoint");
}

} // namespace

void LoraTrainer::loadCheckpoint(const std::string &path)
{
    const SafetensorsFile file = SafetensorsFile::open(path);
    checkFormat(file);
    const nlohmann::json modelConfig = nlohmann::json::parse(metadataField(file, "model_config"));
    if (modelConfig != mModel->config().toJson())
        throw Error(path + ": the checkpoint's model configuration differs from this run's model");
    const TrainConfig stored = checkpointConfig(path);
    if (stored.trainAll != mConfig.trainAll || (!mConfig.trainAll && stored.loraRank != mConfig.loraRank))
        throw Error(path + ": the checkpoint was trained with different LoRA / train_all settings");
    const bool all = mConfig.initKind() == "scratch";
    loadModelTensors(*mModel, file, [all](const std::string &, const torch::Tensor &p) { return all || p.requires_grad(); });

    std::map<std::string, torch::Tensor> adam;
    for (const std::string &key : file.names())
        if (key.rfind("adam.", 0) == 0)
            adam[key.substr(5)] = file.tensor(key);
    mOptimizer->loadStateTensors(adam, path);

    if (file.contains("rng.cpu")) {
        at::Generator cpu = at::globalContext().defaultGenerator(torch::kCPU);
        std::lock_guard<std::mutex> lock(cpu.mutex());
        cpu.set_state(file.tensor("rng.cpu"));
    }
    if (mDevice.is_cuda() && file.contains("rng.cuda")) {
        at::Generator gpu = at::globalContext().defaultGenerator(mDevice);
        std::lock_guard<std::mutex> lock(gpu.mutex());
        gpu.set_state(file.tensor("rng.cuda"));
    }
    mStep = parseInt(metadataField(file, "step"), path + ": step");
    if (mStep < 0 || mStep > totalSteps())
        throw Error(path + ": step " + std::to_string(mStep) + " is outside this run's " + std::to_string(totalSteps()) + " steps");
    mBestStep = parseInt(metadataField(file, "best_step"), path + ": best_step");
    try {
        mBestGIoU = std::stod(metadataField(file, "best_giou"));
        mBestMetrics = nlohmann::json::parse(metadataField(file, "best_metrics"));
    } catch (const std::exception &) {
        throw Error(path + ": invalid best_giou / best_metrics metadata");
    }
    message("resumed from " + path + " at step " + std::to_string(mStep));
}

void LoraTrainer::exportBundle(const std::string &checkpointPath, const std::string &bundleDir, bool overwrite,
                               const std::string &name)
{
    const SafetensorsFile file = SafetensorsFile::open(checkpointPath);
    checkFormat(file);
    const TrainConfig c = checkpointConfig(checkpointPath);
    Built built = buildModel(c);
    RSRefSegModel model = built.model;
    if (nlohmann::json::parse(metadataField(file, "model_config")) != model->config().toJson())
        throw Error(checkpointPath + ": the checkpoint's model configuration differs from its model source's");
    for (auto &p : model->named_parameters(true))
        p.value().set_requires_grad(c.trainAll || isTrainableName(p.key()));
    const bool all = c.initKind() == "scratch";
    loadModelTensors(*model, file, [all](const std::string &, const torch::Tensor &p) { return all || p.requires_grad(); });
    model->mergeLora();
    model->eval();

    BundleManifest m;
    m.config = model->config();
    m.name = !name.empty() ? name : fs::path(bundleDir).filename().string();
    m.trained = true;
    const std::string step = metadataField(file, "step");
    m.description = "Trained with 'rsrefseg train' (" + c.initKind() + " start, " + step + " steps on " +
                    fs::path(c.trainData).filename().string() + ")";
    nlohmann::json best = nlohmann::json::parse(metadataField(file, "best_metrics"));
    m.provenance = {{"created", isoNow()},
                    {"tool", "rsrefseg train"},
                    {"init", nlohmann::json::parse(metadataField(file, "init"))},
                    {"train_data", c.trainData},
                    {"val_data", c.valData},
                    {"steps", parseInt(step, checkpointPath + ": step")},
                    {"seed", c.seed},
                    {"lora", {{"enabled", !c.trainAll}, {"rank", c.loraRank}, {"alpha", c.loraAlpha}, {"merged", !c.trainAll}}},
                    {"validation", best},
                    {"checkpoint", {{"file", fs::path(checkpointPath).filename().string()},
                                    {"fingerprint", FileFingerprint::ofFile(checkpointPath)}}},
                    {"training_config", c.toJson()}};
    ModelBundle::write(bundleDir, *model, m, built.tokenizerPath, overwrite);
}

} // namespace rsrefseg
