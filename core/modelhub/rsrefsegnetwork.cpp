#include "modelhub/rsrefsegnetwork.h"

#include "common/error.h"
#include "modelhub/torchcompute.h"

#include <torch/torch.h>

namespace rsrefseg {

RSRefSegNetwork RSRefSegNetwork::open(const std::string &bundleDir, const ComputeOptions &compute,
                                      const std::function<bool(double)> &progress)
{
    RSRefSegNetwork n;
    n.threads = applyComputeThreads(compute.threads);
    const ModelBundle bundle = ModelBundle::open(bundleDir);
    const torch::ScalarType dtype = ModelBundle::parseDtype(compute.dtype);
    ModelBundle::parseDevice(compute.device);
    try {
        n.model = bundle.load({compute.device, dtype}, progress);
    } catch (const c10::OutOfMemoryError &e) {
        throwLoadOutOfMemory(e, compute.device);
    }
    n.tokenizerPath = bundle.tokenizerPath();
    n.tokenizer = tokenizerFor(n.tokenizerPath, bundle.manifest().config);
    n.manifest = bundle.manifest();
    n.dir = bundleDir;
    return n;
}

std::unique_ptr<SiglipTokenizer> RSRefSegNetwork::tokenizerFor(const std::string &spmPath, const RSRefSegConfig &config)
{
    SiglipTokenizer::Options o;
    o.maxPositions = static_cast<int>(config.siglip.text.maxPositionEmbeddings);
    return std::make_unique<SiglipTokenizer>(spmPath, o);
}

} // namespace rsrefseg
