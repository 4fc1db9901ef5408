// EngineRun: one SegmentationEngine::run(), as a sequence of named steps on its own state:
//
//   prepare()        validate the request, open the raster, bands, stretch, window, grid, one
//                    MaskPipeline per query, the scratch folder
//   encodeQueries()  text features once per query string (cached), the tokenizer's warnings
//   runView()        view mode: the region as one model input, rows resampled to native pixels
//   runTiled()       tiled mode: tile groups (queries grouped to bound stitching memory), each a
//                    pass over the tiles: read ahead, look up or encode, decode, stitch
//   finish()         post-processing and polygons, then every output appears at once
//
// Both modes go through the same tile path: lookUp() / encode() for image features, then
// decodeTile() and publish() per query, which fill the TileReport and hand it to Feedback.
// The engine owns the model and the cache; a run borrows them for its duration (the engine's
// run lock keeps one run at a time).
//
//   EngineRun run(model, cache, request, feedback);
//   SegmentationResult r = run.execute();   // throws Error / CancelledError; no output then
#pragma once

#include "engine/embeddingcache.h"
#include "engine/feedback.h"
#include "engine/maskpipeline.h"
#include "engine/segmentationmodel.h"
#include "engine/segmentationrequest.h"
#include "engine/segmentationresult.h"
#include "geo/bandselection.h"
#include "geo/contraststretch.h"
#include "geo/raster.h"
#include "geo/tilegrid.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

class BilinearResampler;
class ProbabilityStitcher;
class TileBatchReader;
class WorkFolder;

class EngineRun
{
  public:
    EngineRun(SegmentationModel &model, EmbeddingCache &cache, const SegmentationRequest &request,
              Feedback *feedback);
    ~EngineRun();
    EngineRun(const EngineRun &) = delete;
    EngineRun &operator=(const EngineRun &) = delete;

    // Runs the steps in order; call once.
    SegmentationResult execute();

  private:
    // One query of the run: its text features, its mask pipeline and what the result says.
    struct QueryState
    {
        std::string query;
        FeaturesPtr text;
        std::unique_ptr<MaskPipeline> pipeline;
        QueryResult result;
        std::vector<MaskPipeline::TileValues> tileValues;
    };
    // One model input: a tile (tiled mode) or the region (view mode: tile id 0), with its pixels
    // and image features.
    struct TileWork
    {
        Tile tile;
        PixelWindow source; // raster pixels
        RgbImage image;
        bool anyValid = false;
        std::string key;
        FeaturesPtr features;
        TileReport::Cache cache = TileReport::Cache::NotUsed;
        double readMs = 0.0;
        double encodeMs = 0.0;
        std::string error; // the read failed (corrupt block): the tile is left out as nodata
    };
    // One decode of one query on one TileWork: the report so far and the logits (empty: nothing
    // was decoded, the tile is nodata).
    struct Decoded
    {
        TileReport report;
        cv::Mat logits;
    };
    using Stitchers = std::vector<std::unique_ptr<ProbabilityStitcher>>;

    // The steps.
    void prepare();
    void createPipelines();
    PixelWindow regionWindow(const RasterInfo &info);
    void encodeQueries();
    void runView();
    void runTiled();
    void runTileGroup(const TileGrid &tiles, size_t group, size_t q0, size_t q1);
    SegmentationResult finish();

    // View mode.
    TileWork readView(int readWidth, int readHeight);
    void writeViewRows(const std::vector<std::unique_ptr<BilinearResampler>> &resamplers, bool anyValid);

    // Tiled mode.
    Stitchers makeStitchers(const TileGrid &tiles, size_t q0, size_t q1);
    std::vector<TileWork> readBatch(TileBatchReader &reader, bool firstGroup, size_t tileCount);
    void noteFailedTile(const TileWork &w, size_t tileCount);
    void decodeForGroup(TileWork &w, size_t q0, size_t q1, Stitchers &stitchers);
    void tileDone();

    // The tile path both modes share.
    void lookUp(TileWork &w, int readWidth, int readHeight);
    void encode(const std::vector<TileWork *> &missing, const std::string &what);
    Decoded decodeTile(size_t queryIndex, const TileWork &w, const cv::Size &logitsSize);
    void publish(QueryState &q, const TileReport &report, const cv::Mat &probability);
    cv::Mat tileProbability(const cv::Mat &logits) const;
    int64_t countAbove(const cv::Mat &logits, const cv::Mat &valid) const;

    void throwIfCancelled() const;
    void progress(ProgressInfo p);

    SegmentationModel &mModel;
    EmbeddingCache &mCache;
    const SegmentationRequest &mRequest;
    const SegmentationSettings &mSettings;
    Feedback *mFeedback;
    std::chrono::steady_clock::time_point mStart;
    CacheCounters mCacheBefore;
    double mReported = 0.0; // the job's fraction only ever grows

    std::optional<Raster> mRaster;
    BandSelection mBands;
    ContrastStretch mStretch;
    PixelWindow mWindow;
    std::string mRasterId;
    std::string mStretchId;
    float mLogitThreshold = 0.0f;
    std::unique_ptr<WorkFolder> mWork;
    std::vector<QueryState> mQueries;
    SegmentationResult mResult;
    int64_t mDoneUnits = 0;  // tiled mode: tiles x groups done
    int64_t mTotalUnits = 0;
};

} // namespace rsrefseg
