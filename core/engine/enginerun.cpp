#include "engine/enginerun.h"

#include "common/error.h"
#include "engine/bilinearresampler.h"
#include "engine/modelcall.h"
#include "engine/probabilitystitcher.h"
#include "engine/querylist.h"
#include "engine/segmentationengine.h"
#include "engine/tilebatchreader.h"
#include "engine/tolerantregionreader.h"
#include "engine/workfolder.h"

#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string stretchKey(const StretchOptions &options, const ContrastStretch &stretch)
{
    std::ostringstream s;
    s.precision(17);
    s << StretchOptions::modeName(options.mode);
    for (const auto &r : stretch.ranges())
        s << ":" << r.low << "/" << r.high;
    return s.str();
}

cv::Mat sigmoid(const cv::Mat &logits)
{
    cv::Mat out(logits.size(), CV_32FC1);
    for (int y = 0; y < logits.rows; ++y) {
        const float *l = logits.ptr<float>(y);
        float *o = out.ptr<float>(y);
        for (int x = 0; x < logits.cols; ++x)
            o[x] = 1.0f / (1.0f + std::exp(-l[x]));
    }
    return out;
}

TileReport::Cache cacheState(EmbeddingCache::Source source)
{
    switch (source) {
    case EmbeddingCache::Source::Memory: return TileReport::Cache::Memory;
    case EmbeddingCache::Source::Disk: return TileReport::Cache::Disk;
    default: return TileReport::Cache::Miss;
    }
}

// Scratch files go next to the outputs (same filesystem: a full disk shows while working).
std::string workParentFor(const SegmentationRequest &request)
{
    std::string parent = request.workDir;
    for (const QueryOutputs &o : request.outputs)
        for (const std::string *p : {&o.mask, &o.probability, &o.vector})
            if (parent.empty() && !p->empty())
                parent = fs::path(*p).parent_path().empty() ? "." : fs::path(*p).parent_path().string();
    return parent.empty() ? fs::temp_directory_path().string() : parent;
}

} // namespace

EngineRun::EngineRun(SegmentationModel &model, EmbeddingCache &cache, const SegmentationRequest &request,
                     Feedback *feedback)
    : mModel(model)
    , mCache(cache)
    , mRequest(request)
    , mSettings(request.settings)
    , mFeedback(feedback)
{
}

EngineRun::~EngineRun() = default;

SegmentationResult EngineRun::execute()
{
    mStart = Clock::now();
    prepare();
    encodeQueries();
    if (mSettings.mode == SegmentationSettings::Mode::View)
        runView();
    else
        runTiled();
    return finish();
}

void EngineRun::throwIfCancelled() const
{
    if (mFeedback)
        mFeedback->throwIfCancelled();
}

void EngineRun::progress(ProgressInfo p)
{
    p.fraction = std::clamp(std::max(p.fraction, mReported), 0.0, 1.0);
    mReported = p.fraction;
    if (mFeedback)
        mFeedback->setProgress(p);
}

// ---- prepare -------------------------------------------------------------------------------

void EngineRun::prepare()
{
    mRequest.validate();
    mCacheBefore = mCache.counters();
    mRaster.emplace(Raster::open(mRequest.raster));
    const RasterInfo &info = mRaster->info();
    const SegmentationSettings &s = mSettings;
    mBands = s.bands.empty() ? BandSelection::automatic(info) : BandSelection::parse(s.bands, info);
    mStretch = mRaster->computeStretch(mBands, s.stretch);
    mWindow = regionWindow(info);
    const double threshold = s.threshold.value_or(mModel.maskThreshold());
    mLogitThreshold = static_cast<float>(std::log(threshold / (1.0 - threshold)));
    mRasterId = EmbeddingCache::rasterIdentity(mRequest.raster);
    mStretchId = stretchKey(s.stretch, mStretch);

    mResult.raster = mRequest.raster;
    mResult.mode = s.mode;
    mResult.window = mWindow;
    mResult.grid = RasterGrid::ofWindow(info, mWindow);
    mResult.modelId = mModel.modelId();
    mResult.modelName = mModel.name();
    mResult.threshold = threshold;
    mResult.created = SegmentationEngine::isoTimeNow();

    mWork = std::make_unique<WorkFolder>(workParentFor(mRequest));
    createPipelines();
}

