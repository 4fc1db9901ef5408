// StateDictLoader: strict loading of named tensors into a torch::nn::Module.
//
//   rsrefseg::StateDictLoader::Options opts;
//   opts.optional = {"text_model.embeddings.position_ids"};   // may be absent from the file
//   rsrefseg::StateDictLoader::load(module, tensors, "siglip_tiny/model.safetensors", opts);
//
// Every parameter and buffer of the module must be present in `tensors` (unless listed as
// optional), every tensor must have the module's shape, and no tensor may be left over
// (unless ignored). Violations are one Error that names the source and up to a few of the
// offending tensors. Values are copied into the module's tensors (dtype converted) under
// NoGradGuard.
#pragma once

#include <torch/nn/module.h>

#include <map>
#include <set>
#include <string>

namespace rsrefseg {

class StateDictLoader
{
  public:
    struct Options
    {
        std::set<std::string> optional;     // module tensors that may be missing from the source
        std::set<std::string> ignored;      // source tensors that may be present but are unused
        bool allowUnexpected = false;       // leftovers are not an error (used for sub-trees)
    };

    static void load(torch::nn::Module &module, const std::map<std::string, torch::Tensor> &tensors,
                     const std::string &sourceName, const Options &options);
    static void load(torch::nn::Module &module, const std::map<std::string, torch::Tensor> &tensors,
                     const std::string &sourceName);
};

} // namespace rsrefseg
