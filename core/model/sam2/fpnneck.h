// FpnNeck: the SAM 2 FPN neck (sam2 image_encoder.py `FpnNeck`, key prefix
// `backbone.model.image_encoder.neck.`): a 1x1 lateral conv per trunk stage, top-down nearest x2
// upsampling summed into the levels listed in fpn_top_down_levels.
//
//   FpnNeck neck(config.neck);
//   std::vector<torch::Tensor> levels = neck(trunk(image)); // highest resolution first, d_model channels
//   // Hiera-L at 1024 px: [B,256,256,256], [B,256,128,128], [B,256,64,64], [B,256,32,32]
//
// convs[0] is the LOWEST resolution's (backbone_channel_list is lowest resolution first), so
// level i uses convs[n - 1 - i]. The sine position encodings upstream computes are unused by
// RSRefSeg 2 and not computed. The top-down tensor keeps the lateral's dtype (RSRefSeg 2's edit;
// nearest x2 is exact in any dtype).
#pragma once

#include "model/sam2/sam2config.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace rsrefseg {

class FpnNeckImpl : public torch::nn::Module
{
  public:
    explicit FpnNeckImpl(const FpnNeckConfig &config);

    // stages (B, C_i, H_i, W_i), highest resolution first, C_i = backbone_channel_list[n-1-i],
    // each level half the previous one's size -> the levels before scalp, highest resolution
    // first (B, d_model, H_i, W_i). With `trace`, records sam.neck.level<i>.
    std::vector<torch::Tensor> forward(const std::vector<torch::Tensor> &stages,
                                       std::map<std::string, torch::Tensor> *trace = nullptr);

    const FpnNeckConfig &config() const { return mConfig; }

  private:
    void checkStages(const std::vector<torch::Tensor> &stages) const;

    FpnNeckConfig mConfig;
    std::vector<torch::nn::Conv2d> mConvs; // convs.<i>.conv, lowest resolution first
};
TORCH_MODULE(FpnNeck);

} // namespace rsrefseg
