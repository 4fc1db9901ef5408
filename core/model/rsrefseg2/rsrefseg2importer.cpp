#include "model/rsrefseg2/rsrefseg2importer.h"

#include "common/error.h"
#include "model/rsrefseg/checkpointnames.h"
#include "model/rsrefseg2/rsrefseg2checkpoint.h"
#include "model/weights/statedictloader.h"
#include "model/weights/weightfile.h"

#include <torch/torch.h>

#include <filesystem>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

bool startsWith(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

// SAM 2.1's own checkpoint ({'model': SAM2Base state dict}) under RSRefSeg 2's names; the video
// memory modules RSRefSeg 2 deletes are left out.
std::map<std::string, torch::Tensor> samTensors(const std::string &path)
{
    std::map<std::string, torch::Tensor> out;
    for (auto &[name, tensor] : WeightFile::readAll(path))
        if (startsWith(name, "image_encoder.") || startsWith(name, "sam_prompt_encoder.") ||
            startsWith(name, "sam_mask_decoder.") || name == "no_mem_embed")
            out["backbone.model." + name] = tensor.is_floating_point() ? tensor.to(torch::kFloat32) : tensor;
    if (out.empty())
        throw Error(path + ": no SAM 2 tensors (image_encoder.*, sam_mask_decoder.*) in this file; --sam takes the "
                    "SAM 2.1 checkpoint, e.g. sam2.1_hiera_large.pt");
    return out;
}

// The flag that supplies a missing tensor.
std::string flagFor(const std::string &name)
{
    if (startsWith(name, "clip_"))
        return "--siglip (a Hugging Face SigLIP 2 folder)";
    if (startsWith(name, "backbone.model."))
        return "--sam (the SAM 2.1 .pt)";
    return "a complete RSRefSeg 2 --checkpoint";
}

std::string existingFile(const std::string &given, const std::string &dir, const char *name)
{
    if (!given.empty())
        return given;
    if (dir.empty())
        return {};
    const std::string candidate = (fs::path(dir) / name).string();
    std::error_code ec;
    return fs::is_regular_file(candidate, ec) ? candidate : std::string();
}

// Every model tensor present with the model's shape; the first missing one names its flag.
void checkComplete(const torch::nn::Module &model, const std::map<std::string, torch::Tensor> &tensors,
                   const std::string &checkpoint, const std::string &config)
{
    auto check = [&](const std::string &name, const torch::Tensor &value) {
        const auto it = tensors.find(name);
        if (it == tensors.end())
            throw Error(checkpoint + ": lacks tensor '" + name + "'; give " + flagFor(name));
        if (it->second.sizes() != value.sizes())
            throw Error("tensor '" + name + "' is " + c10::str(it->second.sizes()) + " in " + checkpoint + " but " +
                        c10::str(value.sizes()) + " in the configuration (" + config + ")");
    };
    for (const auto &p : model.named_parameters(true))
        check(p.key(), p.value());
    for (const auto &b : model.named_buffers(true))
        check(b.key(), b.value());
}

} // namespace

RSRefSeg2Model RSRefSeg2Importer::build(const Options &o, Report &report)
{
    if (o.checkpoint.empty())
        throw Error("an RSRefSeg 2 import needs --checkpoint (the released .pth or merged safetensors)");
    const std::string configName = o.configPath.empty() ? "built-in rsrefseg2-full config" : o.configPath;
    const RSRefSeg2Config config = o.configPath.empty() ? RSRefSeg2Config::full() : RSRefSeg2Config::fromFile(o.configPath);

    RSRefSeg2Checkpoint::Result ckpt = RSRefSeg2Checkpoint::read(o.checkpoint, config.lora);
    report.loraRank = ckpt.loraRank;
    report.foldedAdapters = ckpt.foldedAdapters;
    report.checkpointDtype = ckpt.storedDtype;
    report.fromCheckpoint = static_cast<int64_t>(ckpt.tensors.size());
    if (ckpt.loraRank != 0 && ckpt.loraRank != config.lora.r)
        throw Error(o.checkpoint + ": its LoRA rank is " + std::to_string(ckpt.loraRank) + " but the configuration (" +
                    configName + ") says lora.r = " + std::to_string(config.lora.r));
    std::map<std::string, torch::Tensor> tensors = std::move(ckpt.tensors);
    if (!o.siglipDir.empty())
        for (auto &[name, t] : CheckpointNames::fromHfSiglip(WeightFile::readHfFolder(o.siglipDir), o.siglipDir))
            if (tensors.emplace(name, t.is_floating_point() ? t.to(torch::kFloat32) : t).second)
                ++report.fromSiglip;
    if (!o.samFile.empty())
        for (auto &[name, t] : samTensors(o.samFile))
            if (tensors.emplace(name, t).second)
                ++report.fromSam;

    RSRefSeg2Model model(config);
    checkComplete(*model, tensors, o.checkpoint, configName);
    StateDictLoader::Options loadOptions;
    loadOptions.allowUnexpected = !o.siglipDir.empty() || !o.samFile.empty(); // unused parts of the base models
    StateDictLoader::load(*model, tensors, o.checkpoint, loadOptions);
    model->eval();
    return model;
}

RSRefSeg2Importer::Report RSRefSeg2Importer::run(const Options &o)
{
    if (o.outDir.empty())
        throw Error("an import needs --out (the bundle folder to create)");
    const std::string tokenizer = existingFile(o.tokenizer, o.siglipDir, "tokenizer.model");
    if (tokenizer.empty())
        throw Error("an RSRefSeg 2 import needs the Gemma tokenizer: give --tokenizer tokenizer.model (or --siglip with one)");
    std::error_code ec;
    if (!fs::is_regular_file(tokenizer, ec))
        throw Error("tokenizer model '" + tokenizer + "' not found");
    const std::string tokenizerConfig = existingFile(o.tokenizerConfig, o.siglipDir, "tokenizer_config.json");

    Report report;
    if (tokenizerConfig.empty())
        report.warnings.push_back("no tokenizer_config.json given: the bundle uses the GemmaTokenizer defaults "
                                  "(add_bos_token true, add_eos_token false)");
    RSRefSeg2Model model = build(o, report);
    RSRefSeg2Manifest m;
    m.name = o.name.empty() ? fs::path(o.outDir).filename().string() : o.name;
    m.description = "RSRefSeg 2 (SAM 2.1 Hiera + SigLIP 2 + cascaded prompter), imported from " +
                    fs::path(o.checkpoint).filename().string();
    m.trained = o.trained.value_or(true);
    m.config = model->config();
    m.weightsDtype = o.dtype;
    m.provenance = {{"checkpoint", fs::path(o.checkpoint).filename().string()},
                    {"checkpoint_dtype", report.checkpointDtype},
                    {"lora", {{"rank", report.loraRank}, {"alpha", m.config.lora.alpha}, {"merged", report.loraRank > 0}}},
                    {"siglip", o.siglipDir.empty() ? "" : fs::path(o.siglipDir).filename().string()},
                    {"sam", o.samFile.empty() ? "" : fs::path(o.samFile).filename().string()},
                    {"config", o.configPath.empty() ? "built-in rsrefseg2-full" : fs::path(o.configPath).filename().string()}};
    RSRefSeg2Bundle::write(o.outDir, *model, m, tokenizer, tokenizerConfig, o.overwrite);
    report.manifest = RSRefSeg2Bundle::open(o.outDir).manifest();
    return report;
}

} // namespace rsrefseg
