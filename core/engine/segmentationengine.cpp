#include "engine/segmentationengine.h"

#include "common/error.h"
#include "engine/enginerun.h"

#include <ctime>

namespace rsrefseg {

SegmentationEngine::SegmentationEngine(std::shared_ptr<SegmentationModel> model)
    : SegmentationEngine(std::move(model), Options())
{
}

SegmentationEngine::SegmentationEngine(std::shared_ptr<SegmentationModel> model, const Options &options)
    : mModel(std::move(model))
    , mCache(options.cache)
{
    if (!mModel)
        throw Error("SegmentationEngine: no model");
}

std::string SegmentationEngine::isoTimeNow()
{
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

SegmentationResult SegmentationEngine::run(const SegmentationRequest &request, Feedback *feedback)
{
    std::lock_guard<std::mutex> runLock(mRunMutex);
    EngineRun run(*mModel, mCache, request, feedback);
    return run.execute();
}

} // namespace rsrefseg
