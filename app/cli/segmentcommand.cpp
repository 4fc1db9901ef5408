#include "segmentcommand.h"

#include "clisupport.h"
#include "progressreporter.h"

#include "common/error.h"
#include "engine/interruptguard.h"
#include "engine/querylist.h"
#include "geo/vectorwriter.h"

#include <CLI/CLI.hpp>

#include <iomanip>
#include <iostream>

namespace rsrefseg::cli {

namespace {

struct SegmentArgs
{
    std::string raster;
    std::vector<std::string> queries;
    std::string queriesFile;
    std::string outMask;
    std::string outProb;
    std::string outVector;
    bool overwrite = false;
    bool json = false;
    bool quiet = false;
    std::string progress = "text";
    ModelArgs model;
    SettingsArgs settings;
    CacheArgs cache;
};

void printSummary(const SegmentationResult &r)
{
    std::cout << "Raster:    " << r.raster << " (" << r.grid.width << " x " << r.grid.height << " px segmented, "
              << SegmentationSettings::modeName(r.mode) << " mode)\n"
              << "Model:     " << r.modelName << " (" << r.modelId << ")\n"
              << "Tiles:     " << r.tileCount << " (" << r.tilesEncoded << " encoded, " << r.tilesNoData
              << " nodata-only)\n";
    for (const QueryResult &q : r.queries) {
        int gated = 0;
        for (const TileReport &t : q.tiles)
            gated += t.state == TileReport::State::Gated;
        const double pct = q.validPixels ? 100.0 * static_cast<double>(q.objectPixels) / q.validPixels : 0.0;
        std::cout << "Query:     \"" << q.query << "\": " << q.objectPixels << " object pixels (" << std::fixed
                  << std::setprecision(2) << pct << " %), " << q.polygonCount << " polygon(s), " << gated
                  << " tile(s) gated\n"
                  << std::defaultfloat;
        if (!q.outputs.mask.empty())
            std::cout << "  mask:        " << q.outputs.mask << "\n";
        if (!q.outputs.probability.empty())
            std::cout << "  probability: " << q.outputs.probability << "\n";
        if (!q.outputs.vector.empty())
            std::cout << "  polygons:    " << q.outputs.vector << "\n";
    }
    std::cout << "Time:      " << std::setprecision(3) << r.seconds << " s (read " << r.readSeconds << " s, encode "
              << r.encodeSeconds << " s)\n"
              << "Cache:     " << r.cache.memoryHits << " memory hit(s), " << r.cache.diskHits << " disk hit(s), "
              << r.cache.misses << " miss(es), " << r.cache.imageEncoderRuns << " tile(s) encoded\n";
}

void run(const SegmentArgs &a, ProgressReporter &reporter)
{
    // Everything cheap is checked before the model loads.
    std::vector<std::string> queries = a.queries;
    if (!a.queriesFile.empty()) {
        const std::vector<std::string> more = QueryList::load(a.queriesFile);
        queries.insert(queries.end(), more.begin(), more.end());
    }
    if (queries.empty())
        throw Error("no query: give --query \"...\" or --queries FILE");
    SegmentationRequest request;
    request.raster = a.raster;
    request.queries = queries;
    request.settings = a.settings.toSettings();
    request.validate();
    if (a.outMask.empty() && a.outProb.empty() && a.outVector.empty())
        throw Error("nothing to write: give --out-mask, --out-prob and/or --out-vector");
    if (!a.outVector.empty())
        VectorWriter::driverForPath(a.outVector);
    if (!a.outMask.empty())
        MaskPipeline::checkRasterExtension(a.outMask);
    if (!a.outProb.empty())
        MaskPipeline::checkRasterExtension(a.outProb);

    request.overwrite = a.overwrite;
    const QueryOutputs base{a.outMask, a.outProb, a.outVector};
    for (size_t i = 0; i < queries.size(); ++i)
        request.outputs.push_back(QueryList::outputsFor(base, queries[i], i, queries.size()));

    InterruptGuard interrupt;
    const std::shared_ptr<SegmentationModel> model = loadModel(a.model, &reporter);
    SegmentationEngine::Options eo;
    eo.cache = a.cache.toOptions();
    SegmentationEngine engine(model, eo);

    Feedback feedback;
    feedback.linkCancelFlag(&InterruptGuard::flag());
    reporter.attach(feedback);
    const SegmentationResult result = engine.run(request, &feedback);
    reporter.finish();
    if (reporter.jsonl()) {
        nlohmann::json fields{{"command", "segment"}};
        fields.update(result.toJson(false));
        reporter.result(fields);
    }
    if (a.json)
        std::cout << result.toJson(true).dump(2) << "\n";
    else
        printSummary(result);
}

} // namespace

SegmentationSettings SettingsArgs::toSettings() const
{
    SegmentationSettings s;
    s.mode = SegmentationSettings::parseMode(mode);
    s.tileSize = tile;
    s.overlap = overlap;
    if (!region.empty())
        s.region = SegmentationSettings::parseRegion(region);
    s.regionCrs = regionCrs;
    s.bands = bands;
    s.stretch.mode = StretchOptions::parseMode(stretch);
    if (!std::isnan(threshold))
        s.threshold = threshold;
    s.gateThreshold = gate;
    s.minObjectArea = minArea;
    s.maxHoleArea = maxHole;
    s.areaUnit = SegmentationSettings::parseAreaUnit(areaUnit);
    if (!std::isnan(simplify))
        s.simplifyTolerance = simplify;
    s.batchSize = batch;
    s.stitchMemoryMb = static_cast<size_t>(std::max(0, stitchMb));
    s.probabilityType = SegmentationSettings::parseProbabilityType(probType);
    return s; // validated with the request (SegmentationRequest::validate, BatchRunner::preflight)
}

EmbeddingCache::Options CacheArgs::toOptions() const
{
    if (memoryMb < 0)
        throw Error("--cache-mb must not be negative");
    EmbeddingCache::Options o;
    o.diskDir = dir;
    o.memoryBudgetMb = static_cast<size_t>(memoryMb);
    return o;
}

void addModelOptions(CLI::App *cmd, ModelArgs &a)
{
    cmd->add_option("--model", a.model,
                    "Model bundle folder ('rsrefseg model import' makes one); builtin:colour-test is a "
                    "deterministic test model (object = the queried colour channel >= 128). Default: the model "
                    "installed with rsrefseg (the demo model, else the untrained golden tiny one)");
    cmd->add_option("--device", a.device, "cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--dtype", a.dtype, "f32 or bf16 (f16 on GPUs)")->capture_default_str();
    cmd->add_option("--threads", a.threads, "CPU threads for the model (0: all hardware threads)")->capture_default_str();
}

void addSettingsOptions(CLI::App *cmd, SettingsArgs &a)
{
    cmd->add_option("--mode", a.mode, "view (the region resampled into one model input) or tiled (native "
                                      "resolution tiles with overlap)")
        ->capture_default_str();
    cmd->add_option("--tile", a.tile, "Tile size in pixels (tiled mode)")->capture_default_str();
    cmd->add_option("--overlap", a.overlap, "Overlap between tiles in pixels (tiled mode)")->capture_default_str();
    cmd->add_option("--region", a.region,
                    "Only this box, minx,miny,maxx,maxy, in the raster's map coordinates (or --region-crs); a box "
                    "partly outside the raster is clipped (with a warning), one entirely outside is an error");
    cmd->add_option("--region-crs", a.regionCrs,
                    "The CRS --region is given in: EPSG:XXXX or WKT (x = easting or longitude); converted to the "
                    "raster's CRS");
    cmd->add_option("--bands", a.bands, "Bands for R,G,B (e.g. 4,3,2) or one grey band");
    cmd->add_option("--stretch", a.stretch, "auto, none, percentile (2-98 %) or minmax")->capture_default_str();
    cmd->add_option("--threshold", a.threshold, "Probability threshold (default: the model's, 0.5)");
    cmd->add_option("--gate", a.gate,
                    "Tiled mode: tiles whose relevance (max sigmoid of SigLIP's global activation) is below this get "
                    "no mask; 0 disables")
        ->capture_default_str();
    cmd->add_option("--min-area", a.minArea, "Remove objects smaller than this (in --area-unit)")->capture_default_str();
    cmd->add_option("--max-hole", a.maxHole, "Fill holes smaller than this (in --area-unit)")->capture_default_str();
    cmd->add_option("--area-unit", a.areaUnit, "px or m2 (geodesic on geographic CRSs)")->capture_default_str();
    cmd->add_option("--simplify", a.simplify,
                    "Polygon simplification tolerance in map units, topology preserving (default: one pixel; 0: none)");
    cmd->add_option("--batch", a.batch, "Tiles per image-encoder call")->capture_default_str();
    cmd->add_option("--stitch-mb", a.stitchMb, "Memory for stitching buffers; more queries than fit run in groups")
        ->capture_default_str();
    cmd->add_option("--prob-type", a.probType, "Probability GeoTIFF type: uint8 (probability x 255) or float32")
        ->capture_default_str();
}

void addCacheOptions(CLI::App *cmd, CacheArgs &a)
{
    cmd->add_option("--cache-dir", a.dir,
                    "Folder for image features (safetensors per tile); reused by later runs and shared by processes");
    cmd->add_option("--cache-mb", a.memoryMb, "In-memory feature cache budget in MB")->capture_default_str();
}

std::shared_ptr<SegmentationModel> loadModel(const ModelArgs &a, ProgressReporter *reporter)
{
    ModelRequest request;
    request.source = a.model;
    request.compute.device = a.device;
    request.compute.dtype = a.dtype;
    request.compute.threads = a.threads;
    if (!reporter)
        return openModel(request).model;
    OpenedModel m = ModelHub::open(request);
    for (const Notice &n : m.notices)
        reporter->notice(n);
    return m.model;
}

void addSegmentCommand(CLI::App &app)
{
    auto a = std::make_shared<SegmentArgs>();
    CLI::App *cmd = app.add_subcommand(
        "segment", "Segment what a sentence describes in a raster: mask and probability GeoTIFFs, polygons");
    cmd->add_option("raster", a->raster, "Raster file (any GDAL raster)")->required();
    cmd->add_option("--query,-q", a->queries, "Referring expression (repeat for several)");
    cmd->add_option("--queries", a->queriesFile, "File with one query per line ('#' comments)");
    cmd->add_option("--out-mask", a->outMask, "Mask GeoTIFF (1 object, 0 background, 255 nodata)");
    cmd->add_option("--out-prob", a->outProb, "Probability GeoTIFF (see --prob-type)");
    cmd->add_option("--out-vector", a->outVector, "Polygons: .gpkg, .shp, .geojson or .fgb");
    addModelOptions(cmd, a->model);
    addSettingsOptions(cmd, a->settings);
    addCacheOptions(cmd, a->cache);
    cmd->add_flag("--overwrite", a->overwrite, "Replace existing outputs");
    cmd->add_flag("--json", a->json, "Print the result (tiles, polygons, timings, cache) as JSON");
    cmd->add_flag("--quiet", a->quiet, "No progress display (text progress)");
    ProgressReporter::addOption(cmd, a->progress);
    cmd->footer("With several queries each output name gets _<query slug> before its extension.\n"
                "Ctrl-C (SIGINT) or SIGTERM stops between tiles, leaves no partial output and exits with 130.");
    cmd->callback([a] {
        ProgressReporter reporter(a->progress, "segment", a->quiet);
        reporter.run([&] { run(*a, reporter); });
    });
}

} // namespace rsrefseg::cli
