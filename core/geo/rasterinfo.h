// RasterInfo: what a user (and `rsrefseg info`) needs to know about a raster, as plain data.
#pragma once

#include "geo/geotransform.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rsrefseg {

struct BandInfo
{
    int index = 0;                  // 1-based GDAL band number
    std::string dataType;           // GDAL name: Byte, UInt16, Float32, ...
    std::string colorInterpretation; // GDAL name: Red, Green, Blue, Alpha, Gray, Undefined, ...
    std::optional<double> noData;
    std::string description;
    std::vector<std::pair<int, int>> overviews; // width, height of each overview level
};

struct RasterInfo
{
    std::string path;
    std::string driver;      // GDAL short name, e.g. GTiff
    int width = 0;
    int height = 0;
    std::vector<BandInfo> bands;
    bool hasGeoTransform = false;
    GeoTransform geoTransform; // the file's, or GeoTransform::pixelCoordinates() when absent
    std::string crsWkt;        // empty when the raster has no CRS
    std::string crsName;
    std::optional<int> epsg;
    bool isGeographic = false; // CRS in degrees (area must be geodesic)
    std::string units;         // linear unit name of a projected CRS ("metre"), "degree" or "pixel"

    // Georeferenced = a geotransform and a CRS; otherwise outputs are in pixel coordinates.
    bool isGeoreferenced() const { return hasGeoTransform && !crsWkt.empty(); }
};

} // namespace rsrefseg
