// Helpers for the RSRefSeg tests: golden paths, importing the tiny golden model, and the
// golden README §10 comparison (|a - b| <= atol + rtol |b| everywhere).
#pragma once

#include "model/rsrefseg/modelimporter.h"
#include "model/weights/safetensorsfile.h"

#include <torch/torch.h>

#include <string>
#include "testpaths.h"

namespace rsgolden {

inline std::string golden(const std::string &relative)
{
    return rsrefseg::test::testDataDir() + "/golden/" + relative;
}

inline rsrefseg::ModelImporter::Options tinyImport(const std::string &checkpoint)
{
    rsrefseg::ModelImporter::Options o;
    o.siglipDir = golden("siglip_tiny");
    o.samDir = golden("sam_tiny");
    if (!checkpoint.empty())
        o.checkpoint = golden("rsrefseg_tiny/" + checkpoint);
    o.loraAlpha = 8.0; // the golden model: r = 4, alpha = 8
    o.trained = false;
    return o;
}

// The tiny golden model imported from its safetensors checkpoint into a bundle at `outDir`
// (returned), as the modelhub and predictor tests open it.
inline std::string importTinyBundle(const std::string &outDir)
{
    rsrefseg::ModelImporter::Options o = tinyImport("model.safetensors");
    o.outDir = outDir;
    rsrefseg::ModelImporter::run(o);
    return outDir;
}

struct Difference
{
    double maxAbs = 0.0;
    bool within = false;
};

inline Difference compare(const torch::Tensor &actual, const torch::Tensor &expected, double atol, double rtol)
{
    const torch::Tensor a = actual.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    const torch::Tensor e = expected.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    if (a.sizes() != e.sizes())
        return {std::numeric_limits<double>::infinity(), false};
    const torch::Tensor diff = (a - e).abs();
    Difference d;
    d.maxAbs = diff.numel() ? diff.max().item<double>() : 0.0;
    d.within = diff.le(atol + rtol * e.abs()).all().item<bool>();
    return d;
}

} // namespace rsgolden