// The region's source pixels: converted from its own CRS, clipped to the raster (a warning says
// so), an Error when nothing of it is on the raster (MapBox::pixelWindow).
PixelWindow EngineRun::regionWindow(const RasterInfo &info)
{
    const SegmentationSettings &s = mSettings;
    if (!s.region)
        return {0, 0, info.width, info.height};
    MapBox box = *s.region;
    if (!s.regionCrs.empty()) {
        if (info.crsWkt.empty())
            throw Error("raster '" + info.path + "' has no CRS: a region in another CRS (" + s.regionCrs.substr(0, 80) +
                        ") cannot be placed on it");
        box = box.transformed(s.regionCrs, info.crsWkt);
    }
    bool clipped = false;
    const PixelWindow window = box.pixelWindow(info, &clipped);
    if (clipped && mFeedback)
        mFeedback->warning("the region " + box.toString() + " lies partly outside the raster '" + info.path +
                           "'; clipped to source pixels " + std::to_string(window.x) + "," + std::to_string(window.y) +
                           " " + std::to_string(window.width) + "x" + std::to_string(window.height));
    return window;
}

void EngineRun::createPipelines()
{
    const SegmentationSettings &s = mSettings;
    const size_t nq = mRequest.queries.size();
    mQueries.resize(nq);
    for (size_t i = 0; i < nq; ++i) {
        QueryState &q = mQueries[i];
        q.query = QueryList::trimmed(mRequest.queries[i]);
        q.result.query = q.query;
        MaskPipeline::Options po;
        po.grid = mResult.grid;
        po.outputs = mRequest.outputs.empty() ? QueryOutputs() : mRequest.outputs[i];
        po.workDir = mWork->path();
        po.scratchPrefix = "q" + std::to_string(i);
        po.threshold = mResult.threshold;
        po.probabilityType = s.probabilityType;
        po.minObjectArea = s.minObjectArea;
        po.maxHoleArea = s.maxHoleArea;
        po.areaUnit = s.areaUnit;
        po.simplifyTolerance = s.simplifyTolerance;
        po.overwrite = mRequest.overwrite;
        po.query = q.query;
        po.source = mRequest.raster;
        po.model = mModel.name() + " (" + mModel.modelId() + ")";
        po.created = mResult.created;
        q.pipeline = std::make_unique<MaskPipeline>(po);
        q.result.outputs = po.outputs;
    }
}

// Text features: once per query string and model. The tokenizer's warning comes with them.
void EngineRun::encodeQueries()
{
    const auto t0 = Clock::now();
    for (QueryState &q : mQueries) {
        throwIfCancelled();
        const std::string key = mModel.modelId() + "|" + mModel.dtypeName() + "|" + q.query;
        q.text = mCache.findText(key);
        if (!q.text) {
            q.text = modelCall("encoding the query '" + q.query + "'", mSettings, [&] { return mModel.encodeText(q.query); });
            mCache.storeText(key, q.text);
        }
        q.result.warning = textWarningOf(q.text);
        if (!q.result.warning.empty() && mFeedback)
            mFeedback->warning("query '" + q.query + "': " + q.result.warning);
    }
    mResult.textSeconds = msSince(t0) / 1000.0;
}

// ---- view mode -----------------------------------------------------------------------------

