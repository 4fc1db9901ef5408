// Sam2ImageEncoder: SAM 2.1's image encoder (sam2 image_encoder.py `ImageEncoder`, key prefix
// `backbone.model.image_encoder.` in an RSRefSeg 2 checkpoint): Hiera trunk -> FPN neck -> drop
// the `scalp` lowest-resolution levels.
//
//   Sam2ImageEncoder encoder(config.hiera, config.neck);
//   StateDictLoader::load(*encoder, tensorsWithoutPrefix, "model.safetensors");
//   encoder->eval();
//   std::vector<torch::Tensor> levels = encoder(image); // image [B, 3, 1024, 1024], SAM-normalised
//   // Hiera-L: {[B,256,256,256], [B,256,128,128], [B,256,64,64]} (scalp 1)
//
// Module names: `trunk.*` (HieraTrunk) and `neck.*` (FpnNeck).
#pragma once

#include "model/sam2/fpnneck.h"
#include "model/sam2/hieratrunk.h"
#include "model/sam2/sam2config.h"

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace rsrefseg {

class Sam2ImageEncoderImpl : public torch::nn::Module
{
  public:
    Sam2ImageEncoderImpl(const HieraConfig &hiera, const FpnNeckConfig &neck);

    // image [B, 3, S, S] -> the FPN levels after scalp, highest resolution first:
    // {[B, d, 4g, 4g], [B, d, 2g, 2g], [B, d, g, g]} with g = S / 16 for Hiera-L. With `trace`,
    // records the trunk's and the neck's fixture names (sam.trunk.*, sam.neck.level<i>).
    std::vector<torch::Tensor> forward(const torch::Tensor &image,
                                       std::map<std::string, torch::Tensor> *trace = nullptr);

    HieraTrunk trunk{nullptr};
    FpnNeck neck{nullptr};
};
TORCH_MODULE(Sam2ImageEncoder);

} // namespace rsrefseg
