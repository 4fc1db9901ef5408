#include "model/rsrefseg/modelimporter.h"

#include "common/error.h"
#include "model/rsrefseg/checkpointnames.h"
#include "model/rsrefseg/filefingerprint.h"
#include "model/weights/statedictloader.h"
#include "model/weights/weightfile.h"

#include <chrono>
#include <ctime>
#include <filesystem>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

const char *kBackbonePe = "backbone.shared_image_embedding.positional_embedding";
const char *kPromptPe = "sam_prompt_encoder.model.shared_embedding.positional_embedding";

std::string isoNow()
{
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

std::string requireFile(const fs::path &p, const std::string &what)
{
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
        throw Error(what + ": '" + p.string() + "' not found");
    return p.string();
}

std::string weightsFingerprint(const std::string &dir)
{
    const fs::path single = fs::path(dir) / "model.safetensors";
    std::error_code ec;
    if (fs::is_regular_file(single, ec))
        return FileFingerprint::ofFile(single.string());
    return FileFingerprint::ofFile((fs::path(dir) / "model.safetensors.index.json").string());
}

} // namespace

RSRefSegModel ModelImporter::build(const Options &o, Report &report)
{
    if (o.siglipDir.empty() || o.samDir.empty())
        throw Error("model import needs --siglip DIR and --sam DIR (their config.json files define the architecture)");
    RSRefSegConfig config;
    config.siglip = SiglipConfig::fromFile(requireFile(fs::path(o.siglipDir) / "config.json", "SigLIP config"));
    config.sam = SamConfig::fromFile(requireFile(fs::path(o.samDir) / "config.json", "SAM config"));
    requireFile(fs::path(o.siglipDir) / "spiece.model", "SigLIP tokenizer");

    nlohmann::json sources = nlohmann::json::array();
    TensorMap merged = CheckpointNames::fromHfSiglip(WeightFile::readHfFolder(o.siglipDir), o.siglipDir);
    sources.push_back({{"kind", "siglip"}, {"path", o.siglipDir}, {"fingerprint", weightsFingerprint(o.siglipDir)}});
    for (auto &[name, t] : CheckpointNames::fromHfSam(WeightFile::readHfFolder(o.samDir), o.samDir))
        merged[name] = t;
    sources.push_back({{"kind", "sam"}, {"path", o.samDir}, {"fingerprint", weightsFingerprint(o.samDir)}});
    report.fromHf = static_cast<int64_t>(merged.size());

    TensorMap checkpoint;
    if (!o.checkpoint.empty()) {
        checkpoint = CheckpointNames::fromRSRefSegCheckpoint(WeightFile::readAll(o.checkpoint), o.checkpoint);
        sources.push_back({{"kind", "rsrefseg-checkpoint"},
                           {"path", o.checkpoint},
                           {"fingerprint", FileFingerprint::ofFile(o.checkpoint)}});
        const int64_t times = CheckpointNames::downSpatialTimes(checkpoint);
        if (times > 0)
            config.downSpatialTimes = times;
    }
    config.validate("model import");

    // LoRA: rank from the checkpoint, alpha from the user (the paper: r = alpha = 16).
    const int64_t rank = CheckpointNames::loraRank(checkpoint, o.checkpoint);
    if (o.loraRank && rank != 0 && *o.loraRank != rank)
        throw Error(o.checkpoint + ": its LoRA rank is " + std::to_string(rank) + ", but --lora-rank " +
                    std::to_string(*o.loraRank) + " was given");
    double alpha = 0.0;
    if (rank > 0) {
        if (o.loraAlpha)
            alpha = *o.loraAlpha;
        else if (rank == 16)
            alpha = 16.0;
        else
            throw Error(o.checkpoint + ": the checkpoint's LoRA rank is " + std::to_string(rank) +
                        "; LoRA alpha is not stored in checkpoints, give it with --lora-alpha "
                        "(the paper's default alpha 16 belongs to rank 16)");
        if (!(alpha > 0.0))
            throw Error("--lora-alpha must be positive");
    }

    // Every tensor the checkpoint holds wins.
    for (auto &[name, t] : checkpoint)
        merged[name] = t;
    report.fromCheckpoint = static_cast<int64_t>(checkpoint.size());
    // Tie the two copies of SAM's positional embedding when a file carries only one.
    if (merged.count(kBackbonePe) && !merged.count(kPromptPe))
        merged[kPromptPe] = merged[kBackbonePe];
    if (merged.count(kPromptPe) && !merged.count(kBackbonePe))
        merged[kBackbonePe] = merged[kPromptPe];

    RSRefSegModel model(config);
    if (rank > 0)
        model->enableLora(rank, alpha, 0.0);

    StateDictLoader::Options loadOptions;
    if (checkpoint.empty()) {
        // HF folders alone: the prompter is not part of them. It keeps its initialisation and
        // the bundle is marked untrained.
        for (const auto &p : model->named_parameters(true))
            if (p.key().rfind("prompter_", 0) == 0)
                loadOptions.optional.insert(p.key());
        for (const auto &b : model->named_buffers(true))
            if (b.key().rfind("prompter_", 0) == 0)
                loadOptions.optional.insert(b.key());
        report.warnings.push_back("no checkpoint: the prompter is randomly initialised; the bundle is marked untrained");
    }
    StateDictLoader::load(*model, merged, o.checkpoint.empty() ? o.siglipDir + " + " + o.samDir : o.checkpoint, loadOptions);
    model->mergeLora();
    model->eval();

    report.loraRank = rank;
    report.loraAlpha = alpha;
    BundleManifest &m = report.manifest;
    m.config = config;
    m.name = o.name.empty() ? fs::path(o.outDir).filename().string() : o.name;
    m.trained = o.trained.value_or(!o.checkpoint.empty());
    m.weightsDtype = o.dtype;
    m.description = o.checkpoint.empty() ? "SigLIP + SAM weights without an RSRefSeg checkpoint (untrained prompter)"
                                         : "Imported RSRefSeg checkpoint";
    m.provenance = {{"created", isoNow()},
                    {"tool", "rsrefseg model import"},
                    {"sources", sources},
                    {"lora", {{"rank", rank}, {"alpha", alpha}, {"merged", rank > 0}}}};
    return model;
}

ModelImporter::Report ModelImporter::run(const Options &o)
{
    if (o.outDir.empty())
        throw Error("model import needs --out BUNDLE");
    ModelBundle::parseDtype(o.dtype);
    std::error_code ec;
    if (fs::exists(o.outDir, ec) && !o.overwrite)
        throw Error("'" + o.outDir + "' already exists (use --overwrite to replace it)");
    Report report;
    RSRefSegModel model = build(o, report);
    ModelBundle::write(o.outDir, *model, report.manifest, (fs::path(o.siglipDir) / "spiece.model").string(), o.overwrite);
    report.manifest = ModelBundle::open(o.outDir).manifest();
    return report;
}

} // namespace rsrefseg
