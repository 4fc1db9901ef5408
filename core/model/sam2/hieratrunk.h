// HieraTrunk: the SAM 2.1 Hiera trunk (sam2 hieradet.py `Hiera`, key prefix
// `backbone.model.image_encoder.trunk.` in an RSRefSeg 2 checkpoint): patch conv (channels-last)
// + position embedding -> Hiera blocks -> the four stage-end outputs.
//
//   HieraTrunk trunk(config.hiera);
//   trunk->eval();
//   std::vector<torch::Tensor> stages = trunk(image);   // image [B, 3, 1024, 1024], SAM-normalised
//   // stages: [B,144,256,256], [B,288,128,128], [B,576,64,64], [B,1152,32,32] for Hiera-L
//   std::map<std::string, torch::Tensor> trace;
//   trunk->forward(image, &trace);                      // + the golden fixture's sam.trunk.* names
//
// Position embedding = bicubic (align_corners false) resize of pos_embed to the patch grid plus
// pos_embed_window tiled over it. It is computed in float32 and rounded once to the model's dtype
// (upstream computes it in the model dtype; identical in float32, and a bf16 run does not depend
// on LibTorch's bf16 bicubic kernel on the CPU).
#pragma once

#include "model/sam2/hierablock.h"
#include "model/sam2/sam2config.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace rsrefseg {

class HieraTrunkImpl : public torch::nn::Module
{
  public:
    explicit HieraTrunkImpl(const HieraConfig &config);

    // image [B, 3, S, S] -> the 4 stage ends (B, C, H, W), first stage first. S must be a
    // multiple of requiredSideMultiple() (else rsrefseg::Error). With `trace`, records
    // sam.trunk.{patch_embed, pos_embed_resized, pos_added, block<i>} (channels-last) and
    // sam.trunk.stage<i> (B, C, H, W).
    std::vector<torch::Tensor> forward(const torch::Tensor &image,
                                       std::map<std::string, torch::Tensor> *trace = nullptr);

    // The blocks as upstream builds them: the window lags one block at stage changes, global
    // blocks get window 0, the first block of each of the first q_pool stage changes pools.
    static std::vector<HieraBlockSpec> blockSpecs(const HieraConfig &config);
    // Index of the last block of each stage.
    static std::vector<int64_t> stageEnds(const HieraConfig &config);
    // The image side must be a positive multiple of this: patch stride x lcm(window_spec[0] (the
    // pos_embed_window tiling), total q-pool stride (each pooled level exactly half: the FPN)).
    int64_t requiredSideMultiple() const;

    // See HieraBlockImpl::setAttentionChunkElements (applies to every block).
    void setAttentionChunkElements(int64_t elements);

    const HieraConfig &config() const { return mConfig; }
    const std::vector<HieraBlock> &blocks() const { return mBlocks; }

  private:
    void checkImage(const torch::Tensor &image) const;
    // (1, h, w, C) in float32, before the cast to the model dtype.
    torch::Tensor positionEmbedding(int64_t h, int64_t w) const;

    HieraConfig mConfig;
    std::vector<int64_t> mStageEnds;
    torch::nn::Conv2d mPatchProjection{nullptr}; // patch_embed.proj
    torch::Tensor mPosEmbed;                     // pos_embed [1, C, bkg, bkg]
    torch::Tensor mPosEmbedWindow;               // pos_embed_window [1, C, w0, w0]
    std::vector<HieraBlock> mBlocks;             // blocks.N
};
TORCH_MODULE(HieraTrunk);

} // namespace rsrefseg
