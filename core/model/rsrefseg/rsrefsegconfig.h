// RSRefSegConfig: the sizes and constants of one RSRefSeg model (both foundation models, the
// prompter, preprocessing and the mask threshold), as stored in a model bundle's manifest.
//
//   RSRefSegConfig c = RSRefSegConfig::rsrefsegB();        // SAM ViT-B + SigLIP so400m/14 @384
//   nlohmann::json j = c.toJson();  RSRefSegConfig back = RSRefSegConfig::fromJson(j, "manifest");
#pragma once

#include "model/sam/samconfig.h"
#include "model/siglip/siglipconfig.h"

#include <nlohmann/json.hpp>

#include <array>
#include <string>

namespace rsrefseg {

struct RSRefSegConfig
{
    SiglipConfig siglip;
    SamConfig sam;
    int64_t downSpatialTimes = 2;   // number of 3x3 stride-2 prompter blocks
    double maskThreshold = 0.5;     // on the sigmoid of the logits
    std::array<double, 3> samMean{0.485, 0.456, 0.406};
    std::array<double, 3> samStd{0.229, 0.224, 0.225};
    std::array<double, 3> siglipMean{0.5, 0.5, 0.5};
    std::array<double, 3> siglipStd{0.5, 0.5, 0.5};

    // The model's input: a square RGB image of this size (SAM's image size, 1024 for RSRefSeg-b).
    int64_t imageSize() const { return sam.vision.imageSize; }
    int64_t siglipImageSize() const { return siglip.vision.imageSize; }
    int64_t siglipGrid() const { return siglip.vision.gridSize(); }
    int64_t samGrid() const { return sam.vision.gridSize(); }
    int64_t promptChannels() const { return sam.promptEncoder.hiddenSize; }
    // Side of the sparse prompt grid: siglipGrid halved (ceil) downSpatialTimes times.
    int64_t promptGrid() const;

    static RSRefSegConfig rsrefsegB();
    nlohmann::json toJson() const;
    // Throws rsrefseg::Error naming `source` and the field for missing or invalid values.
    static RSRefSegConfig fromJson(const nlohmann::json &json, const std::string &source);
    // Checks the invariants the forward relies on (matching channels, sizes).
    void validate(const std::string &source) const;
};

} // namespace rsrefseg
