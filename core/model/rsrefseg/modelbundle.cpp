#include "model/rsrefseg/modelbundle.h"

#include "common/error.h"
#include "model/rsrefseg/bundlefiles.h"
#include "model/rsrefseg/filefingerprint.h"
#include "model/weights/safetensorsfile.h"
#include "model/weights/safetensorswriter.h"
#include "model/weights/statedictloader.h"

#include <torch/cuda.h>

#include <filesystem>
#include <fstream>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {
template <typename T> T get(const nlohmann::json &j, const char *key, const std::string &source)
{
    if (!j.contains(key))
        throw Error(source + ": missing field '" + key + "'");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception &) {
        throw Error(source + ": field '" + key + "' has the wrong type");
    }
}
} // namespace

nlohmann::json BundleManifest::toJson() const
{
    return {{"format", "rsrefseg-bundle"},
            {"format_version", formatVersion},
            {"model_id", modelId},
            {"name", name},
            {"description", description},
            {"trained", trained},
            {"architecture", "rsrefseg"},
            {"config", config.toJson()},
            {"tokenizer", tokenizerFile},
            {"weights", {{"file", weightsFile}, {"dtype", weightsDtype}, {"lora", "merged"}}},
            {"parameter_count", parameterCount},
            {"provenance", provenance}};
}

BundleManifest BundleManifest::fromJson(const nlohmann::json &json, const std::string &source)
{
    if (!json.is_object())
        throw Error(source + ": the manifest is not a JSON object");
    if (get<std::string>(json, "format", source) != "rsrefseg-bundle")
        throw Error(source + ": not an RSRefSeg model bundle manifest (field 'format')");
    BundleManifest m;
    m.formatVersion = get<int>(json, "format_version", source);
    if (m.formatVersion != kFormatVersion)
        throw Error(source + ": unsupported bundle format_version " + std::to_string(m.formatVersion) +
                    " (this program reads version " + std::to_string(kFormatVersion) + ")");
    // Bundles written before the field existed hold RSRefSeg; another architecture's bundle is
    // opened through its own ModelHub entry, never as an RSRefSeg network.
    if (json.contains("architecture") && get<std::string>(json, "architecture", source) != "rsrefseg")
        throw Error(source + ": field 'architecture' is '" + json.at("architecture").get<std::string>() +
                    "', not an RSRefSeg bundle");
    m.modelId = get<std::string>(json, "model_id", source);
    m.name = json.value("name", std::string());
    m.description = json.value("description", std::string());
    m.trained = get<bool>(json, "trained", source);
    m.config = RSRefSegConfig::fromJson(get<nlohmann::json>(json, "config", source), source + " (config)");
    m.tokenizerFile = get<std::string>(json, "tokenizer", source);
    const auto weights = get<nlohmann::json>(json, "weights", source);
    m.weightsFile = get<std::string>(weights, "file", source + " (weights)");
    m.weightsDtype = get<std::string>(weights, "dtype", source + " (weights)");
    ModelBundle::parseDtype(m.weightsDtype);
    m.parameterCount = json.value("parameter_count", int64_t(0));
    m.provenance = json.value("provenance", nlohmann::json::object());
    return m;
}

torch::ScalarType ModelBundle::parseDtype(const std::string &name)
{
    if (name == "f32" || name == "fp32" || name == "float32")
        return torch::kFloat32;
    if (name == "f16" || name == "fp16" || name == "float16")
        return torch::kFloat16;
    if (name == "bf16" || name == "bfloat16")
        return torch::kBFloat16;
    throw Error("unknown dtype '" + name + "' (use f32, f16 or bf16)");
}

std::string ModelBundle::dtypeName(torch::ScalarType type)
{
    switch (type) {
    case torch::kFloat32: return "f32";
    case torch::kFloat16: return "f16";
    case torch::kBFloat16: return "bf16";
    default: throw Error(std::string("unsupported dtype ") + c10::toString(type));
    }
}

torch::Device ModelBundle::parseDevice(const std::string &name)
{
    if (name == "cpu")
        return torch::kCPU;
    if (name.rfind("cuda", 0) == 0) {
        if (!torch::cuda::is_available())
            throw Error("device '" + name + "' requested, but this LibTorch build has no usable CUDA device");
        try {
            return torch::Device(name);
        } catch (const c10::Error &) {
            throw Error("invalid device '" + name + "' (use cpu, cuda or cuda:N)");
        }
    }
    throw Error("invalid device '" + name + "' (use cpu, cuda or cuda:N)");
}

ModelBundle ModelBundle::open(const std::string &dir)
{
    const nlohmann::json json = BundleFiles::readManifest(dir);
    ModelBundle bundle;
    bundle.mDir = dir;
    bundle.mManifest = BundleManifest::fromJson(json, (fs::path(dir) / "manifest.json").string());
    bundle.resolve(bundle.mManifest.weightsFile, "weights.file");
    bundle.resolve(bundle.mManifest.tokenizerFile, "tokenizer");
    return bundle;
}

std::string ModelBundle::resolve(const std::string &fileName, const char *field) const
{
    return BundleFiles::resolve(mDir, fileName, field);
}

std::string ModelBundle::tokenizerPath() const
{
    return resolve(mManifest.tokenizerFile, "tokenizer");
}

std::string ModelBundle::weightsPath() const
{
    return resolve(mManifest.weightsFile, "weights.file");
}

RSRefSegModel ModelBundle::load(const ModelLoadOptions &options, const std::function<bool(double)> &progress) const
{
    const torch::Device device = parseDevice(options.device);
    if (device.is_cpu() && options.dtype == torch::kFloat16)
        throw Error("fp16 inference is only offered on GPUs; use f32 or bf16 on the CPU");
    auto report = [&](double f) {
        if (progress && !progress(f))
            throw CancelledError();
    };
    report(0.0);
    RSRefSegModel model(mManifest.config);
    // Parameters take their final device and dtype before the weights arrive, so the file's
    // tensors (memory-mapped) are copied exactly once, converted on the way: no intermediate
    // float32 copy for bf16, no host staging copy for a GPU.
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

void ModelBundle::write(const std::string &dir, RSRefSegModelImpl &model, BundleManifest manifest,
                        const std::string &tokenizerSource, bool overwrite)
{
    std::error_code ec;
    if (!fs::is_regular_file(tokenizerSource, ec))
        throw Error("cannot write bundle '" + dir + "': tokenizer model '" + tokenizerSource + "' not found");
    const torch::ScalarType storeType = parseDtype(manifest.weightsDtype);
    BundleFiles::writeAtomically(dir, overwrite, [&](const std::string &temp) {
        const fs::path weightsPath = fs::path(temp) / manifest.weightsFile;
        {
            int64_t parameters = 0;
            const auto tensors = BundleFiles::tensorsOf(model, storeType, parameters);
            SafetensorsWriter::write(weightsPath.string(), tensors, {{"format", "pt"}, {"producer", "rsrefseg"}});
            manifest.parameterCount = parameters;
        }
        std::error_code copyError;
        fs::copy_file(tokenizerSource, fs::path(temp) / manifest.tokenizerFile, fs::copy_options::overwrite_existing,
                      copyError);
        if (copyError)
            throw Error("cannot copy tokenizer '" + tokenizerSource + "': " + copyError.message());
        manifest.modelId = FileFingerprint::ofFile(weightsPath.string());
        BundleFiles::writeJson((fs::path(temp) / "manifest.json").string(), manifest.toJson());
    });
}

} // namespace rsrefseg
