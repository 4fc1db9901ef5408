// The SAM 2.1 parts RSRefSeg 2 uses: the Hiera trunk, the FPN neck and the prompt encoder /
// mask decoder heads (facebookresearch/sam2, sam2.1_hiera_l.yaml by default). Parsed from JSON
// as part of RSRefSeg2Config (model/rsrefseg2/rsrefseg2config.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace rsrefseg {

// sam2 `Hiera` (hieradet.py) as sam2.1_hiera_l.yaml sets it.
struct HieraConfig
{
    int64_t embedDim = 144;
    int64_t numHeads = 2;
    std::vector<int64_t> stages{2, 6, 36, 4};
    std::vector<int64_t> globalAttBlocks{23, 33, 43};
    std::array<int64_t, 2> windowPosEmbedBkgSpatialSize{7, 7};
    std::vector<int64_t> windowSpec{8, 4, 16, 8};
    int64_t qPool = 3;
    std::array<int64_t, 2> qStride{2, 2};
    double dimMul = 2.0;
    double headMul = 2.0;
    double mlpRatio = 4.0;
    int64_t patchKernel = 7;
    int64_t patchStride = 4;
    int64_t patchPadding = 3;
    double normEps = 1e-6;

    int64_t numBlocks() const;
    // Channels at each stage end, first stage first: {144, 288, 576, 1152} for Hiera-L.
    std::vector<int64_t> stageChannels() const;
    bool operator==(const HieraConfig &o) const;
};

// sam2 `FpnNeck` (image_encoder.py).
struct FpnNeckConfig
{
    int64_t dModel = 256;
    std::vector<int64_t> backboneChannelList{1152, 576, 288, 144}; // lowest resolution first
    std::vector<int64_t> fpnTopDownLevels{2, 3};
    std::string interpolation = "nearest";
    std::string fuseType = "sum";
    int64_t scalp = 1;
    int64_t kernelSize = 1;
    bool operator==(const FpnNeckConfig &o) const;
};

// SAM2Base's prompt encoder and mask decoder (hyper-parameters hard-coded upstream; the
// transformer width is the neck's d_model).
struct Sam2HeadsConfig
{
    int64_t maskInChans = 16;
    int64_t numMultimaskOutputs = 3;
    int64_t transformerDepth = 2;
    int64_t transformerMlpDim = 2048;
    int64_t transformerHeads = 8;
    int64_t attentionDownsampleRate = 2;
    int64_t iouHeadDepth = 3;
    int64_t iouHeadHiddenDim = 256;
    bool useHighResFeatures = true;
    bool iouPredictionUseSigmoid = true;
    bool predObjScores = true;
    bool predObjScoresMlp = true;
    bool useMultimaskTokenForObjPtr = true;
    bool dynamicMultimaskViaStability = true;
    double stabilityDelta = 0.05;
    double stabilityThresh = 0.98;
    bool directlyAddNoMemEmbed = true;
    bool operator==(const Sam2HeadsConfig &o) const;
};

} // namespace rsrefseg
