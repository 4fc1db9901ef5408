#include "train/trainingmodel.h"

#include "common/error.h"
#include "model/rsrefseg/modelimporter.h"
#include "modelhub/rsrefsegnetwork.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

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

} // namespace

RSRefSegConfig TrainingModel::readArchitecture(const std::string &path)
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

bool TrainingModel::isTrainableName(const std::string &name)
{
    if (name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos)
        return true;
    for (const char *prefix : {"prompter_", "sam_prompt_encoder.", "sam_mask_decoder."})
        if (name.rfind(prefix, 0) == 0)
            return true;
    return false;
}

TrainingModel TrainingModel::build(const TrainConfig &c)
{
    // Everything random below (from-scratch weights, LoRA A matrices) follows the seed.
    torch::manual_seed(c.seed);
    TrainingModel b;
    const std::string kind = c.initKind();
    if (kind == "bundle") {
        // Opened in float32 on the CPU; the trainer moves it to its device afterwards.
        ComputeOptions compute;
        compute.threads = c.threads;
        RSRefSegNetwork network = RSRefSegNetwork::open(c.initBundle, compute);
        b.model = network.model;
        b.tokenizerPath = network.tokenizerPath;
        b.initInfo = {{"kind", "bundle"},
                      {"path", c.initBundle},
                      {"model_id", network.manifest.modelId},
                      {"trained", network.manifest.trained}};
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

void TrainingModel::markTrainable(bool trainAll) const
{
    for (auto &p : model->named_parameters(true))
        p.value().set_requires_grad(trainAll || isTrainableName(p.key()));
}

} // namespace rsrefseg
