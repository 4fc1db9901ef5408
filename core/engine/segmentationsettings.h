// SegmentationSettings: how a raster is segmented (mode, tiles, region, bands and stretch,
// thresholds, post-processing, polygon simplification), with the defaults the CLI and the
// desktop app share, and the parsers for their text forms.
//
//   SegmentationSettings s;                       // tiled, 1024 px tiles, 128 px overlap
//   s.mode = SegmentationSettings::parseMode("view");
//   s.region = SegmentationSettings::parseRegion("500000,4999000,501000,5000000");
//   s.validate();                                  // throws rsrefseg::Error naming the setting
#pragma once

#include "geo/contraststretch.h"
#include "geo/mapbox.h"

#include <cstddef>
#include <optional>
#include <string>

namespace rsrefseg {

struct SegmentationSettings
{
    enum class Mode {
        View, // the region (or whole raster) resampled into one model input: keeps context
        Tiled // native-resolution tiles with overlap, feathered blending, tile gating
    };
    enum class AreaUnit { Pixels, SquareMetres };

    Mode mode = Mode::Tiled;
    int tileSize = 1024; // tiled mode: native pixels per tile side
    int overlap = 128;   // tiled mode: pixels shared by neighbouring tiles
    std::optional<MapBox> region; // empty: the whole raster
    // The CRS the region is given in (EPSG:XXXX, WKT); empty: the raster's. The engine converts
    // the region to the raster's CRS, clips what lies outside the raster (with a message) and
    // refuses a region entirely outside it.
    std::string regionCrs;
    std::string bands;            // "4,3,2" or "1"; empty: automatic (BandSelection)
    StretchOptions stretch;
    std::optional<double> threshold; // on the probability; empty: the model's (0.5)
    // Tiled mode: a tile whose relevance (max sigmoid of SigLIP's global activation) is below
    // this gets no mask. 0 disables gating. The default keeps tiles where at least one SigLIP
    // patch has a 5 % text match probability: low enough not to drop real objects with a
    // trained model, high enough to drop empty tiles, where RRSIS-D-trained models still draw.
    double gateThreshold = 0.05;
    double minObjectArea = 0.0; // objects smaller than this are removed (0: keep all)
    double maxHoleArea = 0.0;   // holes smaller than this are filled (0: fill none)
    AreaUnit areaUnit = AreaUnit::Pixels; // of minObjectArea / maxHoleArea (m2: geodesic on lat/lon)
    // Douglas-Peucker tolerance (topology preserving) in map units; empty: one pixel; 0: none.
    std::optional<double> simplifyTolerance;
    int batchSize = 1; // tiles per image-encoder call
    // Tiled mode: read the next batch of tiles while the current one is encoded and decoded.
    bool readAhead = true;
    // Memory for the stitching buffers (one tile row of the output per query); with many
    // queries on a wide raster, queries are processed in groups that fit.
    size_t stitchMemoryMb = 1024;
    // Probability GeoTIFF type.
    enum class ProbabilityType { UInt8, Float32 };
    ProbabilityType probabilityType = ProbabilityType::UInt8;

    void validate() const;

    static Mode parseMode(const std::string &text);           // view | tiled
    static std::string modeName(Mode mode);
    static AreaUnit parseAreaUnit(const std::string &text);   // px | m2
    static std::string areaUnitName(AreaUnit unit);
    static MapBox parseRegion(const std::string &text);       // "minx,miny,maxx,maxy"
    static ProbabilityType parseProbabilityType(const std::string &text); // uint8 | float32
};

} // namespace rsrefseg
