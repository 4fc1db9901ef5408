// BatchRunner: every raster of a folder x every query, resumable and shardable
// (`rsrefseg batch`, the desktop app's batch dialog).
//
//   BatchRunner::Options o;
//   o.inputDir = "scenes"; o.recursive = true; o.queries = QueryList::load("queries.txt");
//   o.outDir = "results"; o.formats = BatchRunner::parseFormats("tif,gpkg");
//   o.resume = true; o.shard = ShardSpec::parse("2/8");
//   BatchRunner runner(engine, o);
//   BatchRunner::Summary s = runner.run(&feedback);   // throws CancelledError when cancelled
//
// Outputs: <out>/<raster's folder relative to the input>/<raster stem>/<query slug>.<ext>
// (mask .tif, probability .prob.tif, polygons .gpkg/.shp/.geojson/.fgb). Each raster runs
// once for all its unfinished queries (tiles are encoded once). After each raster, one
// manifest record per query: "done" or "failed" (unreadable or corrupt raster, any error:
// recorded, and the batch goes on; a "done" record lists in "tiles_failed" the tiles whose
// pixels could not be read, e.g. corrupt blocks, left out as nodata). --resume skips every
// (raster, query) that some manifest in the folder records as done and clears what killed
// runs left (scratch and temporary files in the outputs' folders). Shards: rasters sorted by
// relative path, raster i goes to shard (i mod N) + 1, so N machines (a Slurm array, a
// Kubernetes indexed Job) split the work disjointly and completely and share one output
// folder.
#pragma once

#include "engine/feedback.h"
#include "engine/maskpipeline.h"
#include "engine/segmentationengine.h"
#include "engine/segmentationsettings.h"

#include <string>
#include <vector>

namespace rsrefseg {

class BatchManifest;

struct ShardSpec
{
    int index = 1; // 1-based
    int count = 1;
    static ShardSpec parse(const std::string &text); // "K/N", 1 <= K <= N
    bool contains(size_t rasterIndex) const
    {
        return static_cast<int>(rasterIndex % static_cast<size_t>(count)) == index - 1;
    }
    std::string toString() const { return std::to_string(index) + "/" + std::to_string(count); }
};

class BatchRunner
{
  public:
    struct Formats
    {
        bool mask = true;
        bool probability = false;
        SegmentationSettings::ProbabilityType probabilityType = SegmentationSettings::ProbabilityType::UInt8;
        std::string vectorExtension = ".gpkg"; // empty: none
    };

    struct Options
    {
        std::string inputDir;
        bool recursive = false;
        // Comma-separated globs matched against file names (case-insensitive).
        std::string patterns = "*.tif,*.tiff,*.jp2,*.vrt,*.img,*.png,*.jpg,*.jpeg";
        std::vector<std::string> queries;
        std::string outDir;
        Formats formats;
        bool resume = false;
        bool overwrite = false;
        ShardSpec shard;
        SegmentationSettings settings;
    };

    struct WorkItem
    {
        std::string raster;   // path to open
        std::string relative; // relative to the input folder (manifest key)
        std::string query;
        QueryOutputs outputs;
    };

    struct Summary
    {
        int rasters = 0;      // rasters of this shard
        int items = 0;        // raster x query items of this shard
        int done = 0;         // finished now
        int failed = 0;       // failed now
        int skipped = 0;      // already done (resume)
        double seconds = 0.0;
        std::string manifest;
    };

    BatchRunner(SegmentationEngine &engine, const Options &options);

    // tif | mask, prob | prob8, prob32, gpkg, shp, geojson, fgb (one vector format at most).
    static Formats parseFormats(const std::string &text);
    // Relative paths of the matching files, sorted (byte order).
    static std::vector<std::string> listRasters(const std::string &dir, bool recursive, const std::string &patterns);
    // This shard's work items, in order.
    std::vector<WorkItem> plan() const;
    // Everything run() refuses before any work (settings, formats, input folder, an earlier
    // run's manifest without resume), so that callers can check before loading a model.
    static void preflight(const Options &options);

    Summary run(Feedback *feedback = nullptr);

  private:
    SegmentationRequest requestFor(const std::vector<const WorkItem *> &pending) const;
    void runRaster(const std::vector<const WorkItem *> &pending, size_t index, size_t count, BatchManifest &manifest,
                   Summary &summary, Feedback *feedback);

    SegmentationEngine &mEngine;
    Options mOptions;
};

} // namespace rsrefseg
