// `rsrefseg segment RASTER --model BUNDLE --query "..." ...`: one raster, one or more queries,
// mask / probability GeoTIFFs and polygons. Also the option groups that `batch` and
// `bench segment` share with it (model, settings, cache).
#pragma once

#include "engine/segmentationengine.h"
#include "engine/segmentationmodel.h"
#include "engine/segmentationsettings.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>

namespace CLI {
class App;
}

namespace rsrefseg::cli {

class ProgressReporter;

struct ModelArgs
{
    std::string model; // ModelRequest::source: bundle folder, "builtin:colour-test", "" (bundled)
    std::string device = "cpu";
    std::string dtype = "f32";
    int threads = 0;
};

struct SettingsArgs
{
    std::string mode = "tiled";
    int tile = 1024;
    int overlap = 128;
    std::string region;
    std::string regionCrs;
    std::string bands;
    std::string stretch = "auto";
    double threshold = std::numeric_limits<double>::quiet_NaN();
    double gate = 0.05;
    double minArea = 0.0;
    double maxHole = 0.0;
    std::string areaUnit = "px";
    double simplify = std::numeric_limits<double>::quiet_NaN();
    int batch = 1;
    int stitchMb = 1024;
    std::string probType = "uint8";
    SegmentationSettings toSettings() const;
};

struct CacheArgs
{
    std::string dir;
    int memoryMb = 512;
    EmbeddingCache::Options toOptions() const;
};

void addModelOptions(CLI::App *cmd, ModelArgs &args);
void addSettingsOptions(CLI::App *cmd, SettingsArgs &args);
void addCacheOptions(CLI::App *cmd, CacheArgs &args);
// Opens the model through ModelHub, printing its notices (bundled model, untrained weights)
// through `reporter` (as JSON lines with --progress jsonl), else on standard error.
std::shared_ptr<SegmentationModel> loadModel(const ModelArgs &args, ProgressReporter *reporter = nullptr);

void addSegmentCommand(CLI::App &app);

} // namespace rsrefseg::cli
