#include "traincommand.h"

#include "progressreporter.h"

#include "common/error.h"
#include "engine/interruptguard.h"
#include "train/loratrainer.h"
#include "train/trainconfig.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>

namespace rsrefseg::cli {

namespace {

enum class Kind { Text, Int, Unsigned, Real, Flag };

struct Flag
{
    const char *name; // without the leading dashes
    const char *key;  // TrainConfig JSON key
    Kind kind;
    const char *help;
};

// Every TrainConfig key, as a flag. The help strings name the reference defaults.
const Flag kFlags[] = {
    {"train-data", "train_data", Kind::Text, "Training annotations (RSRefSeg JSONL)"},
    {"train-images", "train_images", Kind::Text, "Folder of the training images"},
    {"train-split", "train_split", Kind::Text, "Keep only training lines of this split"},
    {"val-data", "val_data", Kind::Text, "Validation annotations (RSRefSeg JSONL)"},
    {"val-images", "val_images", Kind::Text, "Folder of the validation images"},
    {"val-split", "val_split", Kind::Text, "Keep only validation lines of this split"},
    {"val-limit", "val_limit", Kind::Int, "Validate on the first N samples only (0 = all)"},
    {"init-bundle", "init_bundle", Kind::Text, "Start from this model bundle (e.g. imported SigLIP + SAM)"},
    {"siglip", "siglip", Kind::Text, "Start from this HF SigLIP folder (with --sam)"},
    {"sam", "sam", Kind::Text, "Start from this HF SAM folder (with --siglip)"},
    {"init-checkpoint", "init_checkpoint", Kind::Text, "RSRefSeg checkpoint on top of --siglip/--sam"},
    {"init-lora-alpha", "init_lora_alpha", Kind::Real, "LoRA alpha of --init-checkpoint"},
    {"architecture", "architecture", Kind::Text, "From scratch: JSON with HF-style \"siglip\" and \"sam\" configs"},
    {"tokenizer", "tokenizer", Kind::Text, "SigLIP sentencepiece model (required from scratch)"},
    {"train-all", "train_all", Kind::Flag, "Train every parameter, no LoRA (small from-scratch models)"},
    {"lora-rank", "lora_rank", Kind::Int, "LoRA rank (16)"},
    {"lora-alpha", "lora_alpha", Kind::Real, "LoRA alpha (16)"},
    {"lora-dropout", "lora_dropout", Kind::Real, "LoRA dropout (0.1)"},
    {"epochs", "epochs", Kind::Int, "Epochs (200)"},
    {"batch-size", "batch_size", Kind::Int, "Samples per step (1)"},
    {"group-by-image", "group_by_image", Kind::Flag, "Keep the sentences of one image in the same batch"},
    {"lr", "lr", Kind::Real, "Peak learning rate (1e-4)"},
    {"weight-decay", "weight_decay", Kind::Real, "AdamW weight decay (0.05)"},
    {"beta1", "beta1", Kind::Real, "AdamW beta1 (0.9)"},
    {"beta2", "beta2", Kind::Real, "AdamW beta2 (0.999)"},
    {"adam-eps", "adam_eps", Kind::Real, "AdamW epsilon (1e-8)"},
    {"warmup-epochs", "warmup_epochs", Kind::Real, "Linear warm-up length in epochs (5)"},
    {"warmup-steps", "warmup_steps", Kind::Int, "Warm-up length in steps (overrides --warmup-epochs)"},
    {"warmup-start-factor", "warmup_start_factor", Kind::Real, "Warm-up starts at this x lr (0.01)"},
    {"min-lr-ratio", "min_lr_ratio", Kind::Real, "Cosine decay ends at this x lr (0.001)"},
    {"loss-weight", "loss_weight", Kind::Real, "Weight of the BCE loss (5)"},
    {"dice-weight", "dice_weight", Kind::Real, "Add this x soft-Dice loss (0 = off, as the reference)"},
    {"activation-weight", "activation_weight", Kind::Real,
     "Add this x (BCE + Dice) on the SigLIP activation map vs the pooled mask (0 = off)"},
    {"grad-clip", "grad_clip", Kind::Real, "Clip the gradient norm (0 = off)"},
    {"val-every", "val_every", Kind::Int, "Validate every N epochs (5)"},
    {"checkpoint-every", "checkpoint_every", Kind::Int, "Also write last.safetensors every N steps (0 = off)"},
    {"out", "out", Kind::Text, "Run folder: checkpoints, train_log.jsonl, config.json"},
    {"export", "export", Kind::Text, "Write a model bundle here when training ends (best, else last checkpoint)"},
    {"name", "name", Kind::Text, "Name of the exported bundle"},
    {"overwrite", "overwrite", Kind::Flag, "Replace an existing --export bundle"},
    {"seed", "seed", Kind::Unsigned, "Random seed (initialisation, data order, dropout)"},
    {"device", "device", Kind::Text, "cpu, cuda or cuda:N"},
    {"precision", "precision", Kind::Text, "auto (bf16 on GPU, f32 on CPU), f32 or bf16"},
    {"threads", "threads", Kind::Int, "LibTorch threads (0 = all cores)"},
    {"log-every", "log_every", Kind::Int, "Steps between progress lines (10)"},
    {"max-steps", "max_steps", Kind::Int, "Stop after this step with a checkpoint (0 = all epochs)"},
};

// What may change when a run is resumed: nothing that changes the maths.
const std::set<std::string> kResumeOverrides = {"threads", "device", "log_every", "max_steps", "export",
                                                "name", "overwrite", "checkpoint_every", "val_limit"};

struct TrainArgs
{
    std::string config;
    std::string resume;
    std::string exportFrom;
    std::string progress = "text";
    std::map<std::string, std::string> values; // by flag name
    std::map<std::string, bool> flags;
    std::map<std::string, CLI::Option *> options;
};

nlohmann::json parseValue(const Flag &f, const std::string &text)
{
    const std::string option = std::string("--") + f.name;
    try {
        size_t used = 0;
        switch (f.kind) {
        case Kind::Text:
            return text;
        case Kind::Int: {
            const long long v = std::stoll(text, &used);
            if (used != text.size())
                break;
            return v;
        }
        case Kind::Unsigned: {
            if (text.find('-') != std::string::npos)
                break;
            const unsigned long long v = std::stoull(text, &used);
            if (used != text.size())
                break;
            return v;
        }
        case Kind::Real: {
            const double v = std::stod(text, &used);
            if (used != text.size() || !std::isfinite(v))
                break;
            return v;
        }
        case Kind::Flag:
            return true;
        }
    } catch (const std::exception &) {
    }
    throw Error(option + ": '" + text + "' is not a valid " +
                (f.kind == Kind::Real ? "number" : f.kind == Kind::Text ? "value" : "whole number"));
}

std::string duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "--:--:--";
    const auto s = static_cast<long long>(seconds + 0.5);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    return buf;
}

nlohmann::json readConfigFile(const std::string &path)
{
    std::ifstream in(path);
    if (!in)
        throw Error("--config '" + path + "' cannot be read");
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception &e) {
        throw Error("--config '" + path + "': invalid JSON (" + e.what() + ")");
    }
}

