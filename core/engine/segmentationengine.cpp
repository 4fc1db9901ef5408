#include "engine/segmentationengine.h"

#include "common/error.h"
#include "engine/bilinearresampler.h"
#include "engine/probabilitystitcher.h"
#include "engine/querylist.h"
#include "engine/tilebatchreader.h"
#include "engine/tolerantregionreader.h"
#include "engine/workfolder.h"
#include "geo/raster.h"
#include "geo/tilegrid.h"

#include <c10/util/Exception.h>
#include <opencv2/core.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <new>
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

struct QueryState
{
    std::string query;
    FeaturesPtr text;
    std::unique_ptr<MaskPipeline> pipeline;
    QueryResult result;
    std::vector<MaskPipeline::TileValues> tileValues;
};

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

// Runs one model call; an allocator failure (c10::OutOfMemoryError from CUDA, std::bad_alloc)
// becomes an Error that says what was being done and which settings make it smaller.
template <typename Call>
auto modelCall(const std::string &what, const SegmentationSettings &s, Call &&call) -> decltype(call())
{
    std::string cause;
    try {
        return call();
    } catch (const c10::OutOfMemoryError &e) {
        cause = e.what_without_backtrace();
        cause = cause.substr(0, cause.find('\n'));
    } catch (const std::bad_alloc &) {
        cause = "the allocator refused";
    }
    const bool tiled = s.mode == SegmentationSettings::Mode::Tiled;
    throw Error("out of memory while " + what + " (" + cause + "): use a smaller batch (now " +
                std::to_string(s.batchSize) + " tile(s) per encoder call) or a smaller tile size" +
                (tiled ? " (now " + std::to_string(s.tileSize) + " px)" : std::string(" (tiled mode)")) +
                ", or close other programs using the device");
}

} // namespace

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

PixelWindow SegmentationEngine::regionWindow(const RasterInfo &info, const MapBox &box)
{
    const GeoTransform &gt = info.geoTransform;
    double minC = 1e300;
    double maxC = -1e300;
    double minR = 1e300;
    double maxR = -1e300;
    for (const auto &c : {std::make_pair(box.minX, box.minY), std::make_pair(box.minX, box.maxY),
                          std::make_pair(box.maxX, box.minY), std::make_pair(box.maxX, box.maxY)}) {
        const auto p = gt.mapToPixel(c.first, c.second);
        minC = std::min(minC, p.first);
        maxC = std::max(maxC, p.first);
        minR = std::min(minR, p.second);
        maxR = std::max(maxR, p.second);
    }
    // A box on pixel edges maps to exactly those pixels despite rounding noise.
    const double eps = 1e-6;
    const double c0 = std::max(0.0, std::floor(minC + eps));
    const double r0 = std::max(0.0, std::floor(minR + eps));
    const double c1 = std::min(static_cast<double>(info.width), std::ceil(maxC - eps));
    const double r1 = std::min(static_cast<double>(info.height), std::ceil(maxR - eps));
    if (!(c1 > c0) || !(r1 > r0)) {
        double ex0 = 1e300;
        double ex1 = -1e300;
        double ey0 = 1e300;
        double ey1 = -1e300;
        for (const auto &c : {gt.pixelToMap(0, 0), gt.pixelToMap(info.width, 0), gt.pixelToMap(0, info.height),
                              gt.pixelToMap(info.width, info.height)}) {
            ex0 = std::min(ex0, c.first);
            ex1 = std::max(ex1, c.first);
            ey0 = std::min(ey0, c.second);
            ey1 = std::max(ey1, c.second);
        }
        std::ostringstream s;
        s.precision(12);
        s << "region " << box.minX << "," << box.minY << "," << box.maxX << "," << box.maxY
          << " lies outside the raster '" << info.path << "' (extent " << ex0 << "," << ey0 << "," << ex1 << "," << ey1
          << ")";
        throw Error(s.str());
    }
    return {static_cast<int>(c0), static_cast<int>(r0), static_cast<int>(c1 - c0), static_cast<int>(r1 - r0)};
}