// The region as one model input. Regions up to 4x the input side are read at native resolution
// and resized like upstream (OpenCV bilinear on 8-bit); larger ones are read already reduced by
// GDAL (area average, overviews), never at full size.
void EngineRun::runView()
{
    mResult.tileCount = 1;
    const int inputSize = mModel.inputSize();
    const bool native = mWindow.width <= 4 * inputSize && mWindow.height <= 4 * inputSize;
    const int readW = native ? mWindow.width : inputSize;
    const int readH = native ? mWindow.height : inputSize;
    progress({0.0, "view", 0, 1, "tiles", ""});
    TileWork w = readView(readW, readH);
    if (w.anyValid) {
        lookUp(w, readW, readH);
        if (!w.features)
            encode({&w}, "encoding the region");
    } else {
        mResult.tilesNoData = 1;
    }

    std::vector<std::unique_ptr<BilinearResampler>> resamplers(mQueries.size());
    for (size_t i = 0; i < mQueries.size(); ++i) {
        QueryState &q = mQueries[i];
        Decoded d = decodeTile(i, w, cv::Size());
        if (!d.logits.empty()) {
            d.report.state = TileReport::State::View;
            resamplers[i] = std::make_unique<BilinearResampler>(d.logits, mWindow.width, mWindow.height);
        }
        q.tileValues = {{d.report.relevance, d.report.iou}};
        publish(q, d.report, tileProbability(d.logits));
    }
    writeViewRows(resamplers, w.anyValid);
}

EngineRun::TileWork EngineRun::readView(int readWidth, int readHeight)
{
    TileWork w;
    w.source = mWindow;
    const auto t0 = Clock::now();
    // A corrupt block spoils only the parts of the region over it: they are nodata.
    w.image = TolerantRegionReader::read(*mRaster, mWindow, readWidth, readHeight, mBands, mStretch,
                                         Raster::Resampling::Average, mResult.failedTiles);
    if (mFeedback)
        for (const FailedTile &f : mResult.failedTiles)
            mFeedback->warning("part of the region (source pixels " + std::to_string(f.window.x) + "," +
                               std::to_string(f.window.y) + " " + std::to_string(f.window.width) + "x" +
                               std::to_string(f.window.height) + ") left out as nodata: " + f.error);
    w.readMs = msSince(t0);
    mResult.readSeconds += w.readMs / 1000.0;
    w.anyValid = cv::countNonZero(w.image.valid) > 0;
    return w;
}

// Native-resolution rows, block by block: validity from the raster, logits resampled.
void EngineRun::writeViewRows(const std::vector<std::unique_ptr<BilinearResampler>> &resamplers, bool anyValid)
{
    const int block = 256;
    cv::Mat logits;
    for (int y = 0; y < mWindow.height; y += block) {
        throwIfCancelled();
        const int n = std::min(block, mWindow.height - y);
        const auto t0 = Clock::now();
        // The read of the region already named the unreadable parts; here they are just invalid.
        std::vector<FailedTile> knownFailures;
        const RgbImage rows = TolerantRegionReader::read(*mRaster, {mWindow.x, mWindow.y + y, mWindow.width, n},
                                                         mWindow.width, n, mBands, mStretch,
                                                         Raster::Resampling::Nearest, knownFailures, true);
        mResult.readSeconds += msSince(t0) / 1000.0;
        const cv::Mat owner(n, mWindow.width, CV_32SC1, cv::Scalar::all(anyValid ? 0 : -1));
        for (size_t i = 0; i < mQueries.size(); ++i) {
            cv::Mat prob;
            if (resamplers[i]) {
                resamplers[i]->rows(y, n, logits);
                prob = sigmoid(logits);
            } else {
                prob = cv::Mat(n, mWindow.width, CV_32FC1, cv::Scalar::all(0));
            }
            mQueries[i].pipeline->addRows(y, prob, rows.valid, owner);
            if (mFeedback)
                mFeedback->reportRows(static_cast<int>(i), y, prob, rows.valid);
        }
        mRaster->dropCachedBlocks();
        progress({0.9 * (y + n) / mWindow.height, "view", 1, 1, "tiles", ""});
    }
}

// ---- tiled mode ----------------------------------------------------------------------------

