#include "model/rsrefseg/checkpointnames.h"

#include "common/error.h"

#include <set>
#include <utility>
#include <vector>

namespace rsrefseg {

namespace {

bool startsWith(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

void replaceAll(std::string &s, const std::string &from, const std::string &to)
{
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
}

TensorMap renamePrefixes(const TensorMap &tensors, const std::vector<std::pair<std::string, std::string>> &rules,
                         const std::string &source, const std::string &kind)
{
    TensorMap out;
    for (const auto &[name, tensor] : tensors) {
        bool matched = false;
        for (const auto &[from, to] : rules) {
            if (startsWith(name, from)) {
                out[to + name.substr(from.size())] = tensor;
                matched = true;
                break;
            }
        }
        if (!matched)
            throw Error(source + ": unexpected tensor '" + name + "' for a " + kind + " weight file");
    }
    return out;
}

} // namespace

TensorMap CheckpointNames::fromHfSiglip(const TensorMap &tensors, const std::string &source)
{
    return renamePrefixes(tensors,
                          {{"vision_model.", "clip_vision_encoder.model."},
                           {"text_model.", "clip_text_encoder.model."},
                           {"logit_scale", "clip_text_encoder.logit_scale"},
                           {"logit_bias", "clip_text_encoder.logit_bias"}},
                          source, "SigLIP (HF SiglipModel)");
}

TensorMap CheckpointNames::fromHfSam(const TensorMap &tensors, const std::string &source)
{
    return renamePrefixes(tensors,
                          {{"vision_encoder.", "backbone.model."},
                           {"shared_image_embedding.", "backbone.shared_image_embedding."},
                           {"prompt_encoder.", "sam_prompt_encoder.model."},
                           {"mask_decoder.", "sam_mask_decoder.model."}},
                          source, "SAM (HF SamModel)");
}

TensorMap CheckpointNames::fromRSRefSegCheckpoint(const TensorMap &tensors, const std::string &source)
{
    static const std::vector<std::string> known = {"backbone.",           "clip_vision_encoder.", "clip_text_encoder.",
                                                   "sam_prompt_encoder.", "sam_mask_decoder.",    "prompter_down_channel.",
                                                   "prompter_down_spatial."};
    TensorMap out;
    for (const auto &[original, tensor] : tensors) {
        std::string name = original;
        if (startsWith(name, "module."))
            name = name.substr(7);
        replaceAll(name, ".base_model.model.", ".");
        replaceAll(name, ".base_layer.", ".");
        replaceAll(name, ".lora_A.default.", ".lora_A.");
        replaceAll(name, ".lora_B.default.", ".lora_B.");
        bool ok = false;
        for (const std::string &k : known)
            ok = ok || startsWith(name, k);
        if (!ok && (startsWith(name, "prompter.") || startsWith(name, "decode_head.")))
            throw Error(source + ": tensor '" + original +
                        "' belongs to an RSRefSeg 2 checkpoint (import it with --architecture rsrefseg2)");
        if (!ok)
            throw Error(source + ": unexpected tensor '" + original + "' (not part of an RSRefSeg checkpoint)");
        if (out.count(name))
            throw Error(source + ": tensor '" + original + "' appears twice after removing the PEFT wrapper names");
        out[name] = tensor;
    }
    return out;
}

int64_t CheckpointNames::loraRank(const TensorMap &renamed, const std::string &source)
{
    int64_t rank = 0;
    std::string first;
    for (const auto &[name, tensor] : renamed) {
        const size_t pos = name.find(".lora_A.");
        if (pos == std::string::npos)
            continue;
        const int64_t r = tensor.size(0);
        if (rank == 0) {
            rank = r;
            first = name;
        } else if (r != rank) {
            throw Error(source + ": LoRA ranks differ ('" + first + "' has " + std::to_string(rank) + ", '" + name +
                        "' has " + std::to_string(r) + ")");
        }
        const std::string partner = name.substr(0, pos) + ".lora_B." + name.substr(pos + 8);
        if (!renamed.count(partner))
            throw Error(source + ": '" + name + "' has no matching lora_B tensor");
    }
    return rank;
}

int64_t CheckpointNames::downSpatialTimes(const TensorMap &renamed)
{
    std::set<std::string> withNorm;
    const std::string prefix = "prompter_down_spatial.";
    for (const auto &entry : renamed) {
        const std::string &name = entry.first;
        if (!startsWith(name, prefix))
            continue;
        const size_t dot = name.find('.', prefix.size());
        if (dot != std::string::npos && name.compare(dot, 4, ".bn.") == 0)
            withNorm.insert(name.substr(prefix.size(), dot - prefix.size()));
    }
    return static_cast<int64_t>(withNorm.size());
}

} // namespace rsrefseg
