#include "model/sam2/hierablock.h"

#include "common/error.h"
#include "model/common/attentionsoftmax.h"
#include "model/common/batchedmatmul.h"
#include "model/common/layernorm.h"

#include <torch/nn/functional/padding.h>

#include <algorithm>
#include <cmath>
#include <string>

namespace rsrefseg {

namespace F = torch::nn::functional;

bool HieraBlockSpec::operator==(const HieraBlockSpec &o) const
{
    return dim == o.dim && dimOut == o.dimOut && numHeads == o.numHeads && windowSize == o.windowSize &&
           qStride == o.qStride && mlpRatio == o.mlpRatio && normEps == o.normEps;
}

torch::Tensor hieraMaxPool(const torch::Tensor &x, const std::array<int64_t, 2> &stride)
{
    const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = x.size(3);
    const int64_t ho = h / stride[0], wo = w / stride[1];
    torch::Tensor t = x;
    if (ho * stride[0] != h || wo * stride[1] != w)
        t = t.narrow(1, 0, ho * stride[0]).narrow(2, 0, wo * stride[1]);
    return t.reshape({b, ho, stride[0], wo, stride[1], c}).amax({2, 4});
}

HieraBlockImpl::HieraBlockImpl(const HieraBlockSpec &spec)
    : mSpec(spec)
{
    if (spec.dim <= 0 || spec.dimOut <= 0 || spec.numHeads <= 0 || spec.dimOut % spec.numHeads != 0 ||
        spec.windowSize < 0)
        throw Error("HieraBlock: dim " + std::to_string(spec.dim) + " -> " + std::to_string(spec.dimOut) + " with " +
                    std::to_string(spec.numHeads) + " heads and window " + std::to_string(spec.windowSize) +
                    " is not a valid block (dim_out must be divisible by the heads)");
    const int64_t hidden = static_cast<int64_t>(static_cast<double>(spec.dimOut) * spec.mlpRatio);
    norm1 = register_module("norm1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({spec.dim}).eps(spec.normEps)));
    auto attn = register_module("attn", std::make_shared<torch::nn::Module>());
    qkv = attn->register_module("qkv", torch::nn::Linear(spec.dim, 3 * spec.dimOut));
    attnProj = attn->register_module("proj", torch::nn::Linear(spec.dimOut, spec.dimOut));
    norm2 =
        register_module("norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({spec.dimOut}).eps(spec.normEps)));
    auto mlp = register_module("mlp", std::make_shared<torch::nn::Module>());
    auto layers = mlp->register_module("layers", std::make_shared<torch::nn::Module>());
    mlp0 = layers->register_module("0", torch::nn::Linear(spec.dimOut, hidden));
    mlp1 = layers->register_module("1", torch::nn::Linear(hidden, spec.dimOut));
    if (spec.dim != spec.dimOut)
        proj = register_module("proj", torch::nn::Linear(spec.dim, spec.dimOut));
}

torch::Tensor HieraBlockImpl::attention(const torch::Tensor &windows)
{
    const int64_t n = windows.size(0), h = windows.size(1), w = windows.size(2);
    const int64_t c = mSpec.dimOut, heads = mSpec.numHeads, hd = c / heads;
    const int64_t tokens = h * w;
    // (N, tokens, 3, heads, hd) as upstream; q, k, v are views into the one qkv product.
    const torch::Tensor all = qkv(windows).view({n, tokens, 3, heads, hd});
    torch::Tensor q = all.select(2, 0);
    int64_t hq = h, wq = w;
    if (mSpec.poolsQueries()) {
        q = hieraMaxPool(q.reshape({n, h, w, c}), mSpec.qStride);
        hq = q.size(1);
        wq = q.size(2);
        q = q.view({n, hq * wq, heads, hd});
    }
    const int64_t queries = hq * wq;
    const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
    const torch::Tensor qs = (q.transpose(1, 2) * scale).contiguous();            // [N, heads, queries, hd]
    const torch::Tensor kt = all.select(2, 1).permute({0, 2, 3, 1}).contiguous(); // [N, heads, hd, tokens]
    const torch::Tensor v = all.select(2, 2).transpose(1, 2).contiguous();        // [N, heads, tokens, hd]

    // Queries are independent (one softmax per query row), so chunking changes only peak memory.
    int64_t perChunk = queries;
    if (mChunkElements > 0)
        perChunk =
            std::max<int64_t>(1, std::min<int64_t>(queries, mChunkElements / std::max<int64_t>(n * heads * tokens, 1)));
    std::vector<torch::Tensor> outs;
    for (int64_t q0 = 0; q0 < queries; q0 += perChunk) {
        const int64_t rows = std::min(perChunk, queries - q0);
        const torch::Tensor qc = rows == queries ? qs : qs.narrow(2, q0, rows);
        outs.push_back(batchedMatmul(attentionSoftmax(batchedMatmul(qc, kt)), v)); // [N, heads, rows, hd]
    }
    const torch::Tensor out = outs.size() == 1 ? outs.front() : torch::cat(outs, 2);
    return attnProj(out.transpose(1, 2).reshape({n, hq, wq, c}));
}

torch::Tensor HieraBlockImpl::forward(const torch::Tensor &x)
{
    if (x.dim() != 4 || x.size(3) != mSpec.dim)
        throw Error("HieraBlock: expected channels-last tokens [B, H, W, " + std::to_string(mSpec.dim) + "], got " +
                    c10::str(x.sizes()));
    const int64_t b = x.size(0), h = x.size(1), w = x.size(2), c = mSpec.dim, cOut = mSpec.dimOut;
    torch::Tensor xn = layerNorm(norm1, x);
    torch::Tensor shortcut = x;
    if (proj) {
        shortcut = proj(xn);
        if (mSpec.poolsQueries())
            shortcut = hieraMaxPool(shortcut, mSpec.qStride);
    }
    torch::Tensor y;
    const int64_t ws = mSpec.windowSize;
    if (ws > 0) {
        // Zero-pad the NORMED tokens bottom/right to a multiple of the window (8 -> 12 in blocks
        // 5 and 6 of the tiny model); upstream lets them attend unmasked.
        const int64_t padH = (ws - h % ws) % ws, padW = (ws - w % ws) % ws;
        if (padH > 0 || padW > 0)
            xn = F::pad(xn, F::PadFuncOptions({0, 0, 0, padW, 0, padH}));
        const int64_t nh = (h + padH) / ws, nw = (w + padW) / ws;
        const torch::Tensor windows =
            xn.view({b, nh, ws, nw, ws, c}).permute({0, 1, 3, 2, 4, 5}).reshape({b * nh * nw, ws, ws, c});
        const torch::Tensor out = attention(windows); // [b*nh*nw, ws', ws', cOut]
        const int64_t wh = out.size(1), ww = out.size(2);
        y = out.view({b, nh, nw, wh, ww, cOut}).permute({0, 1, 3, 2, 4, 5}).reshape({b, nh * wh, nw * ww, cOut});
        // Crop the padding (after q pooling the grid is the pooled shortcut's).
        if (y.size(1) != shortcut.size(1) || y.size(2) != shortcut.size(2))
            y = y.narrow(1, 0, shortcut.size(1)).narrow(2, 0, shortcut.size(2));
    } else {
        y = attention(xn);
    }
    torch::Tensor out = shortcut + y;
    return out + mlp1(torch::gelu(mlp0(layerNorm(norm2, out))));
}

} // namespace rsrefseg