void EngineRun::runTiled()
{
    const TileGrid tiles(mWindow.width, mWindow.height, mSettings.tileSize, mSettings.overlap);
    mResult.tileCount = tiles.count();
    for (QueryState &q : mQueries)
        q.tileValues.assign(static_cast<size_t>(tiles.count()), {});
    // Queries share the tile reads and image features; their stitching buffers (one tile row of
    // the output each) must fit the memory setting, else they go in groups.
    const size_t nq = mQueries.size();
    const size_t perQuery = static_cast<size_t>(std::min(mSettings.tileSize, mWindow.height)) *
                            static_cast<size_t>(mWindow.width) * 13;
    const size_t budget = mSettings.stitchMemoryMb * 1024ULL * 1024ULL;
    const size_t groupSize = std::max<size_t>(1, std::min(nq, budget / std::max<size_t>(perQuery, 1)));
    const size_t groups = (nq + groupSize - 1) / groupSize;
    mResult.queryGroups = static_cast<int>(groups);
    mTotalUnits = static_cast<int64_t>(tiles.count()) * static_cast<int64_t>(groups);
    mDoneUnits = 0;
    for (size_t g = 0; g < groups; ++g)
        runTileGroup(tiles, g, g * groupSize, std::min(nq, (g + 1) * groupSize));
}

// One pass over every tile for queries q0..q1-1.
void EngineRun::runTileGroup(const TileGrid &tiles, size_t group, size_t q0, size_t q1)
{
    Stitchers stitchers = makeStitchers(tiles, q0, q1);
    // The next batch is read while this one is encoded and decoded (TileBatchReader); from here
    // until the reader is gone, only it uses the raster.
    TileBatchReader reader(*mRaster, tiles.tiles(), mWindow, mSettings.batchSize, mBands, mStretch,
                           mSettings.readAhead);
    while (!reader.done()) {
        throwIfCancelled();
        std::vector<TileWork> batch = readBatch(reader, group == 0, tiles.tiles().size());
        // The misses of the batch go to the encoder in one call.
        std::vector<TileWork *> missing;
        for (TileWork &w : batch)
            if (w.anyValid && !w.features)
                missing.push_back(&w);
        if (!missing.empty())
            encode(missing, "encoding " + std::to_string(missing.size()) + " tile(s)");
        for (TileWork &w : batch) {
            decodeForGroup(w, q0, q1, stitchers);
            w.image = RgbImage();
            tileDone();
        }
    }
    mResult.readWaitSeconds += reader.waitedSeconds();
    for (const auto &st : stitchers)
        if (!st->finished())
            throw Error("internal error: the stitcher did not receive every tile");
}

EngineRun::Stitchers EngineRun::makeStitchers(const TileGrid &tiles, size_t q0, size_t q1)
{
    Stitchers stitchers;
    Feedback *feedback = mFeedback;
    for (size_t i = q0; i < q1; ++i) {
        MaskPipeline *pipeline = mQueries[i].pipeline.get();
        const int qi = static_cast<int>(i);
        stitchers.push_back(std::make_unique<ProbabilityStitcher>(
            tiles, mWindow.width, mWindow.height,
            [pipeline, qi, feedback](int y, const cv::Mat &prob, const cv::Mat &valid, const cv::Mat &owner) {
                pipeline->addRows(y, prob, valid, owner);
                if (feedback)
                    feedback->reportRows(qi, y, prob, valid);
            }));
    }
    return stitchers;
}

// A batch of tiles from the reader; each is looked up in the cache. Failed and nodata tiles are
// counted in the first group only (every group reads the same tiles).
std::vector<EngineRun::TileWork> EngineRun::readBatch(TileBatchReader &reader, bool firstGroup, size_t tileCount)
{
    std::vector<TileWork> batch;
    for (TileBatchReader::ReadTile &r : reader.next()) {
        TileWork w;
        w.tile = r.tile;
        w.source = r.source;
        w.image = std::move(r.image);
        w.error = std::move(r.error);
        w.readMs = r.readMs;
        if (!w.error.empty() && firstGroup)
            noteFailedTile(w, tileCount);
        mResult.readSeconds += w.readMs / 1000.0;
        w.anyValid = cv::countNonZero(w.image.valid) > 0;
        if (w.anyValid)
            lookUp(w, w.source.width, w.source.height);
        else if (firstGroup && w.error.empty())
            ++mResult.tilesNoData;
        batch.push_back(std::move(w));
    }
    return batch;
}

