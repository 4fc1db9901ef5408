#include "model/rsrefseg2/rsrefseg2checkpoint.h"

#include "common/error.h"
#include "model/weights/weightfile.h"

#include <torch/torch.h>

#include <set>

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

const std::vector<std::string> &treePrefixes()
{
    static const std::vector<std::string> prefixes = {"backbone.model.", "clip_vision_encoder.", "clip_text_encoder.",
                                                      "prompter.", "decode_head."};
    return prefixes;
}

// Names only RSRefSeg (v1) checkpoints have: its prompter and the SAM ViT of HF SamModel.
bool looksLikeVersion1(const std::string &name)
{
    return startsWith(name, "prompter_down_channel.") || startsWith(name, "prompter_down_spatial.") ||
           startsWith(name, "sam_prompt_encoder.model.") || startsWith(name, "sam_mask_decoder.model.") ||
           startsWith(name, "backbone.shared_image_embedding.") || startsWith(name, "backbone.model.layers.") ||
           startsWith(name, "backbone.model.patch_embed.");
}

std::string dtypeLabel(torch::ScalarType t)
{
    switch (t) {
    case torch::kBFloat16:
        return "bf16";
    case torch::kFloat16:
        return "f16";
    case torch::kFloat32:
        return "f32";
    default:
        return c10::toString(t);
    }
}

// W + scale * B A in float32; 1x1 convolution adapters ([r,in,1,1], [out,r,1,1]) on squeezed kernels.
torch::Tensor fold(const torch::Tensor &weight, const torch::Tensor &a, const torch::Tensor &b, double scale,
                   const std::string &source, const std::string &name)
{
    const torch::Tensor a2 = a.dim() == 4 ? a.flatten(1) : a;
    const torch::Tensor b2 = b.dim() == 4 ? b.flatten(1) : b;
    if (a2.dim() != 2 || b2.dim() != 2 || b2.size(1) != a2.size(0) || b2.size(0) != weight.size(0) ||
        a2.size(1) * (weight.dim() == 4 ? weight.size(2) * weight.size(3) : 1) != weight[0].numel())
        throw Error(source + ": the LoRA adapter of '" + name + "' (A " + c10::str(a.sizes()) + ", B " +
                    c10::str(b.sizes()) + ") does not fit its weight " + c10::str(weight.sizes()));
    const torch::Tensor delta = torch::matmul(b2, a2) * scale;
    return weight + delta.reshape(weight.sizes());
}

} // namespace

RSRefSeg2Checkpoint::Result RSRefSeg2Checkpoint::read(const std::string &path, const Lora2Config &lora)
{
    return fromTensors(WeightFile::readAll(path), path, lora);
}

RSRefSeg2Checkpoint::Result RSRefSeg2Checkpoint::fromTensors(const TensorMap &raw, const std::string &source,
                                                             const Lora2Config &lora)
{
    Result result;
    TensorMap plain;                  // renamed, adapters not yet folded
    std::map<std::string, std::pair<torch::Tensor, torch::Tensor>> adapters; // layer -> (A, B)
    std::set<torch::ScalarType> stored;
    for (const auto &[original, tensor] : raw) {
        std::string name = original;
        if (startsWith(name, "module."))
            name = name.substr(7);
        replaceAll(name, ".base_model.model.", ".");
        replaceAll(name, ".base_layer.", ".");
        if (looksLikeVersion1(name))
            throw Error(source + ": tensor '" + original +
                        "' belongs to an RSRefSeg (v1) checkpoint, not RSRefSeg 2 (import it with --architecture rsrefseg)");
        bool known = false;
        for (const std::string &p : treePrefixes())
            known = known || startsWith(name, p);
        if (!known)
            throw Error(source + ": unexpected tensor '" + original + "' (not part of an RSRefSeg 2 checkpoint)");
        if (startsWith(name, "decode_head.")) {
            ++result.droppedTensors; // the training loss's scalars
            continue;
        }
        if (tensor.is_floating_point())
            stored.insert(tensor.scalar_type());
        const torch::Tensor value = tensor.is_floating_point() ? tensor.to(torch::kFloat32) : tensor;
        for (const char *part : {".lora_A.", ".lora_B."}) {
            const size_t pos = name.find(part);
            if (pos == std::string::npos)
                continue;
            const std::string layer = name.substr(0, pos);
            if (name.compare(pos + 8, std::string::npos, "default.weight") != 0)
                throw Error(source + ": unexpected LoRA tensor '" + original + "' (only the 'default' adapter is read)");
            (part[6] == 'A' ? adapters[layer].first : adapters[layer].second) = value;
            name.clear();
        }
        if (name.empty())
            continue;
        if (plain.count(name))
            throw Error(source + ": tensor '" + original + "' appears twice once the PEFT wrapper names are removed");
        plain[name] = value;
    }

    for (const auto &[layer, ab] : adapters) {
        const auto &[a, b] = ab;
        if (!a.defined() || !b.defined())
            throw Error(source + ": the LoRA adapter of '" + layer + "' lacks its " + (a.defined() ? "lora_B" : "lora_A") +
                        " tensor");
        const int64_t r = a.size(0);
        if (result.loraRank != 0 && r != result.loraRank)
            throw Error(source + ": LoRA ranks differ ('" + layer + "' has " + std::to_string(r) + ", others " +
                        std::to_string(result.loraRank) + ")");
        result.loraRank = r;
        if (layer == "clip_vision_encoder.model.head.attention.out_proj") {
            ++result.droppedTensors; // inert upstream: MultiheadAttention never calls the adapter
            continue;
        }
        const std::string weightName = layer + ".weight";
        auto w = plain.find(weightName);
        if (w == plain.end())
            throw Error(source + ": the LoRA adapter of '" + layer + "' has no base weight '" + weightName + "'");
        w->second = fold(w->second, a, b, lora.alpha / static_cast<double>(r), source, layer);
        ++result.foldedAdapters;
    }
    result.tensors = std::move(plain);
    result.storedDtype = stored.size() == 1 ? dtypeLabel(*stored.begin()) : (stored.empty() ? "" : "mixed");
    return result;
}

} // namespace rsrefseg
