#include "model/weights/statedictloader.h"

#include "common/error.h"

#include <torch/nn/module.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <vector>

namespace rsrefseg {

namespace {

std::string shapeText(c10::IntArrayRef shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + "]";
}

// "'a'" / "'a' (and 3 more)": one error line stays readable with thousands of offenders.
std::string firstAndCount(const std::vector<std::string> &names)
{
    std::string text = "'" + names.front() + "'";
    if (names.size() > 1) {
        text += " (and " + std::to_string(names.size() - 1) + " more)";
    }
    return text;
}

} // namespace

void StateDictLoader::load(torch::nn::Module &module, const std::map<std::string, torch::Tensor> &tensors,
                           const std::string &sourceName)
{
    load(module, tensors, sourceName, Options());
}

void StateDictLoader::load(torch::nn::Module &module, const std::map<std::string, torch::Tensor> &tensors,
                           const std::string &sourceName, const Options &options)
{
    // Module tensors by name; parameters and buffers share one namespace, as in PyTorch.
    std::map<std::string, torch::Tensor> targets;
    for (const auto &item : module.named_parameters(/*recurse*/ true)) {
        targets.emplace(item.key(), item.value());
    }
    for (const auto &item : module.named_buffers(/*recurse*/ true)) {
        targets.emplace(item.key(), item.value());
    }

    // Check everything before copying anything, so that a failed load leaves the module as it was.
    std::vector<std::string> missing;
    for (const auto &target : targets) {
        if (!tensors.count(target.first) && !options.optional.count(target.first)) {
            missing.push_back(target.first);
        }
    }
    if (!missing.empty()) {
        throw Error(sourceName + ": missing tensor " + firstAndCount(missing));
    }
    std::vector<std::string> unexpected;
    for (const auto &source : tensors) {
        if (!targets.count(source.first) && !options.ignored.count(source.first)) {
            unexpected.push_back(source.first);
        }
    }
    if (!unexpected.empty() && !options.allowUnexpected) {
        throw Error(sourceName + ": unexpected tensor " + firstAndCount(unexpected));
    }
    for (const auto &target : targets) {
        const auto source = tensors.find(target.first);
        if (source == tensors.end()) {
            continue;
        }
        if (!source->second.defined()) {
            throw Error(sourceName + ": tensor '" + target.first + "' is undefined");
        }
        if (source->second.sizes() != target.second.sizes()) {
            throw Error(sourceName + ": tensor '" + target.first + "' has shape " +
                        shapeText(source->second.sizes()) + ", the model expects " +
                        shapeText(target.second.sizes()));
        }
        if (source->second.is_complex() != target.second.is_complex()) {
            throw Error(sourceName + ": tensor '" + target.first + "' has dtype " +
                        std::string(c10::toString(source->second.scalar_type())) +
                        ", the model expects " + c10::toString(target.second.scalar_type()));
        }
    }

    torch::NoGradGuard noGrad;
    for (auto &target : targets) {
        const auto source = tensors.find(target.first);
        if (source != tensors.end()) {
            // copy_ converts dtype and device and keeps the module's tensor (and any views or
            // optimiser references to it) in place.
            target.second.copy_(source->second);
        }
    }
}

} // namespace rsrefseg