// A corrupt block or an I/O error spoils this tile only: it becomes nodata in the outputs and
// the result names it; the others go on.
void EngineRun::noteFailedTile(const TileWork &w, size_t tileCount)
{
    mResult.failedTiles.push_back({w.tile.id, w.tile.row, w.tile.column, w.source, w.error});
    if (mFeedback)
        mFeedback->warning("tile " + std::to_string(w.tile.id) + " (row " + std::to_string(w.tile.row) +
                           ", column " + std::to_string(w.tile.column) + ") left out as nodata: " + w.error);
    if (mResult.failedTiles.size() == tileCount)
        throw Error("no tile of '" + mRequest.raster + "' could be read: " + w.error);
}

// Every query of the group on one tile: decode, gate, blend, report.
void EngineRun::decodeForGroup(TileWork &w, size_t q0, size_t q1, Stitchers &stitchers)
{
    const Tile &t = w.tile;
    for (size_t i = q0; i < q1; ++i) {
        QueryState &q = mQueries[i];
        ProbabilityStitcher &st = *stitchers[i - q0];
        Decoded d = decodeTile(i, w, cv::Size(t.valid.width, t.valid.height));
        TileReport &rep = d.report;
        const cv::Mat prob = tileProbability(d.logits);
        if (d.logits.empty()) {
            st.addTile(t, cv::Mat(), w.image.valid, false);
        } else {
            const bool gated = mSettings.gateThreshold > 0.0 && rep.relevance < mSettings.gateThreshold;
            rep.state = gated ? TileReport::State::Gated : TileReport::State::Segmented;
            rep.objectPixels = countAbove(d.logits, w.image.valid);
            q.tileValues[static_cast<size_t>(t.id)] = {rep.relevance, rep.iou};
            st.addTile(t, d.logits, w.image.valid, !gated);
        }
        publish(q, rep, prob);
    }
}

void EngineRun::tileDone()
{
    ++mDoneUnits;
    ProgressInfo p;
    p.fraction = 0.9 * static_cast<double>(mDoneUnits) / static_cast<double>(mTotalUnits);
    p.stage = "tiles";
    p.done = mDoneUnits;
    p.total = mTotalUnits;
    p.unit = "tiles";
    progress(p);
}

// ---- the tile path both modes share --------------------------------------------------------

void EngineRun::lookUp(TileWork &w, int readWidth, int readHeight)
{
    ImageKey k;
    k.raster = mRasterId;
    k.window = w.source;
    k.readWidth = readWidth;
    k.readHeight = readHeight;
    k.bands = mBands.toString();
    k.stretch = mStretchId;
    k.modelId = mModel.modelId();
    k.dtype = mModel.dtypeName();
    k.inputSize = mModel.inputSize();
    w.key = k.toString();
    EmbeddingCache::Source source = EmbeddingCache::Source::None;
    w.features = mCache.findImage(w.key, &source);
    w.cache = cacheState(source);
}

// The image encoder on the cache misses, in one call; the features go into the cache.
void EngineRun::encode(const std::vector<TileWork *> &missing, const std::string &what)
{
    std::vector<cv::Mat> images;
    for (const TileWork *w : missing)
        images.push_back(w->image.rgb);
    throwIfCancelled();
    const auto t0 = Clock::now();
    const std::vector<FeaturesPtr> f = modelCall(what, mSettings, [&] { return mModel.encodeImages(images); });
    const double ms = msSince(t0);
    if (f.size() != missing.size())
        throw Error("the model returned " + std::to_string(f.size()) + " features for " +
                    std::to_string(missing.size()) + " tiles");
    mCache.noteImageEncoderRun(missing.size());
    mResult.encodeSeconds += ms / 1000.0;
    mResult.tilesEncoded += static_cast<int>(missing.size());
    for (size_t k = 0; k < missing.size(); ++k) {
        missing[k]->features = f[k];
        missing[k]->encodeMs = ms / static_cast<double>(missing.size());
        mCache.storeImage(missing[k]->key, f[k]);
    }
}

