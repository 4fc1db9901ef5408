// RSRefSegNetwork: an RSRefSeg bundle opened at the network level, for the callers that work on
// the LibTorch module itself (the trainer, the evaluator, RSRefSegSegmentationModel): the bundle,
// its tokenizer with the text tower's maximum positions, and the model on its device and dtype.
// The one place where that sequence is written.
//
//   RSRefSegNetwork n = RSRefSegNetwork::open("models/rsrefseg-b", compute);
//   DecodeOutput o = n.model->predict(x, ids, mask);
#pragma once

#include "model/rsrefseg/modelbundle.h"
#include "modelhub/computeoptions.h"
#include "text/sigliptokenizer.h"

#include <functional>
#include <memory>
#include <string>

namespace rsrefseg {

struct RSRefSegNetwork
{
    RSRefSegModel model{nullptr};
    std::unique_ptr<SiglipTokenizer> tokenizer;
    BundleManifest manifest;
    std::string dir;
    std::string tokenizerPath;
    int threads = 1; // LibTorch intra-op threads in use (applyComputeThreads)

    // Applies compute.threads, loads the weights strictly onto compute.device/dtype (eval mode)
    // and opens the tokenizer. Out-of-memory while loading becomes one clear Error; `progress`
    // (0..1) may return false to cancel (CancelledError).
    static RSRefSegNetwork open(const std::string &bundleDir, const ComputeOptions &compute,
                                const std::function<bool(double)> &progress = {});
    // A SigLIP tokenizer for a configuration (its text tower's maximum positions).
    static std::unique_ptr<SiglipTokenizer> tokenizerFor(const std::string &spmPath, const RSRefSegConfig &config);
};

} // namespace rsrefseg
