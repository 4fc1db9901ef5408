// Helpers shared by the SAM 2 tests: the fixture config, a weight sub-tree of
// model_merged.safetensors, a module's state (parameters + buffers) and the full-size manifest's
// entries under a prefix (tests/data/golden/rsrefseg2/manifests, README §8).
#pragma once

#include "../goldentest.h"

#include "model/rsrefseg2/rsrefseg2config.h"
#include "model/weights/statedictloader.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace sam2golden {

inline rsrefseg::RSRefSeg2Config tinyConfig()
{
    return rsrefseg::RSRefSeg2Config::fromFile(goldentest::goldenPath("rsrefseg2/config.json"));
}

// The tensors of model_merged.safetensors under `prefix`, with the prefix removed.
inline std::map<std::string, torch::Tensor> mergedSubtree(const std::string &prefix)
{
    std::map<std::string, torch::Tensor> out;
    for (const auto &item : goldentest::loadTensors("rsrefseg2/model_merged.safetensors"))
        if (item.first.compare(0, prefix.size(), prefix) == 0)
            out.emplace(item.first.substr(prefix.size()), item.second);
    return out;
}

// Strict load of that sub-tree (every module tensor present, nothing left over), then eval().
inline void loadMerged(torch::nn::Module &module, const std::string &prefix)
{
    rsrefseg::StateDictLoader::load(module, mergedSubtree(prefix), "model_merged.safetensors:" + prefix);
    module.eval();
}

inline std::map<std::string, torch::Tensor> stateOf(const torch::nn::Module &module)
{
    std::map<std::string, torch::Tensor> state;
    for (const auto &p : module.named_parameters())
        state[p.key()] = p.value();
    for (const auto &b : module.named_buffers())
        state[b.key()] = b.value();
    return state;
}

// name (prefix removed) -> shape of the full-size merged manifest's entries under `prefix`.
inline std::map<std::string, std::vector<int64_t>> manifestShapes(const std::string &prefix)
{
    std::ifstream in(goldentest::goldenPath("rsrefseg2/manifests/rsrefseg2-full.merged.keys.json"));
    const nlohmann::json manifest = nlohmann::json::parse(in);
    std::map<std::string, std::vector<int64_t>> out;
    for (const auto &entry : manifest) {
        const std::string name = entry.at("name").get<std::string>();
        if (name.compare(0, prefix.size(), prefix) == 0)
            out[name.substr(prefix.size())] = entry.at("shape").get<std::vector<int64_t>>();
    }
    return out;
}

} // namespace sam2golden
