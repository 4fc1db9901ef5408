#include "model/rsrefseg/modelbundle.h"

#include "common/error.h"
#include "model/rsrefseg/filefingerprint.h"
#include "model/weights/safetensorsfile.h"
#include "model/weights/safetensorswriter.h"
#include "model/weights/statedictloader.h"

#include <torch/cuda.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {
constexpr size_t kMaxManifestBytes = 4 << 20;
// Copying and printing a JSON value recurses once per level: without a bound, a 40 kB
// manifest of nested arrays overflowed the stack (found while fuzzing ModelBundle::open).
constexpr int kMaxManifestDepth = 64;

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
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error("model bundle '" + dir + "' is not a folder");
    const std::string manifestPath = (fs::path(dir) / "manifest.json").string();
    if (!fs::is_regular_file(manifestPath, ec))
        throw Error("model bundle '" + dir + "' has no manifest.json");
    if (fs::file_size(manifestPath, ec) > kMaxManifestBytes)
        throw Error(manifestPath + ": the manifest is larger than 4 MiB");
    std::ifstream in(manifestPath);
    nlohmann::json json;
    try {
        // The parser itself does not recurse; the callback refuses deep nesting before any
        // deep value exists.
        json = nlohmann::json::parse(in, [&](int depth, nlohmann::json::parse_event_t, nlohmann::json &) {
            if (depth > kMaxManifestDepth)
                throw Error(manifestPath + ": JSON nested deeper than " + std::to_string(kMaxManifestDepth) +
                            " levels");
            return true;
        });
    } catch (const nlohmann::json::exception &e) {
        throw Error(manifestPath + ": invalid JSON (" + e.what() + ")");
    }
    ModelBundle bundle;
    bundle.mDir = dir;
    bundle.mManifest = BundleManifest::fromJson(json, manifestPath);
    bundle.resolve(bundle.mManifest.weightsFile, "weights.file");
    bundle.resolve(bundle.mManifest.tokenizerFile, "tokenizer");
    return bundle;
}

std::string ModelBundle::resolve(const std::string &fileName, const char *field) const
{
    const std::string source = (fs::path(mDir) / "manifest.json").string();
    const fs::path rel(fileName);
    if (fileName.empty() || rel.is_absolute() || rel.has_root_path())
        throw Error(source + ": '" + field + "' must be a file name inside the bundle, got '" + fileName + "'");
    for (const auto &part : rel)
        if (part == "..")
            throw Error(source + ": '" + field + "' points outside the bundle folder ('" + fileName + "')");
    std::error_code ec;
    const fs::path base = fs::canonical(mDir, ec);
    const fs::path full = fs::weakly_canonical(fs::path(mDir) / rel, ec);
    const std::string b = base.string() + "/";
    if (ec || full.string().compare(0, b.size(), b) != 0)
        throw Error(source + ": '" + field + "' points outside the bundle folder ('" + fileName + "')");
    if (!fs::is_regular_file(full, ec))
        throw Error(source + ": '" + field + "' names '" + fileName + "', which is missing from the bundle");
    return full.string();
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
    const fs::path target(dir);
    if (fs::exists(target, ec) && !overwrite)
        throw Error("'" + dir + "' already exists (use --overwrite to replace it)");
    const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(parent, ec))
        throw Error("cannot write bundle '" + dir + "': folder '" + parent.string() + "' does not exist");
    if (!fs::is_regular_file(tokenizerSource, ec))
        throw Error("cannot write bundle '" + dir + "': tokenizer model '" + tokenizerSource + "' not found");
    const torch::ScalarType storeType = parseDtype(manifest.weightsDtype);

    const fs::path temp = parent / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()));
    fs::remove_all(temp, ec);
    if (!fs::create_directory(temp, ec))
        throw Error("cannot create '" + temp.string() + "': " + ec.message());
    struct Cleanup
    {
        fs::path path;
        bool keep = false;
        ~Cleanup()
        {
            std::error_code e;
            if (!keep)
                fs::remove_all(path, e);
        }
    } cleanup{temp};

    std::map<std::string, torch::Tensor> tensors;
    int64_t parameters = 0;
    {
        torch::NoGradGuard noGrad;
        for (const auto &p : model.named_parameters(true)) {
            tensors[p.key()] = p.value().detach().to(torch::kCPU, storeType).contiguous();
            parameters += p.value().numel();
        }
        for (const auto &b : model.named_buffers(true)) {
            const torch::Tensor v = b.value().detach().to(torch::kCPU);
            tensors[b.key()] = v.is_floating_point() ? v.to(storeType).contiguous() : v.contiguous();
        }
    }
    const fs::path weightsPath = temp / manifest.weightsFile;
    SafetensorsWriter::write(weightsPath.string(), tensors, {{"format", "pt"}, {"producer", "rsrefseg"}});
    tensors.clear();
    fs::copy_file(tokenizerSource, temp / manifest.tokenizerFile, fs::copy_options::overwrite_existing, ec);
    if (ec)
        throw Error("cannot copy tokenizer '" + tokenizerSource + "': " + ec.message());

    manifest.modelId = FileFingerprint::ofFile(weightsPath.string());
    manifest.parameterCount = parameters;
    {
        std::ofstream out(temp / "manifest.json");
        out << manifest.toJson().dump(2) << "\n";
        out.flush();
        if (!out)
            throw Error("cannot write '" + (temp / "manifest.json").string() + "' (disk full?)");
    }
    // Swap into place: the old bundle (if replacing) is removed only after the new one is there.
    const fs::path old = parent / ("." + target.filename().string() + ".old-" + std::to_string(::getpid()));
    const bool replacing = fs::exists(target, ec);
    if (replacing) {
        fs::rename(target, old, ec);
        if (ec)
            throw Error("cannot replace '" + dir + "': " + ec.message());
    }
    fs::rename(temp, target, ec);
    if (ec) {
        if (replacing)
            fs::rename(old, target, ec);
        throw Error("cannot write bundle '" + dir + "': " + ec.message());
    }
    cleanup.keep = true;
    if (replacing)
        fs::remove_all(old, ec);
}

} // namespace rsrefseg