SegmentationResult SegmentationEngine::run(const SegmentationRequest &request, Feedback *feedback)
{
    std::lock_guard<std::mutex> runLock(mRunMutex);
    const auto t0 = Clock::now();
    const SegmentationSettings &s = request.settings;
    s.validate();
    QueryList::validate(request.queries);
    if (!request.outputs.empty() && request.outputs.size() != request.queries.size())
        throw Error("one set of outputs per query is needed (" + std::to_string(request.outputs.size()) +
                    " for " + std::to_string(request.queries.size()) + " queries)");
    const CacheCounters before = mCache.counters();
    auto cancelled = [&] {
        if (feedback)
            feedback->throwIfCancelled();
    };
    double reported = 0.0; // the job's fraction only ever grows
    auto progress = [&](ProgressInfo p) {
        p.fraction = std::clamp(std::max(p.fraction, reported), 0.0, 1.0);
        reported = p.fraction;
        if (feedback)
            feedback->setProgress(p);
    };

    const Raster raster = Raster::open(request.raster);
    const RasterInfo &info = raster.info();
    const BandSelection bands = s.bands.empty() ? BandSelection::automatic(info) : BandSelection::parse(s.bands, info);
    const ContrastStretch stretch = raster.computeStretch(bands, s.stretch);
    const PixelWindow window = s.region ? regionWindow(info, *s.region) : PixelWindow{0, 0, info.width, info.height};
    const RasterGrid grid = RasterGrid::ofWindow(info, window);
    const double threshold = s.threshold.value_or(mModel->maskThreshold());
    const std::string rasterId = EmbeddingCache::rasterIdentity(request.raster);
    const std::string stretchId = stretchKey(s.stretch, stretch);
    const int inputSize = mModel->inputSize();

    SegmentationResult result;
    result.raster = request.raster;
    result.mode = s.mode;
    result.window = window;
    result.grid = grid;
    result.modelId = mModel->modelId();
    result.modelName = mModel->name();
    result.threshold = threshold;
    result.created = isoTimeNow();

    // Scratch files go next to the outputs (same filesystem: a full disk shows while working).
    std::string workParent = request.workDir;
    for (const QueryOutputs &o : request.outputs)
        for (const std::string *p : {&o.mask, &o.probability, &o.vector})
            if (workParent.empty() && !p->empty())
                workParent = fs::path(*p).parent_path().empty() ? "." : fs::path(*p).parent_path().string();
    if (workParent.empty())
        workParent = fs::temp_directory_path().string();
    WorkFolder work(workParent);

    const size_t nq = request.queries.size();
    std::vector<QueryState> queries(nq);
    for (size_t i = 0; i < nq; ++i) {
        QueryState &q = queries[i];
        q.query = QueryList::trimmed(request.queries[i]);
        q.result.query = q.query;
        MaskPipeline::Options po;
        po.grid = grid;
        po.outputs = request.outputs.empty() ? QueryOutputs() : request.outputs[i];
        po.workDir = work.path();
        po.scratchPrefix = "q" + std::to_string(i);
        po.threshold = threshold;
        po.probabilityType = s.probabilityType;
        po.minObjectArea = s.minObjectArea;
        po.maxHoleArea = s.maxHoleArea;
        po.areaUnit = s.areaUnit;
        po.simplifyTolerance = s.simplifyTolerance;
        po.overwrite = request.overwrite;
        po.query = q.query;
        po.source = request.raster;
        po.model = mModel->name() + " (" + mModel->modelId() + ")";
        po.created = result.created;
        q.pipeline = std::make_unique<MaskPipeline>(po);
        q.result.outputs = po.outputs;
    }

    // Text features: once per query string and model.
    {
        const auto tt = Clock::now();
        for (QueryState &q : queries) {
            cancelled();
            const std::string key = mModel->modelId() + "|" + mModel->dtypeName() + "|" + q.query;
            q.text = mCache.findText(key);
            if (!q.text) {
                q.text = modelCall("encoding the query '" + q.query + "'", s, [&] { return mModel->encodeText(q.query); });
                mCache.storeText(key, q.text);
            }
            q.result.warning = mModel->textWarning(q.query);
            if (!q.result.warning.empty() && feedback)
                feedback->message("query '" + q.query + "': " + q.result.warning);
        }
        result.textSeconds = msSince(tt) / 1000.0;
    }

    auto imageKey = [&](const PixelWindow &source, int readW, int readH) {
        ImageKey k;
        k.raster = rasterId;
        k.window = source;
        k.readWidth = readW;
        k.readHeight = readH;
        k.bands = bands.toString();
        k.stretch = stretchId;
        k.modelId = mModel->modelId();
        k.dtype = mModel->dtypeName();
        k.inputSize = inputSize;
        return k.toString();
    };
    const float logitThreshold = static_cast<float>(std::log(threshold / (1.0 - threshold)));
    auto countAbove = [&](const cv::Mat &logits, const cv::Mat &valid) {
        int64_t n = 0;
        for (int y = 0; y < logits.rows; ++y) {
            const float *l = logits.ptr<float>(y);
            const uint8_t *v = valid.ptr<uint8_t>(y);
            for (int x = 0; x < logits.cols; ++x)
                n += v[x] && l[x] > logitThreshold;
        }
        return n;
    };

    if (s.mode == SegmentationSettings::Mode::View) {
        // The region as one model input. Regions up to 4x the input side are read at native
        // resolution and resized like upstream (OpenCV bilinear on 8-bit); larger ones are read
        // already reduced by GDAL (area average, overviews), never at full size.
        result.tileCount = 1;
        const bool native = window.width <= 4 * inputSize && window.height <= 4 * inputSize;
        const int readW = native ? window.width : inputSize;
        const int readH = native ? window.height : inputSize;
        progress({0.0, "view", 0, 1, "tiles", ""});
        const auto tr = Clock::now();
        // A corrupt block spoils only the parts of the region over it: they are nodata.
        const RgbImage img = TolerantRegionReader::read(raster, window, readW, readH, bands, stretch,
                                                        Raster::Resampling::Average, result.failedTiles);
        if (feedback)
            for (const FailedTile &f : result.failedTiles)
                feedback->message("part of the region (source pixels " + std::to_string(f.window.x) + "," +
                                  std::to_string(f.window.y) + " " + std::to_string(f.window.width) + "x" +
                                  std::to_string(f.window.height) + ") left out as nodata: " + f.error);
        const double readMs = msSince(tr);
        result.readSeconds += readMs / 1000.0;
        const bool anyValid = cv::countNonZero(img.valid) > 0;
        FeaturesPtr features;
        TileReport::Cache cacheState = TileReport::Cache::NotUsed;
        double encodeMs = 0.0;
        if (anyValid) {
            const std::string key = imageKey(window, readW, readH);
            EmbeddingCache::Source src = EmbeddingCache::Source::None;
            features = mCache.findImage(key, &src);
            cacheState = src == EmbeddingCache::Source::Memory ? TileReport::Cache::Memory
                         : src == EmbeddingCache::Source::Disk ? TileReport::Cache::Disk
                                                               : TileReport::Cache::Miss;
            if (!features) {
                cancelled();
                const auto te = Clock::now();
                features = modelCall("encoding the region", s, [&] { return mModel->encodeImages({img.rgb}); }).at(0);
                encodeMs = msSince(te);
                mCache.noteImageEncoderRun(1);
                mCache.storeImage(key, features);
                result.tilesEncoded = 1;
            }
        } else {
            result.tilesNoData = 1;
        }
        result.encodeSeconds += encodeMs / 1000.0;

        std::vector<std::unique_ptr<BilinearResampler>> resamplers(nq);
        for (size_t i = 0; i < nq; ++i) {
            QueryState &q = queries[i];
            TileReport rep;
            rep.queryIndex = static_cast<int>(i);
            rep.query = q.query;
            rep.window = window;
            rep.cache = cacheState;
            rep.readMs = readMs;
            rep.encodeMs = encodeMs;
            rep.state = anyValid ? TileReport::State::View : TileReport::State::NoData;
            cv::Mat tileProb;
            if (anyValid) {
                cancelled();
                const auto td = Clock::now();
                const ModelOutput out =
                    modelCall("decoding the query '" + q.query + "'", s, [&] { return mModel->decode(features, q.text); });
                rep.decodeMs = msSince(td);
                q.result.decodeSeconds += rep.decodeMs / 1000.0;
                rep.relevance = out.relevance;
                rep.iou = out.iou;
                resamplers[i] = std::make_unique<BilinearResampler>(out.logits, window.width, window.height);
                if (feedback && feedback->onTile)
                    tileProb = sigmoid(out.logits);
            }
            q.tileValues = {{rep.relevance, rep.iou}};
            q.result.tiles.push_back(rep);
            if (feedback)
                feedback->reportTile(rep, tileProb);
        }
        // Native-resolution rows, block by block: validity from the raster, logits resampled.
        const int block = 256;
        cv::Mat logits;
        for (int y = 0; y < window.height; y += block) {
            cancelled();
            const int n = std::min(block, window.height - y);
            const auto tr2 = Clock::now();
            // The read above already named the unreadable parts; here they are just invalid.
            std::vector<FailedTile> knownFailures;
            const RgbImage rows = TolerantRegionReader::read(raster, {window.x, window.y + y, window.width, n},
                                                             window.width, n, bands, stretch,
                                                             Raster::Resampling::Nearest, knownFailures, true);
            result.readSeconds += msSince(tr2) / 1000.0;
            const cv::Mat owner(n, window.width, CV_32SC1, cv::Scalar::all(anyValid ? 0 : -1));
            for (size_t i = 0; i < nq; ++i) {
                cv::Mat prob;
                if (resamplers[i]) {
                    resamplers[i]->rows(y, n, logits);
                    prob = sigmoid(logits);
                } else {
                    prob = cv::Mat(n, window.width, CV_32FC1, cv::Scalar::all(0));
                }
                queries[i].pipeline->addRows(y, prob, rows.valid, owner);
                if (feedback)
                    feedback->reportRows(static_cast<int>(i), y, prob, rows.valid);
            }
            raster.dropCachedBlocks();
            progress({0.9 * (y + n) / window.height, "view", 1, 1, "tiles", ""});
        }
    } else {
        const TileGrid tiles(window.width, window.height, s.tileSize, s.overlap);
        result.tileCount = tiles.count();
        for (QueryState &q : queries)
            q.tileValues.assign(static_cast<size_t>(tiles.count()), {});
        // Queries share the tile reads and image features; their stitching buffers (one tile
        // row of the output each) must fit the memory setting, else they go in groups.
        const size_t perQuery = static_cast<size_t>(std::min(s.tileSize, window.height)) *
                                static_cast<size_t>(window.width) * 13;
        const size_t budget = s.stitchMemoryMb * 1024ULL * 1024ULL;
        const size_t groupSize = std::max<size_t>(1, std::min(nq, budget / std::max<size_t>(perQuery, 1)));
        const size_t groups = (nq + groupSize - 1) / groupSize;
        result.queryGroups = static_cast<int>(groups);
        const int64_t totalUnits = static_cast<int64_t>(tiles.count()) * static_cast<int64_t>(groups);
        int64_t doneUnits = 0;

        for (size_t g = 0; g < groups; ++g) {
            const size_t q0 = g * groupSize;
            const size_t q1 = std::min(nq, q0 + groupSize);
            std::vector<std::unique_ptr<ProbabilityStitcher>> stitchers;
            for (size_t i = q0; i < q1; ++i) {
                MaskPipeline *pipeline = queries[i].pipeline.get();
                const int qi = static_cast<int>(i);
                stitchers.push_back(std::make_unique<ProbabilityStitcher>(
                    tiles, window.width, window.height,
                    [pipeline, qi, feedback](int y, const cv::Mat &prob, const cv::Mat &valid, const cv::Mat &owner) {
                        pipeline->addRows(y, prob, valid, owner);
                        if (feedback)
                            feedback->reportRows(qi, y, prob, valid);
                    }));
            }
            const std::vector<Tile> &all = tiles.tiles();
            // The next batch is read while this one is encoded and decoded (TileBatchReader);
            // from here until the reader is gone, only it uses the raster.
            TileBatchReader reader(raster, all, window, s.batchSize, bands, stretch, s.readAhead);
            while (!reader.done()) {
                cancelled();
                // A batch of tiles; each is looked up in the cache.
                std::vector<TileWork> batch;
                for (TileBatchReader::ReadTile &r : reader.next()) {
                    TileWork w;
                    w.tile = r.tile;
                    w.source = r.source;
                    w.image = std::move(r.image);
                    w.error = std::move(r.error);
                    w.readMs = r.readMs;
                    if (!w.error.empty() && g == 0) {
                        // A corrupt block or an I/O error spoils this tile only: it becomes
                        // nodata in the outputs and the result names it; the others go on.
                        result.failedTiles.push_back({w.tile.id, w.tile.row, w.tile.column, w.source, w.error});
                        if (feedback)
                            feedback->message("tile " + std::to_string(w.tile.id) + " (row " +
                                              std::to_string(w.tile.row) + ", column " +
                                              std::to_string(w.tile.column) + ") left out as nodata: " + w.error);
                        if (result.failedTiles.size() == all.size())
                            throw Error("no tile of '" + request.raster + "' could be read: " + w.error);
                    }
                    result.readSeconds += w.readMs / 1000.0;
                    w.anyValid = cv::countNonZero(w.image.valid) > 0;
                    if (w.anyValid) {
                        w.key = imageKey(w.source, w.source.width, w.source.height);
                        EmbeddingCache::Source src = EmbeddingCache::Source::None;
                        w.features = mCache.findImage(w.key, &src);
                        w.cache = src == EmbeddingCache::Source::Memory ? TileReport::Cache::Memory
                                  : src == EmbeddingCache::Source::Disk ? TileReport::Cache::Disk
                                                                        : TileReport::Cache::Miss;
                    } else if (g == 0 && w.error.empty()) {
                        ++result.tilesNoData;
                    }
                    batch.push_back(std::move(w));
                }
                // Encode the misses in one call.
                std::vector<cv::Mat> images;
                std::vector<TileWork *> missing;
                for (TileWork &w : batch)
                    if (w.anyValid && !w.features) {
                        images.push_back(w.image.rgb);
                        missing.push_back(&w);
                    }
                if (!missing.empty()) {
                    cancelled();
                    const auto te = Clock::now();
                    const std::vector<FeaturesPtr> f =
                        modelCall("encoding " + std::to_string(images.size()) + " tile(s)", s,
                                  [&] { return mModel->encodeImages(images); });
                    const double ms = msSince(te);
                    if (f.size() != missing.size())
                        throw Error("the model returned " + std::to_string(f.size()) + " features for " +
                                    std::to_string(missing.size()) + " tiles");
                    mCache.noteImageEncoderRun(missing.size());
                    result.encodeSeconds += ms / 1000.0;
                    result.tilesEncoded += static_cast<int>(missing.size());
                    for (size_t k = 0; k < missing.size(); ++k) {
                        missing[k]->features = f[k];
                        missing[k]->encodeMs = ms / static_cast<double>(missing.size());
                        mCache.storeImage(missing[k]->key, f[k]);
                    }
                }
                // Decode every query of the group on every tile, blend, report.
                for (TileWork &w : batch) {
                    const Tile &t = w.tile;
                    for (size_t i = q0; i < q1; ++i) {
                        cancelled();
                        QueryState &q = queries[i];
                        TileReport rep;
                        rep.queryIndex = static_cast<int>(i);
                        rep.query = q.query;
                        rep.tileId = t.id;
                        rep.row = t.row;
                        rep.column = t.column;
                        rep.window = w.source;
                        rep.cache = w.cache;
                        rep.readMs = w.readMs;
                        rep.encodeMs = w.encodeMs;
                        ProbabilityStitcher &st = *stitchers[i - q0];
                        cv::Mat tileProb;
                        if (!w.anyValid) {
                            rep.state = TileReport::State::NoData;
                            rep.error = w.error;
                            st.addTile(t, cv::Mat(), w.image.valid, false);
                        } else {
                            const auto td = Clock::now();
                            const ModelOutput out = modelCall("decoding the query '" + q.query + "'", s, [&] {
                                return mModel->decode(w.features, q.text);
                            });
                            const cv::Mat logits = BilinearResampler::resize(out.logits, t.valid.width, t.valid.height);
                            rep.decodeMs = msSince(td);
                            q.result.decodeSeconds += rep.decodeMs / 1000.0;
                            rep.relevance = out.relevance;
                            rep.iou = out.iou;
                            const bool gated = s.gateThreshold > 0.0 && out.relevance < s.gateThreshold;
                            rep.state = gated ? TileReport::State::Gated : TileReport::State::Segmented;
                            rep.objectPixels = countAbove(logits, w.image.valid);
                            q.tileValues[static_cast<size_t>(t.id)] = {rep.relevance, rep.iou};
                            if (feedback && feedback->onTile)
                                tileProb = sigmoid(logits);
                            st.addTile(t, logits, w.image.valid, !gated);
                        }
                        q.result.tiles.push_back(rep);
                        if (feedback)
                            feedback->reportTile(rep, tileProb);
                    }
                    w.image = RgbImage();
                    ++doneUnits;
                    ProgressInfo p;
                    p.fraction = 0.9 * static_cast<double>(doneUnits) / static_cast<double>(totalUnits);
                    p.stage = "tiles";
                    p.done = doneUnits;
                    p.total = totalUnits;
                    p.unit = "tiles";
                    progress(p);
                }
            }
            result.readWaitSeconds += reader.waitedSeconds();
            for (const auto &st : stitchers)
                if (!st->finished())
                    throw Error("internal error: the stitcher did not receive every tile");
        }
    }

    // Post-processing and polygons, then every output appears at once.
    for (size_t i = 0; i < nq; ++i) {
        QueryState &q = queries[i];
        const double base = 0.9 + 0.1 * static_cast<double>(i) / static_cast<double>(nq);
        q.pipeline->finish(q.tileValues, feedback, [&](const std::string &stage, double f) {
            ProgressInfo p;
            p.fraction = base + 0.1 * f / static_cast<double>(nq);
            p.stage = stage;
            progress(p);
        });
    }
    cancelled();
    for (QueryState &q : queries)
        q.pipeline->commit();

    for (QueryState &q : queries) {
        q.result.objectPixels = q.pipeline->objectPixels();
        q.result.validPixels = q.pipeline->validPixels();
        q.result.polygonCount = q.pipeline->polygonCount();
        q.result.polygons = q.pipeline->polygons();
        q.result.postSeconds = q.pipeline->postSeconds();
        result.queries.push_back(std::move(q.result));
    }
    result.cache = mCache.counters() - before;
    result.seconds = msSince(t0) / 1000.0;
    progress({1.0, "done", 0, 0, "", ""});
    return result;
}

} // namespace rsrefseg
