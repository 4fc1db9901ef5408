// RSRefSeg2Benchmark: ModelBenchmark for the RSRefSeg 2 architecture (`bench model --arch
// rsrefseg2-l`): per tile the Hiera-L trunk + FPN neck + conv_s0/s1 and the SigLIP 2 vision
// tower (the cached image work), per query the text tower and, on a cached tile, the cascaded
// prompter + SAM 2 mask decoder. Same Result fields as RSRefSeg (the SAM figure is Hiera + neck,
// decode is prompter + decoder); FLOP per tile counted from the architecture.
#pragma once

#include "model/bench/modelbenchmark.h"

namespace rsrefseg {

struct RSRefSeg2Config;

class RSRefSeg2Benchmark
{
  public:
    // options.arch: "rsrefseg2-l" (released size) or "rsrefseg2-tiny" (the golden tiny model).
    static ModelBenchmark::Result run(const ModelBenchmark::Options &options,
                                      const std::function<void(const std::string &)> &log);
    // Multiply-add FLOPs (2 per MAC) of the cached image work per tile, in GFLOP: Hiera (windowed
    // attention counted per window, padding included), neck, conv_s0/s1, SigLIP vision.
    static double imageGflop(const RSRefSeg2Config &config);
};

} // namespace rsrefseg
