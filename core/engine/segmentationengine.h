// SegmentationEngine: the segmentation pipeline: raster windows -> model (through the
// SegmentationModel interface) -> stitched probability -> masks and polygons, with the
// embedding cache that makes every query after the first on a raster cheap.
//
//   auto model = RSRefSegSegmentationModel::load("models/rsrefseg-b", {});
//   SegmentationEngine engine(model, {{512, "/var/cache/rsrefseg"}});
//   Feedback fb;                                    // progress, cancel, per-tile reports
//   SegmentationResult r = engine.run(request, &fb);   // on a worker thread; throws Error
//
// Modes (SegmentationSettings): "view" resamples the region (or the whole raster) into one
// model input; "tiled" runs native-resolution tiles with overlap in row order, gates tiles by
// relevance, blends logits with feathered weights and writes finished row blocks at once, so
// memory is bounded by the model (with its encoder activations), the cache budget and one
// tile row of the output (about 20 bytes x width x tile size per query group, source blocks
// included) — never by the raster's height or pixel count.
//
// One job at a time per engine (run() serialises); each run is an EngineRun (its steps are
// named there). Exceptions (Error, CancelledError) leave no output and no scratch file behind.
#pragma once

#include "engine/embeddingcache.h"
#include "engine/feedback.h"
#include "engine/segmentationmodel.h"
#include "engine/segmentationrequest.h"
#include "engine/segmentationresult.h"

#include <memory>
#include <mutex>

namespace rsrefseg {

class SegmentationEngine
{
  public:
    struct Options
    {
        EmbeddingCache::Options cache;
    };

    explicit SegmentationEngine(std::shared_ptr<SegmentationModel> model);
    SegmentationEngine(std::shared_ptr<SegmentationModel> model, const Options &options);

    SegmentationResult run(const SegmentationRequest &request, Feedback *feedback = nullptr);

    SegmentationModel &model() { return *mModel; }
    const std::shared_ptr<SegmentationModel> &modelPtr() const { return mModel; }
    EmbeddingCache &cache() { return mCache; }

    // Current UTC time as ISO 8601 ("2025-01-31T12:00:00Z").
    static std::string isoTimeNow();

  private:
    std::shared_ptr<SegmentationModel> mModel;
    EmbeddingCache mCache;
    std::mutex mRunMutex;
};

} // namespace rsrefseg
