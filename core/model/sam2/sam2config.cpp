#include "model/sam2/sam2config.h"

#include <numeric>

namespace rsrefseg {

int64_t HieraConfig::numBlocks() const { return std::accumulate(stages.begin(), stages.end(), int64_t{0}); }

std::vector<int64_t> HieraConfig::stageChannels() const
{
    std::vector<int64_t> out;
    double dim = static_cast<double>(embedDim);
    for (size_t s = 0; s < stages.size(); ++s) {
        out.push_back(static_cast<int64_t>(dim));
        dim *= dimMul;
    }
    return out;
}

bool HieraConfig::operator==(const HieraConfig &o) const
{
    return embedDim == o.embedDim && numHeads == o.numHeads && stages == o.stages &&
           globalAttBlocks == o.globalAttBlocks && windowPosEmbedBkgSpatialSize == o.windowPosEmbedBkgSpatialSize &&
           windowSpec == o.windowSpec && qPool == o.qPool && qStride == o.qStride && dimMul == o.dimMul &&
           headMul == o.headMul && mlpRatio == o.mlpRatio && patchKernel == o.patchKernel &&
           patchStride == o.patchStride && patchPadding == o.patchPadding && normEps == o.normEps;
}

bool FpnNeckConfig::operator==(const FpnNeckConfig &o) const
{
    return dModel == o.dModel && backboneChannelList == o.backboneChannelList &&
           fpnTopDownLevels == o.fpnTopDownLevels && interpolation == o.interpolation && fuseType == o.fuseType &&
           scalp == o.scalp && kernelSize == o.kernelSize;
}

bool Sam2HeadsConfig::operator==(const Sam2HeadsConfig &o) const
{
    return maskInChans == o.maskInChans && numMultimaskOutputs == o.numMultimaskOutputs &&
           transformerDepth == o.transformerDepth && transformerMlpDim == o.transformerMlpDim &&
           transformerHeads == o.transformerHeads && attentionDownsampleRate == o.attentionDownsampleRate &&
           iouHeadDepth == o.iouHeadDepth && iouHeadHiddenDim == o.iouHeadHiddenDim &&
           useHighResFeatures == o.useHighResFeatures && iouPredictionUseSigmoid == o.iouPredictionUseSigmoid &&
           predObjScores == o.predObjScores && predObjScoresMlp == o.predObjScoresMlp &&
           useMultimaskTokenForObjPtr == o.useMultimaskTokenForObjPtr &&
           dynamicMultimaskViaStability == o.dynamicMultimaskViaStability && stabilityDelta == o.stabilityDelta &&
           stabilityThresh == o.stabilityThresh && directlyAddNoMemEmbed == o.directlyAddNoMemEmbed;
}

} // namespace rsrefseg