void run(const TrainArgs &a, ProgressReporter &reporter)
{
    // Flags given on the command line, as JSON values under the configuration keys.
    nlohmann::json given = nlohmann::json::object();
    for (const Flag &f : kFlags)
        if (a.options.at(f.name)->count() > 0)
            given[f.key] = f.kind == Kind::Flag ? nlohmann::json(a.flags.at(f.name)) : parseValue(f, a.values.at(f.name));

    if (!a.exportFrom.empty()) {
        if (!given.contains("export"))
            throw Error("--export-from needs --export DIR (the bundle to write)");
        LoraTrainer::exportBundle(a.exportFrom, given["export"].get<std::string>(), given.value("overwrite", false),
                                  given.value("name", std::string()));
        std::cout << "Exported " << a.exportFrom << " as model bundle " << given["export"].get<std::string>() << "\n";
        reporter.result({{"command", "train"}, {"model_bundle", given["export"].get<std::string>()}});
        return;
    }

    TrainConfig config;
    if (!a.resume.empty()) {
        if (!a.config.empty())
            throw Error("--resume takes the configuration from the checkpoint; do not combine it with --config");
        nlohmann::json stored = LoraTrainer::checkpointConfig(a.resume).toJson();
        for (const auto &item : given.items()) {
            // Repeating a stored value is fine (scripts pass --out again); changing it is not.
            if (!kResumeOverrides.count(item.key()) && stored.value(item.key(), nlohmann::json()) != item.value())
                throw Error("--resume: '" + item.key() + "' cannot change when a run is resumed (it is part of the checkpoint)");
            stored[item.key()] = item.value();
        }
        config = TrainConfig::fromJson(stored, a.resume);
    } else {
        nlohmann::json merged = a.config.empty() ? nlohmann::json::object() : readConfigFile(a.config);
        if (!merged.is_object())
            throw Error("--config '" + a.config + "': the file must hold one JSON object");
        for (const auto &item : given.items())
            merged[item.key()] = item.value();
        config = TrainConfig::fromJson(merged, a.config.empty() ? std::string("command line") : a.config);
    }
    config.validate();

    LoraTrainer::Feedback feedback;
    feedback.message = [&reporter](const std::string &text) {
        if (reporter.jsonl())
            reporter.info(text);
        else
            std::cerr << text << "\n";
    };
    feedback.progress = [&reporter](const LoraTrainer::Progress &p) {
        if (reporter.jsonl()) {
            ProgressInfo info;
            info.stage = "train";
            info.unit = "steps";
            info.done = p.step;
            info.total = p.totalSteps;
            info.fraction = p.totalSteps > 0 ? static_cast<double>(p.step) / static_cast<double>(p.totalSteps) : 0.0;
            char detail[96];
            std::snprintf(detail, sizeof detail, "epoch %lld/%lld loss %.4f", static_cast<long long>(p.epoch),
                          static_cast<long long>(p.epochs), p.loss);
            info.detail = detail;
            reporter.progress(info, p.etaSeconds);
            return;
        }
        char line[256];
        std::snprintf(line, sizeof line, "epoch %lld/%lld  step %lld/%lld  loss %.4f  lr %.3g  %.2f it/s  ETA %s",
                      static_cast<long long>(p.epoch), static_cast<long long>(p.epochs), static_cast<long long>(p.step),
                      static_cast<long long>(p.totalSteps), p.loss, p.lr, p.stepsPerSecond, duration(p.etaSeconds).c_str());
        std::cerr << line << std::endl;
    };
    feedback.stop = &InterruptGuard::flag();

    LoraTrainer trainer(config, feedback);
    if (!a.resume.empty())
        trainer.loadCheckpoint(a.resume);
    LoraTrainer::Result r;
    {
        // Ctrl-C or SIGTERM during the steps: a checkpoint after the current step, exit 130; a
        // second signal aborts. No notice in jsonl mode: the handler's text would break the lines.
        InterruptGuard interrupt(
            {true, reporter.jsonl() ? std::string()
                                    : "\nrsrefseg train: interrupted, writing a checkpoint after this step (Ctrl-C again "
                                      "to abort)\n"});
        r = trainer.run();
    }
    if (!r.interrupted)
        reporter.result({{"command", "train"},
                         {"steps", r.steps},
                         {"total_steps", trainer.totalSteps()},
                         {"last_checkpoint", r.lastCheckpoint},
                         {"best_checkpoint", r.bestCheckpoint},
                         {"model_bundle", r.exportedBundle}});
    std::cout << "Steps:           " << r.steps << " of " << trainer.totalSteps() << "\n"
              << "Last checkpoint: " << r.lastCheckpoint << "\n";
    if (r.bestStep >= 0)
        std::cout << "Best checkpoint: " << r.bestCheckpoint << " (step " << r.bestStep << ", gIoU "
                  << 100.0 * r.bestGIoU << ")\n";
    if (!r.exportedBundle.empty())
        std::cout << "Model bundle:    " << r.exportedBundle << "\n";
    if (r.interrupted) {
        std::cout << "Interrupted: resume with  rsrefseg train --resume " << r.lastCheckpoint << "\n";
        throw CancelledError();
    }
}

} // namespace

