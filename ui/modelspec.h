// ModelSpec: which model the segmentation worker should hold and how to run it (a value
// taken from the settings). The worker compares specs to decide whether to reload.
//
//   ModelSpec spec = settings.modelSpec();
//   worker.setModelSpec(spec);            // applied before the next job, on the worker
#pragma once

#include <QString>

namespace rsrefseg {

struct ModelSpec
{
    // What to open: a ModelRequest source (ModelHub), normally a model bundle folder
    // (manifest.json + weights); "random:<arch>" for seeded random weights with `tokenizer`.
    QString bundleDir;
    QString tokenizer;      // random:<arch> only: the SigLIP spiece.model
    QString device = QStringLiteral("cpu");
    QString dtype = QStringLiteral("f32");
    int threads = 0;        // torch intra-op threads; 0: all hardware threads
    int cacheBudgetMb = 1024;
    QString cacheDir;       // image-feature disk cache; empty: memory only

    bool operator==(const ModelSpec &o) const
    {
        return bundleDir == o.bundleDir && tokenizer == o.tokenizer && device == o.device && dtype == o.dtype &&
               threads == o.threads && cacheBudgetMb == o.cacheBudgetMb && cacheDir == o.cacheDir;
    }
    bool operator!=(const ModelSpec &o) const { return !(*this == o); }
};

} // namespace rsrefseg
