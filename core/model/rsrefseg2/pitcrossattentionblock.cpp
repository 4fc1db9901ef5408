#include "model/rsrefseg2/pitcrossattentionblock.h"

#include "common/error.h"
#include "model/common/layernorm.h"

#include <array>
#include <set>

namespace rsrefseg {

namespace {

enum class Kind { Attention, Norm, Mlp };

struct Rule
{
    const char *substring;
    Kind kind;
    int stream; // PITCrossAttentionBlockImpl::Stream
    int keys;
};

// Upstream's construction and forward test these substrings in this order; the first match wins.
constexpr int kPrompt = 0, kImage = 1, kText = 2;
const std::array<Rule, 11> kRules = {{
    {"self_attn_prompt", Kind::Attention, kPrompt, kPrompt},
    {"self_attn_text", Kind::Attention, kText, kText},
    {"cross_attn_img_text", Kind::Attention, kImage, kText},
    {"cross_attn_prompt_text", Kind::Attention, kPrompt, kText},
    {"cross_attn_prompt_img", Kind::Attention, kPrompt, kImage},
    {"norm_prompt", Kind::Norm, kPrompt, kPrompt},
    {"norm_img", Kind::Norm, kImage, kImage},
    {"norm_text", Kind::Norm, kText, kText},
    {"mlp_prompt", Kind::Mlp, kPrompt, kPrompt},
    {"mlp_img", Kind::Mlp, kImage, kImage},
    {"mlp_text", Kind::Mlp, kText, kText},
}};

bool contains(const std::string &s, const char *part)
{
    return s.find(part) != std::string::npos;
}

torch::Tensor withPe(const torch::Tensor &x, const torch::Tensor &pe)
{
    return pe.defined() ? x + pe : x;
}

} // namespace

PITCrossAttentionBlockImpl::PITCrossAttentionBlockImpl(const CascadedPrompterConfig &config,
                                                       const std::vector<std::string> &order)
{
    const std::array<int64_t, 3> dims = {config.promptFeatDim, config.imgFeatDim, config.textFeatDim};
    std::set<std::string> seen;
    for (const std::string &name : order) {
        if (!seen.insert(name).second)
            throw Error("prompter block: op '" + name + "' appears twice in the op order");
        const Rule *rule = nullptr;
        for (const Rule &r : kRules) {
            if (contains(name, r.substring)) {
                rule = &r;
                break;
            }
        }
        // Upstream calls an op as attention iff its name contains "attn": the two must agree.
        if (!rule || (rule->kind == Kind::Attention) != contains(name, "attn"))
            throw Error("prompter block: unknown op '" + name + "' in the PITCrossAttentionBlock op order");
        Op op;
        op.name = name;
        op.stream = static_cast<Stream>(rule->stream);
        op.keys = static_cast<Stream>(rule->keys);
        op.residual = !contains(name, "norm");
        const int64_t dim = dims[static_cast<size_t>(rule->stream)];
        switch (rule->kind) {
        case Kind::Attention:
            op.attention = register_module(name, PrompterAttention(dim, dims[static_cast<size_t>(rule->keys)],
                                                                   config.internalDim, config.numHeads));
            break;
        case Kind::Norm:
            op.norm = register_module(
                name, torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(config.layerNormEps)));
            break;
        case Kind::Mlp:
            op.mlp = register_module(name, PrompterMlp(dim, config.mlpDim, dim));
            break;
        }
        mOps.push_back(op);
    }
}

PitStreams PITCrossAttentionBlockImpl::forward(PitStreams streams, const PitEmbeddings &pe)
{
    std::array<torch::Tensor *, 3> x = {&streams.prompts, &streams.image, &streams.text};
    const std::array<const torch::Tensor *, 3> pes = {&pe.promptPe, &pe.imagePe, &pe.textPe};
    static const char *const kStreamNames[] = {"prompts", "image", "text"};
    for (Op &op : mOps) { // non-const: ModuleHolder::operator-> is const-propagating
        torch::Tensor &s = *x[op.stream];
        if (!s.defined() || (op.attention && !x[op.keys]->defined()))
            throw Error("prompter block: op '" + op.name + "' needs the " +
                        kStreamNames[s.defined() ? op.keys : op.stream] + " stream");
        torch::Tensor out;
        if (op.attention) {
            const torch::Tensor &keys = *x[op.keys];
            out = op.attention->forward(withPe(s, *pes[op.stream]), withPe(keys, *pes[op.keys]), keys);
        } else if (op.norm) {
            out = layerNorm(op.norm, s);
        } else {
            out = op.mlp->forward(s);
        }
        // The op outputs are fresh tensors at least as large as the stream (batch broadcast).
        s = op.residual ? out.add_(s) : out;
    }
    return streams;
}

} // namespace rsrefseg
