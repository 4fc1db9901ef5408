#include "model/rsrefseg2/twoquerytextblock.h"

#include "common/error.h"
#include "model/common/layernorm.h"

#include <array>
#include <set>

namespace rsrefseg {

namespace {

constexpr int kQ1 = 0, kQ2 = 1, kText = 2;

struct Route
{
    const char *substring;
    int stream;
    int keys;
};

// Upstream forward's tests, in its order; the first match wins.
const std::array<Route, 10> kRoutes = {{
    {"self_attn_query_query1", kQ1, kQ1},
    {"self_attn_query_query2", kQ2, kQ2},
    {"cross_attn_query_text_query1_text", kQ1, kText},
    {"cross_attn_query_text_query2_text", kQ2, kText},
    {"cross_attn_query_query_query1_query2", kQ1, kQ2},
    {"cross_attn_query_query_query2_query1", kQ2, kQ1},
    {"mlp_query1", kQ1, kQ1},
    {"mlp_query2", kQ2, kQ2},
    {"norm_query1", kQ1, kQ1},
    {"norm_query2", kQ2, kQ2},
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

TwoQueryTextBlockImpl::TwoQueryTextBlockImpl(const CascadedPrompterConfig &config)
{
    const int64_t dim = config.textFeatDim; // query_feat_dim = text_feat_dim upstream
    std::set<std::string> seen;
    for (const std::string &name : config.twoQueryOrder) {
        if (!seen.insert(name).second)
            throw Error("prompter block: op '" + name + "' appears twice in the op order");
        const Route *route = nullptr;
        for (const Route &r : kRoutes) {
            if (contains(name, r.substring)) {
                route = &r;
                break;
            }
        }
        const auto unknown = [&] {
            return Error("prompter block: unknown op '" + name + "' in the TwoQueryTextCrossAttentionBlock op order");
        };
        if (!route)
            throw unknown();
        Op op;
        op.name = name;
        op.stream = static_cast<Stream>(route->stream);
        op.keys = static_cast<Stream>(route->keys);
        op.residual = !contains(name, "norm");
        // The module comes from upstream's construction tests; forward calls it as attention iff
        // the name contains "attn", so the two must agree.
        if (contains(name, "self_attn_query") || contains(name, "cross_attn_query_text") ||
            contains(name, "cross_attn_query_query")) {
            op.attention = register_module(name, PrompterAttention(dim, dim, config.internalDim, config.numHeads));
        } else if (contains(name, "mlp_query") && !contains(name, "attn")) {
            op.mlp = register_module(name, PrompterMlp(dim, config.mlpDim, dim));
        } else if (contains(name, "norm_query") && !contains(name, "attn")) {
            op.norm = register_module(
                name, torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(config.layerNormEps)));
        } else {
            throw unknown();
        }
        mOps.push_back(op);
    }
}

std::pair<torch::Tensor, torch::Tensor>
TwoQueryTextBlockImpl::forward(const torch::Tensor &queries1, const torch::Tensor &queries2, const torch::Tensor &text,
                               const torch::Tensor &pe1, const torch::Tensor &pe2)
{
    if (!queries1.defined() || !queries2.defined() || !text.defined())
        throw Error("prompter two-query block: queries and text must be given");
    std::array<torch::Tensor, 3> x = {queries1, queries2, text};
    const std::array<torch::Tensor, 3> pes = {pe1, pe2, torch::Tensor()}; // the text has no PE
    for (Op &op : mOps) { // non-const: ModuleHolder::operator-> is const-propagating
        torch::Tensor &s = x[static_cast<size_t>(op.stream)];
        torch::Tensor out;
        if (op.attention) {
            const torch::Tensor &keys = x[static_cast<size_t>(op.keys)];
            out = op.attention->forward(withPe(s, pes[static_cast<size_t>(op.stream)]),
                                        withPe(keys, pes[static_cast<size_t>(op.keys)]), keys);
        } else if (op.norm) {
            out = layerNorm(op.norm, s);
        } else {
            out = op.mlp->forward(s);
        }
        // Fresh op outputs: the residual is added in place.
        s = op.residual ? out.add_(s) : out;
    }
    return {x[0], x[1]};
}

} // namespace rsrefseg