// The report of query `queryIndex` on `w` and, unless `w` holds no valid pixel, the decoder's
// logits (resized to `logitsSize` when it is not empty; the resize counts as decoding time).
EngineRun::Decoded EngineRun::decodeTile(size_t queryIndex, const TileWork &w, const cv::Size &logitsSize)
{
    throwIfCancelled();
    QueryState &q = mQueries[queryIndex];
    Decoded d;
    TileReport &rep = d.report;
    rep.queryIndex = static_cast<int>(queryIndex);
    rep.query = q.query;
    rep.tileId = w.tile.id;
    rep.row = w.tile.row;
    rep.column = w.tile.column;
    rep.window = w.source;
    rep.cache = w.cache;
    rep.readMs = w.readMs;
    rep.encodeMs = w.encodeMs;
    rep.textWarning = q.result.warning;
    if (!w.anyValid) {
        rep.state = TileReport::State::NoData;
        rep.error = w.error;
        return d;
    }
    const auto t0 = Clock::now();
    const ModelOutput out =
        modelCall("decoding the query '" + q.query + "'", mSettings, [&] { return mModel.decode(w.features, q.text); });
    d.logits = logitsSize.empty() ? out.logits
                                  : BilinearResampler::resize(out.logits, logitsSize.width, logitsSize.height);
    rep.decodeMs = msSince(t0);
    q.result.decodeSeconds += rep.decodeMs / 1000.0;
    rep.relevance = out.relevance;
    rep.iou = out.iou;
    rep.activation = out.activation;
    return d;
}

// The result keeps the report's numbers; the activation map goes out with Feedback::onTile only.
void EngineRun::publish(QueryState &q, const TileReport &report, const cv::Mat &probability)
{
    q.result.tiles.push_back(report);
    q.result.tiles.back().activation = cv::Mat();
    if (mFeedback)
        mFeedback->reportTile(report, probability);
}

// The tile's probability for Feedback::onTile, computed only when someone listens.
cv::Mat EngineRun::tileProbability(const cv::Mat &logits) const
{
    if (logits.empty() || !mFeedback || !mFeedback->onTile)
        return cv::Mat();
    return sigmoid(logits);
}

// Pixels above the threshold in a tile's own prediction (valid pixels only).
int64_t EngineRun::countAbove(const cv::Mat &logits, const cv::Mat &valid) const
{
    int64_t n = 0;
    for (int y = 0; y < logits.rows; ++y) {
        const float *l = logits.ptr<float>(y);
        const uint8_t *v = valid.ptr<uint8_t>(y);
        for (int x = 0; x < logits.cols; ++x)
            n += v[x] && l[x] > mLogitThreshold;
    }
    return n;
}

// ---- finish --------------------------------------------------------------------------------

// Post-processing and polygons, then every output appears at once.
SegmentationResult EngineRun::finish()
{
    const size_t nq = mQueries.size();
    for (size_t i = 0; i < nq; ++i) {
        QueryState &q = mQueries[i];
        const double base = 0.9 + 0.1 * static_cast<double>(i) / static_cast<double>(nq);
        q.pipeline->finish(q.tileValues, mFeedback, [&](const std::string &stage, double f) {
            ProgressInfo p;
            p.fraction = base + 0.1 * f / static_cast<double>(nq);
            p.stage = stage;
            progress(p);
        });
    }
    throwIfCancelled();
    for (QueryState &q : mQueries)
        q.pipeline->commit();

    for (QueryState &q : mQueries) {
        q.result.objectPixels = q.pipeline->objectPixels();
        q.result.validPixels = q.pipeline->validPixels();
        q.result.polygonCount = q.pipeline->polygonCount();
        q.result.polygons = q.pipeline->polygons();
        q.result.postSeconds = q.pipeline->postSeconds();
        mResult.queries.push_back(std::move(q.result));
    }
    mResult.cache = mCache.counters() - mCacheBefore;
    mResult.seconds = msSince(mStart) / 1000.0;
    progress({1.0, "done", 0, 0, "", ""});
    return std::move(mResult);
}

} // namespace rsrefseg
