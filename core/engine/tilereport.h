// TileReport: what happened to one tile for one query (state, relevance, SAM IoU prediction,
// cache use, timings, the global activation map, how the query was read). Reported through
// Feedback::onTile as each tile finishes, for the desktop app's tile inspector, and kept in the
// result (without the activation map) for the CLI's JSON output.
#pragma once

#include "geo/pixelwindow.h"

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>

#include <string>

namespace rsrefseg {

struct TileReport
{
    enum class State {
        Segmented, // the tile's mask was blended into the output
        Gated,     // relevance below the gate threshold: the tile got no mask
        NoData,    // only nodata pixels: not read into the model
        View       // view mode: the whole region was one model input
    };
    enum class Cache { NotUsed, Miss, Memory, Disk };

    int queryIndex = 0;
    std::string query;
    int tileId = 0;
    int row = 0;
    int column = 0;
    PixelWindow window;    // source raster pixels covered (the tile's part inside the raster)
    State state = State::Segmented;
    float relevance = 0.0f; // max of sigmoid(global activation): SigLIP's "is it here" score
    float iou = 0.0f;       // SAM's IoU prediction for the tile's mask
    Cache cache = Cache::NotUsed;
    double readMs = 0.0;   // raster read (shared by all queries of a tile)
    double encodeMs = 0.0; // image encoder (0 on a cache hit)
    double decodeMs = 0.0; // text-conditioned decoder for this query
    int64_t objectPixels = 0; // pixels above the threshold in this tile's own prediction
    // Why the tile's pixels could not be read (a corrupt block, an I/O error): such a tile has
    // state NoData (its pixels are nodata in every output) and reports "failed" in JSON.
    std::string error;
    // Global activation logits of the decode (SigLIP grid, e.g. 27 x 27, CV_32FC1; what the
    // inspector's heat map shows); empty for a nodata tile. Only in the report handed to
    // Feedback::onTile: the result's copy drops it, so a long run does not keep a grid per tile.
    cv::Mat activation;
    // The tokenizer's warning about the query (e.g. truncated to the text tower's length; the
    // same for every tile of the query); empty when it was read as written.
    std::string textWarning;

    static std::string stateName(State s);
    static std::string cacheName(Cache c);
    // For the CLI's JSON: the numbers (not the activation map; the query's warning is in
    // QueryResult's JSON).
    nlohmann::json toJson() const;
};

} // namespace rsrefseg
