#include "modelcommand.h"

#include "common/error.h"
#include "model/rsrefseg/modelimporter.h"
#include "model/rsrefseg2/rsrefseg2importer.h"
#include "modelhub/bundledmodels.h"
#include "modelhub/bundlesummary.h"
#include "model/weights/safetensorsfile.h"
#include "text/gemmatokenizersettings.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <set>

namespace rsrefseg::cli {

namespace {

struct ImportArgs
{
    std::string architecture = "rsrefseg";
    ModelImporter::Options options;
    double alpha = 0.0;
    int64_t rank = 0;
    bool untrained = false;
    // RSRefSeg 2 only
    std::string config;
    std::string tokenizer;
    std::string tokenizerConfig;
};

void runImport2(const ImportArgs &a)
{
    if (a.alpha != 0.0 || a.rank != 0)
        throw Error("--lora-alpha and --lora-rank are RSRefSeg (v1) options: RSRefSeg 2 reads LoRA from --config");
    RSRefSeg2Importer::Options o;
    o.configPath = a.config;
    o.checkpoint = a.options.checkpoint;
    o.tokenizer = a.tokenizer;
    o.tokenizerConfig = a.tokenizerConfig;
    o.siglipDir = a.options.siglipDir;
    o.samFile = a.options.samDir;
    o.dtype = a.options.dtype;
    o.outDir = a.options.outDir;
    o.name = a.options.name;
    o.overwrite = a.options.overwrite;
    if (a.untrained)
        o.trained = false;
    std::cerr << "importing RSRefSeg 2 into " << o.outDir << "...\n";
    const RSRefSeg2Importer::Report r = RSRefSeg2Importer::run(o);
    for (const std::string &w : r.warnings)
        std::cerr << "rsrefseg: warning: " << w << "\n";
    const RSRefSeg2Bundle bundle = RSRefSeg2Bundle::open(o.outDir);
    for (const std::string &n : GemmaTokenizerSettings::read(bundle.tokenizerConfigPath()).notes)
        std::cerr << "rsrefseg: note: " << n << "\n";
    std::cout << "Bundle:      " << o.outDir << "\n"
              << "Architecture: rsrefseg2\n"
              << "Model id:    " << r.manifest.modelId << "\n"
              << "Parameters:  " << r.manifest.parameterCount << "\n"
              << "Tensors:     " << r.fromCheckpoint << " from the checkpoint (" << r.checkpointDtype << "), "
              << r.fromSiglip << " from --siglip, " << r.fromSam << " from --sam\n"
              << "LoRA:        "
              << (r.loraRank ? "rank " + std::to_string(r.loraRank) + ", " + std::to_string(r.foldedAdapters) +
                                   " adapters merged in float32"
                             : std::string("none (merged checkpoint)"))
              << "\n"
              << "Stored as:   " << r.manifest.weightsDtype << "\n"
              << "Trained:     " << (r.manifest.trained ? "yes" : "no") << "\n";
}

void runImport(ImportArgs &a)
{
    if (a.architecture == "rsrefseg2")
        return runImport2(a);
    if (a.architecture != "rsrefseg")
        throw Error("--architecture must be rsrefseg or rsrefseg2, got '" + a.architecture + "'");
    if (a.options.siglipDir.empty() || a.options.samDir.empty())
        throw Error("an RSRefSeg import needs --siglip (HF SigLIP folder) and --sam (HF SAM folder)");
    if (!a.config.empty() || !a.tokenizer.empty() || !a.tokenizerConfig.empty())
        throw Error("--config, --tokenizer and --tokenizer-config are RSRefSeg 2 options (--architecture rsrefseg2)");
    if (a.alpha != 0.0)
        a.options.loraAlpha = a.alpha;
    if (a.rank != 0)
        a.options.loraRank = a.rank;
    if (a.untrained)
        a.options.trained = false;
    std::cerr << "importing into " << a.options.outDir << "...\n";
    const ModelImporter::Report r = ModelImporter::run(a.options);
    for (const std::string &w : r.warnings)
        std::cerr << "rsrefseg: warning: " << w << "\n";
    std::cout << "Bundle:      " << a.options.outDir << "\n"
              << "Model id:    " << r.manifest.modelId << "\n"
              << "Parameters:  " << r.manifest.parameterCount << "\n"
              << "Tensors:     " << r.fromCheckpoint << " from the checkpoint, " << r.fromHf
              << " available from the HF folders\n"
              << "LoRA:        " << (r.loraRank ? "rank " + std::to_string(r.loraRank) + ", alpha " +
                                                     std::to_string(r.loraAlpha) + ", merged"
                                                : std::string("none"))
              << "\n"
              << "Stored as:   " << r.manifest.weightsDtype << "\n"
              << "Trained:     " << (r.manifest.trained ? "yes" : "no") << "\n";
}

struct InfoArgs
{
    std::string bundle;
    bool json = false;
};

// Parameter counts per part, from the weights file's header (nothing is loaded).
std::map<std::string, int64_t> partsOf(const std::string &weightsPath)
{
    const SafetensorsFile weights = SafetensorsFile::open(weightsPath);
    std::map<std::string, int64_t> parts;
    for (const std::string &name : weights.names()) {
        const TensorInfo &info = weights.info(name);
        int64_t n = 1;
        for (int64_t d : info.shape)
            n *= d;
        parts[name.substr(0, name.find('.'))] += n;
    }
    return parts;
}

void runInfo2(const InfoArgs &a)
{
    const RSRefSeg2Bundle bundle = RSRefSeg2Bundle::open(a.bundle);
    const RSRefSeg2Manifest &m = bundle.manifest();
    const auto parts = partsOf(bundle.weightsPath());
    if (a.json) {
        nlohmann::json j = m.toJson();
        j["path"] = a.bundle;
        j["parameters_by_part"] = parts;
        std::cout << j.dump(2) << "\n";
        return;
    }
    const RSRefSeg2Config &c = m.config;
    std::cout << "Bundle:       " << a.bundle << " (" << m.name << ")\n"
              << "Architecture: rsrefseg2 (SAM 2.1 Hiera + SigLIP 2 + cascaded prompter)\n"
              << "Model id:     " << m.modelId << "\n"
              << "Trained:      " << (m.trained ? "yes" : "NO: random or untrained weights, masks are meaningless") << "\n"
              << "Description:  " << m.description << "\n"
              << "Input:        " << c.imageSize << " x " << c.imageSize << " RGB, keep-ratio resized and padded (SigLIP "
              << c.siglipImageSize() << ", embedding grid " << c.embeddingGrid() << ")\n"
              << "Hiera:        embed " << c.hiera.embedDim << ", stages " << nlohmann::json(c.hiera.stages).dump()
              << ", windows " << nlohmann::json(c.hiera.windowSpec).dump() << "\n"
              << "SigLIP:       " << c.siglip.vision.hiddenSize << " wide x " << c.siglip.vision.numHiddenLayers
              << " layers, patch " << c.siglip.vision.patchSize << "; text vocabulary " << c.siglip.text.vocabSize << ", "
              << c.siglip.text.maxPositionEmbeddings << " positions\n"
              << "Weights:      " << m.weightsFile << " (" << m.weightsDtype << "), " << m.parameterCount
              << " parameters\n";
    for (const auto &[part, n] : parts)
        std::cout << "  " << part << ": " << n << "\n";
    std::cout << "Tokenizer:    " << m.tokenizerFile << " + " << m.tokenizerConfigFile << "\n"
              << "Threshold:    " << c.maskThreshold << "\n"
              << "Provenance:   " << m.provenance.dump() << "\n";
}

void runInfo(const InfoArgs &a)
{
    if (BundleSummary::read(a.bundle).architecture == RSRefSeg2Manifest::kArchitecture)
        return runInfo2(a);
    const ModelBundle bundle = ModelBundle::open(a.bundle);
    const BundleManifest &m = bundle.manifest();
    const auto parts = partsOf(bundle.weightsPath());
    if (a.json) {
        nlohmann::json j = m.toJson();
        j["path"] = a.bundle;
        j["parameters_by_part"] = parts;
        std::cout << j.dump(2) << "\n";
        return;
    }
    const RSRefSegConfig &c = m.config;
    std::cout << "Bundle:       " << a.bundle << " (" << m.name << ")\n"
              << "Model id:     " << m.modelId << "\n"
              << "Trained:      " << (m.trained ? "yes" : "NO: random or untrained weights, masks are meaningless") << "\n"
              << "Description:  " << m.description << "\n"
              << "Input:        " << c.imageSize() << " x " << c.imageSize() << " RGB (SigLIP " << c.siglipImageSize()
              << ", SAM grid " << c.samGrid() << ", prompt grid " << c.promptGrid() << ")\n"
              << "SigLIP:       vision " << c.siglip.vision.hiddenSize << " wide x " << c.siglip.vision.numHiddenLayers
              << " layers, patch " << c.siglip.vision.patchSize << "; text " << c.siglip.text.hiddenSize << " x "
              << c.siglip.text.numHiddenLayers << ", vocabulary " << c.siglip.text.vocabSize << ", "
              << c.siglip.text.maxPositionEmbeddings << " positions\n"
              << "SAM:          ViT " << c.sam.vision.hiddenSize << " wide x " << c.sam.vision.numHiddenLayers
              << " layers, window " << c.sam.vision.windowSize << ", output " << c.sam.vision.outputChannels << "\n"
              << "Weights:      " << m.weightsFile << " (" << m.weightsDtype << "), " << m.parameterCount
              << " parameters\n";
    for (const auto &[part, n] : parts)
        std::cout << "  " << part << ": " << n << "\n";
    std::cout << "Tokenizer:    " << m.tokenizerFile << "\n"
              << "Threshold:    " << c.maskThreshold << "\n"
              << "Provenance:   " << m.provenance.dump() << "\n";
}

struct ListArgs
{
    std::vector<std::string> bundles;
    bool builtin = false;
    bool json = false;
};

nlohmann::json listEntry(const BundleSummary &s, bool bundled, bool isDefault)
{
    return {{"name", s.name},   {"architecture", s.architecture}, {"trained", s.trained},
            {"path", s.dir},    {"model_id", s.modelId},          {"parameters", s.parameterCount},
            {"bundled", bundled}, {"default", isDefault},         {"description", s.description}};
}

// The bundled models that exist (the default first, as BundledModels finds it), then the given
// ones; each folder once. A given folder that is not a bundle is an error naming it.
void runList(const ListArgs &a)
{
    namespace fs = std::filesystem;
    nlohmann::json models = nlohmann::json::array();
    std::set<std::string> seen;
    const auto once = [&seen](const std::string &dir) {
        std::error_code ec;
        const fs::path canonical = fs::weakly_canonical(dir, ec);
        return seen.insert(ec ? dir : canonical.string()).second;
    };
    const std::string defaultDir = BundledModels::find();
    for (const std::string &dir : BundledModels::candidates()) {
        std::error_code ec;
        if (!fs::is_regular_file(fs::path(dir) / "manifest.json", ec) || !once(dir))
            continue;
        models.push_back(listEntry(BundleSummary::read(dir), true, dir == defaultDir));
    }
    for (const std::string &dir : a.bundles)
        if (once(dir))
            models.push_back(listEntry(BundleSummary::read(dir), false, false));
    if (a.builtin)
        models.push_back({{"name", "colour test (built-in, deterministic: object = the queried colour >= 128)"},
                          {"architecture", "colour-test"},
                          {"trained", false},
                          {"path", "builtin:colour-test"},
                          {"model_id", "builtin-colour-test-v1"},
                          {"parameters", 0},
                          {"bundled", false},
                          {"default", false},
                          {"description", "a test model for synthetic rasters, not for real imagery"}});
    if (a.json) {
        std::cout << models.dump(2) << "\n";
        return;
    }
    if (models.empty())
        std::cout << "No model: none is installed with rsrefseg and none was given.\n";
    for (const nlohmann::json &m : models)
        std::cout << (m["default"].get<bool>() ? "* " : "  ") << m["name"].get<std::string>() << "\n"
                  << "    path:         " << m["path"].get<std::string>() << "\n"
                  << "    architecture: " << m["architecture"].get<std::string>() << "\n"
                  << "    trained:      " << (m["trained"].get<bool>() ? "yes" : "no") << "\n";
}

} // namespace

void addModelCommand(CLI::App &app)
{
    CLI::App *model = app.add_subcommand("model", "Import, describe or list model bundles");
    model->require_subcommand(1);

    auto imp = std::make_shared<ImportArgs>();
    CLI::App *i = model->add_subcommand(
        "import", "Build a model bundle from an RSRefSeg or RSRefSeg 2 checkpoint and the foundation models' files");
    i->add_option("--architecture", imp->architecture, "rsrefseg (SAM ViT + SigLIP) or rsrefseg2 (SAM 2.1 + SigLIP 2)")
        ->capture_default_str();
    i->add_option("--siglip", imp->options.siglipDir,
                  "HF SigLIP folder (rsrefseg: required; rsrefseg2: supplies the tokenizer files and the frozen "
                  "SigLIP 2 weights the checkpoint lacks)");
    i->add_option("--sam", imp->options.samDir,
                  "rsrefseg: HF SAM folder (required); rsrefseg2: the SAM 2.1 .pt, for frozen weights the checkpoint lacks");
    i->add_option("--checkpoint", imp->options.checkpoint,
                  "rsrefseg: training checkpoint (.pth or .safetensors, PEFT or merged; without it the prompter is "
                  "untrained); rsrefseg2 (required): the released .pth (bf16 PEFT, with or without module.), a DeepSpeed "
                  "mp_rank_00_model_states.pt or merged safetensors");
    i->add_option("--config", imp->config,
                  "rsrefseg2: model configuration JSON (default: the released RSRefSeg 2 size, built in)");
    i->add_option("--tokenizer", imp->tokenizer, "rsrefseg2: the Gemma tokenizer.model (default: from --siglip)");
    i->add_option("--tokenizer-config", imp->tokenizerConfig,
                  "rsrefseg2: tokenizer_config.json (add_bos_token / add_eos_token; default: from --siglip, else "
                  "the GemmaTokenizer defaults)");
    i->add_option("--lora-alpha", imp->alpha, "LoRA alpha (not stored in checkpoints; the paper: 16 for rank 16)");
    i->add_option("--lora-rank", imp->rank, "Expected LoRA rank (checked against the checkpoint)");
    i->add_option("--out", imp->options.outDir, "Bundle folder to create")->required();
    i->add_option("--dtype", imp->options.dtype, "Stored weight type: f32, f16 or bf16")->capture_default_str();
    i->add_option("--name", imp->options.name, "Display name");
    i->add_flag("--untrained", imp->untrained, "Mark the bundle as untrained (random or test weights)");
    i->add_flag("--overwrite", imp->options.overwrite, "Replace an existing bundle");
    i->callback([imp] { runImport(*imp); });

    auto info = std::make_shared<InfoArgs>();
    CLI::App *n = model->add_subcommand("info", "Describe a model bundle: architecture, parameters, provenance");
    n->add_option("bundle", info->bundle, "Bundle folder")->required();
    n->add_flag("--json", info->json, "Print JSON");
    n->callback([info] { runInfo(*info); });

    auto list = std::make_shared<ListArgs>();
    CLI::App *l = model->add_subcommand("list", "List the models installed with rsrefseg and the given bundles "
                                                "(name, architecture, trained, path)");
    l->add_option("bundles", list->bundles, "More bundle folders to describe");
    l->add_flag("--builtin", list->builtin, "Also list the built-in test model (builtin:colour-test)");
    l->add_flag("--json", list->json, "Print a JSON array");
    l->footer("The model used when none is chosen is marked '*' (\"default\": true in JSON).");
    l->callback([list] { runList(*list); });
}

} // namespace rsrefseg::cli