void addTrainCommand(CLI::App &app)
{
    auto args = std::make_shared<TrainArgs>();
    CLI::App *cmd = app.add_subcommand("train", "Train an RSRefSeg model with LoRA (the RSRefSeg-b recipe)");
    cmd->add_option("--config", args->config, "Training configuration (JSON object; keys are the flag names with '_')");
    cmd->add_option("--resume", args->resume, "Continue the run of this checkpoint (e.g. RUN/last.safetensors)");
    cmd->add_option("--export-from", args->exportFrom, "Only export this checkpoint as a bundle (with --export)");
    for (const Flag &f : kFlags) {
        const std::string name = std::string("--") + f.name;
        if (f.kind == Kind::Flag)
            args->options[f.name] = cmd->add_flag(name, args->flags[f.name], f.help);
        else
            args->options[f.name] = cmd->add_option(name, args->values[f.name], f.help)
                                        ->type_name(f.kind == Kind::Text ? "TEXT" : f.kind == Kind::Real ? "NUMBER" : "INT");
    }
    ProgressReporter::addOption(cmd, args->progress);
    cmd->footer("Example (the demo model): see resources/models/make-demo-model.sh\n"
                "Ctrl-C (SIGINT) or SIGTERM: a checkpoint after the current step, exit 130; --resume continues.");
    cmd->callback([args] {
        ProgressReporter reporter(args->progress, "train", false);
        reporter.run([&] { run(*args, reporter); });
    });
}

} // namespace rsrefseg::cli
