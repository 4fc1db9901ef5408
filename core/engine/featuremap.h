// FeatureMap: the opaque feature handle of SegmentationModel: named tensors (image features
// of one tile, or text features of one query). The embedding cache stores these in memory
// and as safetensors files; only model implementations look inside.
#pragma once

#include "common/error.h"

#include <torch/types.h>

#include <map>
#include <string>

namespace rsrefseg {

struct FeatureMap
{
    std::map<std::string, torch::Tensor> tensors;
    std::string textWarning; // text features: how the tokenizer read the query ("" when as written)
    // Text features: the query's token count and whether it was cut to the text tower's length.
    int textTokens = 0;
    bool textTruncated = false;

    size_t bytes() const
    {
        size_t n = 0;
        for (const auto &kv : tensors)
            n += kv.second.numel() * kv.second.element_size();
        return n;
    }
    const torch::Tensor &at(const std::string &name) const
    {
        const auto it = tensors.find(name);
        if (it == tensors.end())
            throw Error("the features have no tensor '" + name + "' (features of another model?)");
        return it->second;
    }
};

} // namespace rsrefseg
