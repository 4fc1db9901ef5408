// RSRefSeg2Config: the sizes and constants of one RSRefSeg 2 model (SAM 2.1 Hiera image
// encoder + FPN neck, the SAM 2 prompt encoder and mask decoder, SigLIP (2) towers, the cascaded
// prompter, LoRA and pre/post-processing), in the schema of the golden fixtures'
// `manifests/rsrefseg2-full.config.json` (../shared/RSREFSEG2.md names every value).
//
//   RSRefSeg2Config full = RSRefSeg2Config::full();                 // built in: Hiera-L, so400m/16 @512
//   RSRefSeg2Config tiny = RSRefSeg2Config::fromFile("config.json"); // the fixture's tiny model
//   nlohmann::json j = tiny.toJson();                                 // fromJson(j) == tiny
//
// Malformed input throws rsrefseg::Error naming the source and the field.
#pragma once

#include "model/sam2/sam2config.h"
#include "model/siglip/siglipconfig.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rsrefseg {

// RSRefSeg2's `CascadedPrompter` (refseg/models/models.py) as rrsisd_infer.py builds it.
struct CascadedPrompterConfig
{
    int64_t numTextQueries = 3;
    int64_t textFeatDim = 1152;
    int64_t imgFeatDim = 1152;
    int64_t promptFeatDim = 256;
    int64_t numHeads = 8;
    int64_t internalDim = 512;
    int64_t mlpDim = 512;
    int64_t numPrompts = 9;
    int64_t imgpeSize = 32;
    double layerNormEps = 1e-5;
    double bnEps = 1e-5;
    // Op orders of the three block kinds (TwoQueryTextCrossAttentionBlock, the Q1 and the Q2
    // PITCrossAttentionBlock), rrsisd_infer.py's by default.
    std::vector<std::string> twoQueryOrder;
    std::vector<std::string> query1Order;
    std::vector<std::string> query2Order;

    CascadedPrompterConfig();
    bool operator==(const CascadedPrompterConfig &o) const;
};

// PEFT LoRA of the checkpoint: rank, alpha and the target regexes per wrapped submodule.
struct Lora2Config
{
    int64_t r = 16;
    double alpha = 16.0;
    double dropout = 0.0;
    std::map<std::string, std::string> targets; // wrapped submodule -> full-match regex

    double scale() const { return alpha / static_cast<double>(r); }
    bool operator==(const Lora2Config &o) const;
};

struct RSRefSeg2Config
{
    int64_t imageSize = 1024;     // SAM 2 input (square, keep-ratio resized and zero-padded)
    int64_t backboneStride = 16;  // image embedding grid = imageSize / backboneStride
    HieraConfig hiera;
    FpnNeckConfig neck;
    Sam2HeadsConfig heads;
    SiglipConfig siglip;          // both towers; siglip.vision.imageSize is the processor size
    std::array<double, 3> siglipMean{0.5, 0.5, 0.5};
    std::array<double, 3> siglipStd{0.5, 0.5, 0.5};
    std::array<double, 3> samMean{0.485, 0.456, 0.406};
    std::array<double, 3> samStd{0.229, 0.224, 0.225};
    CascadedPrompterConfig prompter;
    Lora2Config lora;
    double maskThreshold = 0.5;   // on the sigmoid of the logits

    int64_t embeddingGrid() const { return imageSize / backboneStride; } // 64
    int64_t maskInputSize() const { return 4 * embeddingGrid(); }       // 256: D and the low-res logits
    int64_t transformerDim() const { return neck.dModel; }
    int64_t siglipImageSize() const { return siglip.vision.imageSize; }
    int64_t siglipGrid() const { return siglip.vision.gridSize(); }

    // The released model: SAM 2.1 Hiera-L + SigLIP 2 so400m/16 @512 + rrsisd_infer.py's prompter.
    static RSRefSeg2Config full();
    static RSRefSeg2Config fromJson(const nlohmann::json &json, const std::string &source);
    static RSRefSeg2Config fromFile(const std::string &path);
    nlohmann::json toJson() const;
    // The invariants the forward relies on (matching channels, grids, windows).
    void validate(const std::string &source) const;
    bool operator==(const RSRefSeg2Config &o) const;
};

} // namespace rsrefseg
