#include "train/trainingcheckpoint.h"

#include "common/error.h"
#include "model/weights/safetensorswriter.h"

#include <ATen/Context.h>
#include <torch/torch.h>

#include <ctime>
#include <filesystem>
#include <mutex>
#include <set>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

constexpr const char *kFormat = "rsrefseg-train-checkpoint";
constexpr const char *kFormatVersion = "1";

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

std::string TrainingCheckpoint::isoNow()
{
    const std::time_t t = std::time(nullptr);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    return buf;
}

SafetensorsFile TrainingCheckpoint::open(const std::string &path)
{
    SafetensorsFile file = SafetensorsFile::open(path);
    const auto &meta = file.metadata();
    auto it = meta.find("format");
    if (it == meta.end() || it->second != kFormat)
        throw Error(file.path() + ": not an rsrefseg training checkpoint (a model bundle's weights or another file?)");
    if (metadata(file, "format_version") != kFormatVersion)
        throw Error(file.path() + ": unsupported training checkpoint version " + metadata(file, "format_version"));
    return file;
}

std::string TrainingCheckpoint::metadata(const SafetensorsFile &file, const char *key)
{
    const auto &meta = file.metadata();
    auto it = meta.find(key);
    if (it == meta.end())
        throw Error(file.path() + ": not a training checkpoint (metadata '" + key + "' missing)");
    return it->second;
}

int64_t TrainingCheckpoint::integer(const SafetensorsFile &file, const char *key)
{
    return parseInt(metadata(file, key), file.path() + ": " + key);
}

TrainConfig TrainingCheckpoint::config(const SafetensorsFile &file)
{
    try {
        return TrainConfig::fromJson(nlohmann::json::parse(metadata(file, "config")), file.path() + " (config)");
    } catch (const nlohmann::json::exception &e) {
        throw Error(file.path() + ": the stored training configuration is not valid JSON (" + e.what() + ")");
    }
}

std::map<std::string, torch::Tensor> TrainingCheckpoint::modelTensors(const torch::nn::Module &model, bool allParameters)
{
    std::map<std::string, torch::Tensor> tensors;
    torch::NoGradGuard noGrad;
    for (const auto &p : model.named_parameters(true))
        if (allParameters || p.value().requires_grad())
            tensors["param." + p.key()] = p.value().detach().to(torch::kCPU).contiguous();
    for (const auto &b : model.named_buffers(true))
        tensors["buffer." + b.key()] = b.value().detach().to(torch::kCPU).contiguous();
    return tensors;
}

void TrainingCheckpoint::loadModelTensors(torch::nn::Module &model, const SafetensorsFile &file,
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

void TrainingCheckpoint::addRngStates(std::map<std::string, torch::Tensor> &tensors, const torch::Device &device)
{
    {
        at::Generator cpu = at::globalContext().defaultGenerator(torch::kCPU);
        std::lock_guard<std::mutex> lock(cpu.mutex());
        tensors["rng.cpu"] = cpu.get_state().clone();
    }
    if (device.is_cuda()) {
        at::Generator gpu = at::globalContext().defaultGenerator(device);
        std::lock_guard<std::mutex> lock(gpu.mutex());
        tensors["rng.cuda"] = gpu.get_state().clone();
    }
}

void TrainingCheckpoint::restoreRngStates(const SafetensorsFile &file, const torch::Device &device)
{
    if (file.contains("rng.cpu")) {
        at::Generator cpu = at::globalContext().defaultGenerator(torch::kCPU);
        std::lock_guard<std::mutex> lock(cpu.mutex());
        cpu.set_state(file.tensor("rng.cpu"));
    }
    if (device.is_cuda() && file.contains("rng.cuda")) {
        at::Generator gpu = at::globalContext().defaultGenerator(device);
        std::lock_guard<std::mutex> lock(gpu.mutex());
        gpu.set_state(file.tensor("rng.cuda"));
    }
}

void TrainingCheckpoint::write(const std::string &path, const std::map<std::string, torch::Tensor> &tensors,
                               std::map<std::string, std::string> metadata)
{
    metadata["format"] = kFormat;
    metadata["format_version"] = kFormatVersion;
    metadata["created"] = isoNow();
    std::error_code ec;
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty())
        fs::create_directories(parent, ec);
    SafetensorsWriter::write(path, tensors, metadata);
}

} // namespace rsrefseg
