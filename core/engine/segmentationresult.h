// SegmentationResult: what a segmentation job did, as plain data: the output grid, per query
// the tiles (TileReport), polygons, pixel counts and timings, and the cache counters of the
// job. toJson() is what `rsrefseg segment --json` prints and the batch manifest records.
#pragma once

#include "engine/embeddingcache.h"
#include "engine/maskpipeline.h"
#include "engine/segmentationsettings.h"
#include "engine/tilereport.h"
#include "geo/pixelwindow.h"
#include "geo/rastergrid.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace rsrefseg {

struct QueryResult
{
    std::string query;
    QueryOutputs outputs;
    std::vector<TileReport> tiles;
    int64_t objectPixels = 0;
    int64_t validPixels = 0;
    int64_t polygonCount = 0;
    std::vector<PolygonReport> polygons; // at most MaskPipeline::Options::maxPolygonReports
    double decodeSeconds = 0.0;
    double postSeconds = 0.0;
    std::string warning;
    nlohmann::json toJson(bool withTiles = true) const;
};

// A tile whose source pixels could not be read (tiled mode): the job went on without it and
// its pixels are nodata in every output.
struct FailedTile
{
    int tileId = 0;
    int row = 0;
    int column = 0;
    PixelWindow window; // source raster pixels
    std::string error;
    nlohmann::json toJson() const;
};

struct SegmentationResult
{
    std::string raster;
    SegmentationSettings::Mode mode = SegmentationSettings::Mode::Tiled;
    PixelWindow window; // source pixels segmented
    RasterGrid grid;    // output grid
    std::string modelId;
    std::string modelName;
    int tileCount = 0;
    int tilesEncoded = 0;
    int tilesNoData = 0;                 // nodata-only tiles (failed tiles not counted)
    std::vector<FailedTile> failedTiles; // unreadable tiles, in tile order
    int queryGroups = 1;     // tile passes (queries are grouped to bound stitching memory)
    double threshold = 0.5;
    double seconds = 0.0;    // whole job
    double readSeconds = 0.0;     // reading source tiles (with read-ahead, partly during encoding)
    double readWaitSeconds = 0.0; // of which the engine waited for (tiled mode)
    double encodeSeconds = 0.0;
    double textSeconds = 0.0;
    CacheCounters cache;     // counters of this job only
    std::vector<QueryResult> queries;
    std::string created;     // ISO 8601, as written in the polygon attributes
    nlohmann::json toJson(bool withTiles = true) const;
};

} // namespace rsrefseg
