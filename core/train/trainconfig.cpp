#include "train/trainconfig.h"

#include "common/error.h"

#include <cmath>
#include <functional>
#include <vector>

namespace rsrefseg {

namespace {

// One JSON key bound to one field: how to write it and how to read it.
struct Field
{
    const char *key;
    std::function<nlohmann::json(const TrainConfig &)> get;
    std::function<void(TrainConfig &, const nlohmann::json &)> set;
};

template <typename T> Field bind(const char *key, T TrainConfig::*member)
{
    return {key, [member](const TrainConfig &c) { return nlohmann::json(c.*member); },
            [member](TrainConfig &c, const nlohmann::json &j) { c.*member = j.get<T>(); }};
}

const std::vector<Field> &fields()
{
    static const std::vector<Field> all = {
        bind("train_data", &TrainConfig::trainData),
        bind("train_images", &TrainConfig::trainImages),
        bind("train_split", &TrainConfig::trainSplit),
        bind("val_data", &TrainConfig::valData),
        bind("val_images", &TrainConfig::valImages),
        bind("val_split", &TrainConfig::valSplit),
        bind("val_limit", &TrainConfig::valLimit),
        bind("init_bundle", &TrainConfig::initBundle),
        bind("siglip", &TrainConfig::siglipDir),
        bind("sam", &TrainConfig::samDir),
        bind("init_checkpoint", &TrainConfig::initCheckpoint),
        {"init_lora_alpha",
         [](const TrainConfig &c) { return c.initLoraAlpha ? nlohmann::json(*c.initLoraAlpha) : nlohmann::json(); },
         [](TrainConfig &c, const nlohmann::json &j) {
             if (j.is_null())
                 c.initLoraAlpha.reset();
             else
                 c.initLoraAlpha = j.get<double>();
         }},
        bind("architecture", &TrainConfig::architecture),
        bind("tokenizer", &TrainConfig::tokenizer),
        bind("train_all", &TrainConfig::trainAll),
        bind("lora_rank", &TrainConfig::loraRank),
        bind("lora_alpha", &TrainConfig::loraAlpha),
        bind("lora_dropout", &TrainConfig::loraDropout),
        bind("epochs", &TrainConfig::epochs),
        bind("batch_size", &TrainConfig::batchSize),
        bind("group_by_image", &TrainConfig::groupByImage),
        bind("lr", &TrainConfig::lr),
        bind("weight_decay", &TrainConfig::weightDecay),
        bind("beta1", &TrainConfig::beta1),
        bind("beta2", &TrainConfig::beta2),
        bind("adam_eps", &TrainConfig::adamEps),
        bind("warmup_epochs", &TrainConfig::warmupEpochs),
        bind("warmup_steps", &TrainConfig::warmupSteps),
        bind("warmup_start_factor", &TrainConfig::warmupStartFactor),
        bind("min_lr_ratio", &TrainConfig::minLrRatio),
        bind("loss_weight", &TrainConfig::lossWeight),
        bind("dice_weight", &TrainConfig::diceWeight),
        bind("activation_weight", &TrainConfig::activationWeight),
        bind("grad_clip", &TrainConfig::gradClip),
        bind("val_every", &TrainConfig::valEvery),
        bind("checkpoint_every", &TrainConfig::checkpointEvery),
        bind("out", &TrainConfig::outDir),
        bind("export", &TrainConfig::exportDir),
        bind("name", &TrainConfig::name),
        bind("overwrite", &TrainConfig::overwrite),
        bind("seed", &TrainConfig::seed),
        bind("device", &TrainConfig::device),
        bind("precision", &TrainConfig::precision),
        bind("threads", &TrainConfig::threads),
        bind("log_every", &TrainConfig::logEvery),
        bind("max_steps", &TrainConfig::maxSteps),
    };
    return all;
}

void require(bool ok, const std::string &message)
{
    if (!ok)
        throw Error("training configuration: " + message);
}

} // namespace

nlohmann::json TrainConfig::toJson() const
{
    nlohmann::json j = nlohmann::json::object();
    for (const Field &f : fields())
        j[f.key] = f.get(*this);
    return j;
}

TrainConfig TrainConfig::fromJson(const nlohmann::json &json, const std::string &source)
{
    if (!json.is_object())
        throw Error(source + ": the training configuration must be a JSON object");
    TrainConfig c;
    for (const auto &item : json.items()) {
        const Field *field = nullptr;
        for (const Field &f : fields())
            if (item.key() == f.key)
                field = &f;
        if (!field)
            throw Error(source + ": unknown training option '" + item.key() + "'");
        try {
            field->set(c, item.value());
        } catch (const nlohmann::json::exception &) {
            throw Error(source + ": option '" + item.key() + "' has the wrong type (" + item.value().dump() + ")");
        }
    }
    return c;
}

void TrainConfig::validate() const
{
    require(!trainData.empty(), "train_data (the training JSONL) is required");
    require(!trainImages.empty(), "train_images (the training image folder) is required");
    require(valData.empty() == valImages.empty(), "val_data and val_images go together");
    require(!outDir.empty(), "out (the run folder for checkpoints and logs) is required");
    const int sources = int(!initBundle.empty()) + int(!siglipDir.empty() || !samDir.empty()) + int(!architecture.empty());
    require(sources == 1, "give exactly one model source: init_bundle, siglip + sam, or architecture (from scratch)");
    require(siglipDir.empty() == samDir.empty(), "siglip and sam folders go together");
    require(initCheckpoint.empty() || !siglipDir.empty(), "init_checkpoint needs siglip + sam folders");
    require(architecture.empty() || !tokenizer.empty(), "a from-scratch architecture needs tokenizer (a sentencepiece model)");
    require(loraRank >= 1 && loraRank <= 1024, "lora_rank must be 1..1024");
    require(loraAlpha > 0.0 && std::isfinite(loraAlpha), "lora_alpha must be positive");
    require(loraDropout >= 0.0 && loraDropout < 1.0, "lora_dropout must be in [0, 1)");
    require(!initLoraAlpha || *initLoraAlpha > 0.0, "init_lora_alpha must be positive");
    require(epochs >= 1 && epochs <= 100000, "epochs must be 1..100000");
    require(batchSize >= 1 && batchSize <= 4096, "batch_size must be 1..4096");
    require(lr > 0.0 && std::isfinite(lr), "lr must be positive");
    require(weightDecay >= 0.0 && std::isfinite(weightDecay), "weight_decay must be >= 0");
    require(beta1 >= 0.0 && beta1 < 1.0 && beta2 >= 0.0 && beta2 < 1.0, "beta1/beta2 must be in [0, 1)");
    require(adamEps > 0.0, "adam_eps must be positive");
    require(warmupEpochs >= 0.0 && std::isfinite(warmupEpochs), "warmup_epochs must be >= 0");
    require(warmupStartFactor > 0.0 && warmupStartFactor <= 1.0, "warmup_start_factor must be in (0, 1]");
    require(minLrRatio >= 0.0 && minLrRatio <= 1.0, "min_lr_ratio must be in [0, 1]");
    require(lossWeight > 0.0 && std::isfinite(lossWeight), "loss_weight must be positive");
    require(diceWeight >= 0.0 && std::isfinite(diceWeight), "dice_weight must be >= 0");
    require(activationWeight >= 0.0 && std::isfinite(activationWeight), "activation_weight must be >= 0");
    require(gradClip >= 0.0, "grad_clip must be >= 0");
    require(valEvery >= 1, "val_every must be >= 1 (epochs)");
    require(valLimit >= 0, "val_limit must be >= 0");
    require(checkpointEvery >= 0, "checkpoint_every must be >= 0");
    require(precision == "auto" || precision == "f32" || precision == "bf16", "precision must be auto, f32 or bf16");
    require(threads >= 0 && threads <= 1024, "threads must be 0..1024");
    require(logEvery >= 1, "log_every must be >= 1");
    require(maxSteps >= 0, "max_steps must be >= 0");
}

std::string TrainConfig::initKind() const
{
    if (!initBundle.empty())
        return "bundle";
    if (!architecture.empty())
        return "scratch";
    return "hf";
}

int64_t TrainConfig::warmupStepsFor(int64_t stepsPerEpoch) const
{
    if (warmupSteps >= 0)
        return warmupSteps;
    return static_cast<int64_t>(std::llround(warmupEpochs * static_cast<double>(stepsPerEpoch)));
}

} // namespace rsrefseg
