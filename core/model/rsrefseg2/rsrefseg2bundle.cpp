#include "model/rsrefseg2/rsrefseg2bundle.h"

#include "common/error.h"
#include "model/rsrefseg/bundlefiles.h"
#include "model/rsrefseg/filefingerprint.h"
#include "model/weights/safetensorsfile.h"
#include "model/weights/safetensorswriter.h"
#include "model/weights/statedictloader.h"

#include <filesystem>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {
template <typename T> T get(const nlohmann::json &j, const char *key, const std::string &source)
{
    if (!j.is_object() || !j.contains(key))
        throw Error(source + ": missing field '" + key + "'");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception &) {
        throw Error(source + ": field '" + key + "' has the wrong type");
    }
}
} // namespace

nlohmann::json RSRefSeg2Manifest::toJson() const
{
    return {{"format", "rsrefseg-bundle"},
            {"format_version", formatVersion},
            {"architecture", kArchitecture},
            {"model_id", modelId},
            {"name", name},
            {"description", description},
            {"trained", trained},
            {"config", config.toJson()},
            {"tokenizer", tokenizerFile},
            {"tokenizer_config", tokenizerConfigFile},
            {"weights", {{"file", weightsFile}, {"dtype", weightsDtype}, {"lora", "merged"}}},
            {"parameter_count", parameterCount},
            {"provenance", provenance}};
}

RSRefSeg2Manifest RSRefSeg2Manifest::fromJson(const nlohmann::json &json, const std::string &source)
{
    if (!json.is_object())
        throw Error(source + ": the manifest is not a JSON object");
    if (get<std::string>(json, "format", source) != "rsrefseg-bundle")
        throw Error(source + ": not an RSRefSeg model bundle manifest (field 'format')");
    RSRefSeg2Manifest m;
    m.formatVersion = get<int>(json, "format_version", source);
    if (m.formatVersion != BundleManifest::kFormatVersion)
        throw Error(source + ": unsupported bundle format_version " + std::to_string(m.formatVersion));
    const std::string arch = get<std::string>(json, "architecture", source);
    if (arch != kArchitecture)
        throw Error(source + ": field 'architecture' is '" + arch + "', not an RSRefSeg 2 bundle");
    m.modelId = get<std::string>(json, "model_id", source);
    m.name = json.value("name", std::string());
    m.description = json.value("description", std::string());
    m.trained = get<bool>(json, "trained", source);
    m.config = RSRefSeg2Config::fromJson(get<nlohmann::json>(json, "config", source), source + " (config)");
    m.tokenizerFile = get<std::string>(json, "tokenizer", source);
    m.tokenizerConfigFile = get<std::string>(json, "tokenizer_config", source);
    const auto weights = get<nlohmann::json>(json, "weights", source);
    m.weightsFile = get<std::string>(weights, "file", source + " (weights)");
    m.weightsDtype = get<std::string>(weights, "dtype", source + " (weights)");
    ModelBundle::parseDtype(m.weightsDtype);
    m.parameterCount = json.value("parameter_count", int64_t(0));
    m.provenance = json.value("provenance", nlohmann::json::object());
    return m;
}

RSRefSeg2Bundle RSRefSeg2Bundle::open(const std::string &dir)
{
    RSRefSeg2Bundle b;
    b.mDir = dir;
    b.mManifest = RSRefSeg2Manifest::fromJson(BundleFiles::readManifest(dir), (fs::path(dir) / "manifest.json").string());
    b.weightsPath();
    b.tokenizerPath();
    b.tokenizerConfigPath();
    return b;
}

std::string RSRefSeg2Bundle::tokenizerPath() const
{
    return BundleFiles::resolve(mDir, mManifest.tokenizerFile, "tokenizer");
}

std::string RSRefSeg2Bundle::tokenizerConfigPath() const
{
    return BundleFiles::resolve(mDir, mManifest.tokenizerConfigFile, "tokenizer_config");
}

std::string RSRefSeg2Bundle::weightsPath() const
{
    return BundleFiles::resolve(mDir, mManifest.weightsFile, "weights.file");
}

RSRefSeg2Model RSRefSeg2Bundle::load(const ModelLoadOptions &options, const std::function<bool(double)> &progress) const
{
    const torch::Device device = ModelBundle::parseDevice(options.device);
    if (device.is_cpu() && options.dtype == torch::kFloat16)
        throw Error("fp16 inference is only offered on GPUs; use f32 or bf16 on the CPU");
    auto report = [&](double f) {
        if (progress && !progress(f))
            throw CancelledError();
    };
    report(0.0);
    RSRefSeg2Model model(mManifest.config);
    // Final device and dtype first: the memory-mapped tensors are copied once, converted.
    model->to(device, options.dtype);
    report(0.2);
    const std::string weights = weightsPath();
    SafetensorsFile file = SafetensorsFile::open(weights);
    StateDictLoader::load(*model, file.tensors(), weights);
    report(0.9);
    model->eval();
    report(1.0);
    return model;
}

void RSRefSeg2Bundle::write(const std::string &dir, const RSRefSeg2ModelImpl &model, RSRefSeg2Manifest manifest,
                            const std::string &tokenizerSource, const std::string &tokenizerConfigSource,
                            bool overwrite)
{
    std::error_code ec;
    for (const std::string &f : {tokenizerSource, tokenizerConfigSource})
        if (!f.empty() && !fs::is_regular_file(f, ec))
            throw Error("cannot write bundle '" + dir + "': '" + f + "' not found");
    if (tokenizerSource.empty())
        throw Error("cannot write bundle '" + dir + "': no tokenizer model given");
    const torch::ScalarType storeType = ModelBundle::parseDtype(manifest.weightsDtype);
    BundleFiles::writeAtomically(dir, overwrite, [&](const std::string &temp) {
        const fs::path weightsPath = fs::path(temp) / manifest.weightsFile;
        {
            int64_t parameters = 0;
            const auto tensors = BundleFiles::tensorsOf(model, storeType, parameters);
            SafetensorsWriter::write(weightsPath.string(), tensors, {{"format", "pt"}, {"producer", "rsrefseg"}});
            manifest.parameterCount = parameters;
        }
        for (const auto &[from, to] : {std::pair{tokenizerSource, manifest.tokenizerFile},
                                       std::pair{tokenizerConfigSource, manifest.tokenizerConfigFile}}) {
            if (from.empty()) {
                // No tokenizer_config.json: the GemmaTokenizer class defaults, written down.
                BundleFiles::writeJson((fs::path(temp) / to).string(),
                                       {{"tokenizer_class", "GemmaTokenizer"},
                                        {"add_bos_token", true},
                                        {"add_eos_token", false},
                                        {"padding_side", "right"}});
                continue;
            }
            std::error_code copyError;
            fs::copy_file(from, fs::path(temp) / to, fs::copy_options::overwrite_existing, copyError);
            if (copyError)
                throw Error("cannot copy '" + from + "' into the bundle: " + copyError.message());
        }
        manifest.modelId = FileFingerprint::ofFile(weightsPath.string());
        BundleFiles::writeJson((fs::path(temp) / "manifest.json").string(), manifest.toJson());
    });
}

} // namespace rsrefseg
