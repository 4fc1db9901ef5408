#include "model/rsrefseg2/prompterattention.h"

#include "common/error.h"
#include "model/common/attentionsoftmax.h"
#include "model/common/batchedmatmul.h"
#include "model/common/fewrowslinear.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace rsrefseg {

PrompterAttentionImpl::PrompterAttentionImpl(int64_t queryDim, int64_t kvDim, int64_t internalDim, int64_t numHeads)
    : mQueryDim(queryDim)
    , mKvDim(kvDim)
    , mInternalDim(internalDim)
    , mNumHeads(numHeads)
{
    if (queryDim <= 0 || kvDim <= 0 || numHeads <= 0 || internalDim <= 0 || internalDim % numHeads != 0)
        throw Error("prompter attention: internal dim " + std::to_string(internalDim) +
                    " must be a positive multiple of " + std::to_string(numHeads) + " heads");
    // Upstream attribute order.
    qProj = register_module("q_proj", torch::nn::Linear(queryDim, internalDim));
    kProj = register_module("k_proj", torch::nn::Linear(kvDim, internalDim));
    vProj = register_module("v_proj", torch::nn::Linear(kvDim, internalDim));
    outProj = register_module("out_proj", torch::nn::Linear(internalDim, queryDim));
}

namespace {

void checkInput(const torch::Tensor &t, const char *what, int64_t dim)
{
    if (!t.defined() || t.dim() != 3 || t.size(2) != dim)
        throw Error(std::string("prompter attention: ") + what + " must be [batch, tokens, " + std::to_string(dim) +
                    "], got " + (t.defined() ? c10::str(t.sizes()) : std::string("none")));
}

} // namespace

torch::Tensor PrompterAttentionImpl::forward(const torch::Tensor &q, const torch::Tensor &k, const torch::Tensor &v)
{
    checkInput(q, "query", mQueryDim);
    checkInput(k, "key", mKvDim);
    checkInput(v, "value", mKvDim);
    const int64_t bq = q.size(0), bk = k.size(0);
    if (k.size(0) != v.size(0) || k.size(1) != v.size(1) || (bq != bk && bq != 1 && bk != 1))
        throw Error("prompter attention: batches/tokens of query " + c10::str(q.sizes()) + ", key " +
                    c10::str(k.sizes()) + " and value " + c10::str(v.sizes()) + " do not match");
    const int64_t h = mNumHeads;
    const int64_t d = mInternalDim / h;
    const int64_t nq = q.size(1), nk = k.size(1);
    // SDPA scales q k^T; scaling q first is the same product (exact for head_dim 64).
    const double scale = 1.0 / std::sqrt(static_cast<double>(d));
    // The text and prompt streams are a few rows: fewRowsLinear takes the faster bf16 product.
    const torch::Tensor qh =
        fewRowsLinear(q, qProj->weight, qProj->bias).mul_(scale).view({bq, nq, h, d}).transpose(1, 2);
    const torch::Tensor kh = fewRowsLinear(k, kProj->weight, kProj->bias).view({bk, nk, h, d}).transpose(1, 2);
    const torch::Tensor vh = fewRowsLinear(v, vProj->weight, vProj->bias).view({bk, nk, h, d}).transpose(1, 2);
    // batchedMatmul needs equal batches; a broadcast batch goes to torch::matmul.
    const auto product = [&](const torch::Tensor &a, const torch::Tensor &b) {
        return bq == bk ? batchedMatmul(a, b) : torch::matmul(a, b);
    };
    const torch::Tensor probs = attentionSoftmax(product(qh, kh.transpose(-2, -1))); // [B, H, Nq, Nk]
    const int64_t b = std::max(bq, bk);
    const torch::Tensor context = product(probs, vh).transpose(1, 2).reshape({b, nq, mInternalDim});
    return fewRowsLinear(context, outProj->weight, outProj->bias);
}

} // namespace rsrefseg
