// ModelHub: the one way to open a model. A request names a source (a bundle folder of any
// registered architecture, the bundled model, the built-in colour test model, or seeded random
// weights of an architecture) and how to run it; open() returns a ready SegmentationModel with
// its tokenizer, device, dtype and threads set, plus the notices the caller should show (which
// bundled model was picked, the untrained warning). Every program goes through it: the desktop
// worker, segment, batch, predict, eval, bench, the trainer and the evaluator.
//
// A new architecture is added in one place: its entry in ModelHub::architectures()
// (modelhub.cpp), keyed by the manifest's "architecture" field.
//
//   ModelRequest r;  r.source = "models/rsrefseg-b";  r.compute.dtype = "bf16";
//   OpenedModel m = ModelHub::open(r, progress);       // throws Error / CancelledError
//   for (auto &n : m.notices) std::cerr << "rsrefseg: " << n << "\n";
//   SegmentationEngine engine(m.model, settings);
#pragma once

#include "engine/segmentationmodel.h"
#include "modelhub/computeoptions.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rsrefseg {

struct ModelRequest
{
    // ""                    the bundled model (BundledModels::resolve)
    // <folder>              a model bundle (manifest.json names its architecture)
    // builtin:colour-test   the deterministic colour test model (geometry tests, demos)
    // random:<arch>         seeded random weights: <arch> is an architecture preset
    //                       ("rsrefseg-b") or a bundle folder whose configuration is used
    std::string source;
    std::string tokenizer; // random:<arch> only: the sentencepiece model
    uint64_t seed = 0;     // random:<arch> only
    ComputeOptions compute;
};

struct Notice
{
    enum class Level { Info, Warning };
    Level level = Level::Info;
    std::string text;
};

struct OpenedModel
{
    std::shared_ptr<SegmentationModel> model;
    std::string source;           // the resolved source (bundle folder or builtin name)
    std::string architecture;     // "rsrefseg", "colour-test", ...
    std::vector<Notice> notices;  // bundled model chosen, untrained weights, ...
};

// How the command line prints a notice: "rsrefseg: note: ..." or "rsrefseg: warning: ...".
std::string noticeLine(const std::string &program, const Notice &notice);

class ModelHub
{
  public:
    using Progress = std::function<bool(double)>; // 0..1; return false to cancel (CancelledError)

    // Throws Error naming what is wrong (the folder, the manifest file and field, the preset),
    // CancelledError when `progress` returns false.
    static OpenedModel open(const ModelRequest &request, const Progress &progress = {});

    // One registered architecture. `open` loads a bundle folder; `random` builds seeded random
    // weights from one of its `presets` or from a bundle folder of this architecture (may be
    // empty when not offered).
    struct Architecture
    {
        std::string id; // manifest "architecture"
        std::vector<std::string> presets; // names random:<preset> accepts, e.g. "rsrefseg-b"
        std::function<std::shared_ptr<SegmentationModel>(const std::string &bundleDir, const ComputeOptions &,
                                                         const Progress &)>
            open;
        std::function<std::shared_ptr<SegmentationModel>(const std::string &arch, const std::string &tokenizer,
                                                         const ComputeOptions &, uint64_t seed)>
            random;
    };
    static const std::vector<Architecture> &architectures();
    static const Architecture &architecture(const std::string &id); // throws Error for an unknown id
};

} // namespace rsrefseg
