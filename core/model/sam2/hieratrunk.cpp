#include "model/sam2/hieratrunk.h"

#include "common/error.h"

#include <torch/nn/functional/upsampling.h>

#include <algorithm>
#include <numeric>

namespace rsrefseg {

namespace F = torch::nn::functional;

std::vector<int64_t> HieraTrunkImpl::stageEnds(const HieraConfig &config)
{
    std::vector<int64_t> ends;
    int64_t total = 0;
    for (int64_t blocks : config.stages) {
        total += blocks;
        ends.push_back(total - 1);
    }
    return ends;
}

std::vector<HieraBlockSpec> HieraTrunkImpl::blockSpecs(const HieraConfig &config)
{
    if (config.stages.empty() || config.windowSpec.size() < config.stages.size() ||
        std::any_of(config.stages.begin(), config.stages.end(), [](int64_t n) { return n <= 0; }))
        throw Error("HieraTrunk: hiera.stages must be non-empty and positive, with one window_spec entry per stage");
    const std::vector<int64_t> ends = stageEnds(config);
    // Upstream: q_pool_blocks = [end + 1 for end in stage_ends[:-1]][:q_pool].
    std::vector<int64_t> poolBlocks;
    for (size_t s = 0; s + 1 < ends.size() && static_cast<int64_t>(poolBlocks.size()) < config.qPool; ++s)
        poolBlocks.push_back(ends[s] + 1);
    auto contains = [](const std::vector<int64_t> &v, int64_t x) {
        return std::find(v.begin(), v.end(), x) != v.end();
    };

    std::vector<HieraBlockSpec> specs;
    int64_t dim = config.embedDim, heads = config.numHeads;
    size_t stage = 0;
    for (int64_t i = 0; i < config.numBlocks(); ++i) {
        HieraBlockSpec spec;
        spec.dim = dim;
        spec.dimOut = dim;
        // The window is read before the stage advances: the first block of a stage keeps the
        // previous stage's window (upstream's lag).
        spec.windowSize = contains(config.globalAttBlocks, i) ? 0 : config.windowSpec[stage];
        if (contains(ends, i - 1)) {
            spec.dimOut = static_cast<int64_t>(static_cast<double>(dim) * config.dimMul);
            heads = static_cast<int64_t>(static_cast<double>(heads) * config.headMul);
            ++stage;
        }
        spec.numHeads = heads;
        if (contains(poolBlocks, i))
            spec.qStride = config.qStride;
        spec.mlpRatio = config.mlpRatio;
        spec.normEps = config.normEps;
        specs.push_back(spec);
        dim = spec.dimOut;
    }
    return specs;
}

HieraTrunkImpl::HieraTrunkImpl(const HieraConfig &config)
    : mConfig(config)
    , mStageEnds(stageEnds(config))
{
    const std::vector<HieraBlockSpec> specs = blockSpecs(config);
    const int64_t c = config.embedDim;
    auto patchEmbed = register_module("patch_embed", std::make_shared<torch::nn::Module>());
    mPatchProjection =
        patchEmbed->register_module("proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, c, config.patchKernel)
                                                                  .stride(config.patchStride)
                                                                  .padding(config.patchPadding)));
    const auto &bkg = config.windowPosEmbedBkgSpatialSize;
    mPosEmbed = register_parameter("pos_embed", torch::zeros({1, c, bkg[0], bkg[1]}));
    const int64_t w0 = config.windowSpec[0];
    mPosEmbedWindow = register_parameter("pos_embed_window", torch::zeros({1, c, w0, w0}));
    auto blocks = register_module("blocks", std::make_shared<torch::nn::Module>());
    for (size_t i = 0; i < specs.size(); ++i)
        mBlocks.push_back(blocks->register_module(std::to_string(i), HieraBlock(specs[i])));
}

int64_t HieraTrunkImpl::requiredSideMultiple() const
{
    int64_t pool = 1;
    for (const auto &block : mBlocks)
        if (block->spec().poolsQueries())
            pool *= std::max(block->spec().qStride[0], block->spec().qStride[1]);
    return mConfig.patchStride * std::lcm(mConfig.windowSpec[0], pool);
}

void HieraTrunkImpl::checkImage(const torch::Tensor &image) const
{
    const int64_t multiple = requiredSideMultiple();
    if (image.dim() != 4 || image.size(1) != 3)
        throw Error("HieraTrunk: expected an image [B, 3, S, S], got " + c10::str(image.sizes()));
    const int64_t h = image.size(2), w = image.size(3);
    if (h <= 0 || w <= 0 || h % multiple != 0 || w % multiple != 0)
        throw Error("HieraTrunk: image side " + std::to_string(h) + "x" + std::to_string(w) +
                    " must be a positive multiple of " + std::to_string(multiple) + " (patch stride " +
                    std::to_string(mConfig.patchStride) + " x the window/pooling grid)");
    // The patch grid must be side / stride (a kernel of 2 * padding + 1 gives it).
    const int64_t grid = (h + 2 * mConfig.patchPadding - mConfig.patchKernel) / mConfig.patchStride + 1;
    if (grid * mConfig.patchStride != h)
        throw Error("HieraTrunk: patch kernel " + std::to_string(mConfig.patchKernel) + " with padding " +
                    std::to_string(mConfig.patchPadding) + " does not give a grid of side / stride");
}

torch::Tensor HieraTrunkImpl::positionEmbedding(int64_t h, int64_t w) const
{
    const torch::Tensor background = F::interpolate(
        mPosEmbed.to(torch::kFloat32),
        F::InterpolateFuncOptions().size(std::vector<int64_t>{h, w}).mode(torch::kBicubic).align_corners(false));
    const int64_t w0h = mPosEmbedWindow.size(2), w0w = mPosEmbedWindow.size(3);
    const torch::Tensor window = mPosEmbedWindow.to(torch::kFloat32).repeat({1, 1, h / w0h, w / w0w});
    return (background + window).permute({0, 2, 3, 1});
}

std::vector<torch::Tensor> HieraTrunkImpl::forward(const torch::Tensor &image,
                                                   std::map<std::string, torch::Tensor> *trace)
{
    checkImage(image);
    torch::Tensor x = mPatchProjection(image).permute({0, 2, 3, 1}); // (B, h, w, C)
    const torch::Tensor pos = positionEmbedding(x.size(1), x.size(2)).to(x.scalar_type());
    if (trace) {
        (*trace)["sam.trunk.patch_embed"] = x;
        (*trace)["sam.trunk.pos_embed_resized"] = pos;
    }
    x = (x + pos).contiguous();
    if (trace)
        (*trace)["sam.trunk.pos_added"] = x;
    std::vector<torch::Tensor> outputs;
    for (size_t i = 0; i < mBlocks.size(); ++i) {
        x = mBlocks[i](x);
        if (trace)
            (*trace)["sam.trunk.block" + std::to_string(i)] = x;
        if (std::find(mStageEnds.begin(), mStageEnds.end(), static_cast<int64_t>(i)) != mStageEnds.end()) {
            outputs.push_back(x.permute({0, 3, 1, 2}).contiguous());
            if (trace)
                (*trace)["sam.trunk.stage" + std::to_string(outputs.size() - 1)] = outputs.back();
        }
    }
    return outputs;
}

void HieraTrunkImpl::setAttentionChunkElements(int64_t elements)
{
    for (auto &block : mBlocks)
        block->setAttentionChunkElements(elements);
}

} // namespace rsrefseg
