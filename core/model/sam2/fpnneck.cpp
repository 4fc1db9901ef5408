#include "model/sam2/fpnneck.h"

#include "common/error.h"

#include <algorithm>

namespace rsrefseg {

namespace {

// F.interpolate(x, scale_factor=2, mode="nearest") on (B, C, H, W): output pixel (i, j) reads
// (i / 2, j / 2), i.e. every value repeated 2x2. Done as an expand so that it is exact in every
// dtype.
torch::Tensor nearestUpsample2x(const torch::Tensor &x)
{
    const int64_t b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
    return x.view({b, c, h, 1, w, 1}).expand({b, c, h, 2, w, 2}).reshape({b, c, 2 * h, 2 * w});
}

} // namespace

FpnNeckImpl::FpnNeckImpl(const FpnNeckConfig &config)
    : mConfig(config)
{
    if (config.interpolation != "nearest")
        throw Error("FpnNeck: fpn_interp_model '" + config.interpolation + "' is not supported (only nearest)");
    if (config.fuseType != "sum" && config.fuseType != "avg")
        throw Error("FpnNeck: fuse_type '" + config.fuseType + "' is not supported (sum or avg)");
    if (config.backboneChannelList.empty() || config.kernelSize <= 0 || config.dModel <= 0 || config.scalp < 0 ||
        config.scalp >= static_cast<int64_t>(config.backboneChannelList.size()))
        throw Error("FpnNeck: invalid neck configuration (backbone_channel_list, kernel_size, d_model or scalp)");
    auto convs = register_module("convs", std::make_shared<torch::nn::Module>());
    for (size_t i = 0; i < config.backboneChannelList.size(); ++i) {
        auto current = convs->register_module(std::to_string(i), std::make_shared<torch::nn::Module>());
        // Upstream: stride 1, padding 0 (FpnNeck's defaults).
        mConvs.push_back(
            current->register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(
                                                 config.backboneChannelList[i], config.dModel, config.kernelSize))));
    }
}

void FpnNeckImpl::checkStages(const std::vector<torch::Tensor> &stages) const
{
    const size_t n = mConvs.size();
    if (stages.size() != n)
        throw Error("FpnNeck: expected " + std::to_string(n) + " trunk stages, got " + std::to_string(stages.size()));
    for (size_t i = 0; i < n; ++i) {
        const torch::Tensor &s = stages[i];
        const int64_t channels = mConfig.backboneChannelList[n - 1 - i];
        if (s.dim() != 4 || s.size(1) != channels)
            throw Error("FpnNeck: stage " + std::to_string(i) + " must be [B, " + std::to_string(channels) +
                        ", H, W], got " + c10::str(s.sizes()));
        if (i > 0 && (s.size(2) * 2 != stages[i - 1].size(2) || s.size(3) * 2 != stages[i - 1].size(3)))
            throw Error("FpnNeck: stage " + std::to_string(i) + " " + c10::str(s.sizes()) +
                        " is not half the size of stage " + std::to_string(i - 1) + " " +
                        c10::str(stages[i - 1].sizes()));
    }
}

std::vector<torch::Tensor> FpnNeckImpl::forward(const std::vector<torch::Tensor> &stages,
                                                std::map<std::string, torch::Tensor> *trace)
{
    checkStages(stages);
    const int64_t n = static_cast<int64_t>(mConvs.size()) - 1;
    const auto &topDown = mConfig.fpnTopDownLevels;
    std::vector<torch::Tensor> out(mConvs.size());
    torch::Tensor previous;
    // Lowest resolution first, as upstream: a level listed in fpn_top_down_levels adds the
    // upsampled previous level; any other level restarts from its lateral alone.
    for (int64_t i = n; i >= 0; --i) {
        torch::Tensor lateral = mConvs[n - i](stages[i]);
        if (previous.defined() && std::find(topDown.begin(), topDown.end(), i) != topDown.end()) {
            previous = lateral + nearestUpsample2x(previous.to(lateral.scalar_type()));
            if (mConfig.fuseType == "avg")
                previous = previous / 2;
        } else {
            previous = lateral;
        }
        out[i] = previous;
    }
    if (trace)
        for (size_t i = 0; i < out.size(); ++i)
            (*trace)["sam.neck.level" + std::to_string(i)] = out[i];
    return out;
}

} // namespace rsrefseg
