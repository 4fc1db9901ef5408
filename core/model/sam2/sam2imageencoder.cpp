#include "model/sam2/sam2imageencoder.h"

#include "common/error.h"

namespace rsrefseg {

Sam2ImageEncoderImpl::Sam2ImageEncoderImpl(const HieraConfig &hiera, const FpnNeckConfig &neckConfig)
{
    const std::vector<int64_t> channels = hiera.stageChannels();
    if (std::vector<int64_t>(channels.rbegin(), channels.rend()) != neckConfig.backboneChannelList)
        throw Error("Sam2ImageEncoder: neck.backbone_channel_list must be the trunk's stage channels, lowest "
                    "resolution first");
    trunk = register_module("trunk", HieraTrunk(hiera));
    neck = register_module("neck", FpnNeck(neckConfig));
}

std::vector<torch::Tensor> Sam2ImageEncoderImpl::forward(const torch::Tensor &image,
                                                         std::map<std::string, torch::Tensor> *trace)
{
    std::vector<torch::Tensor> levels = neck->forward(trunk->forward(image, trace), trace);
    levels.resize(levels.size() - static_cast<size_t>(neck->config().scalp));
    return levels;
}

} // namespace rsrefseg
