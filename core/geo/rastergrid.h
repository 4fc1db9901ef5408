// RasterGrid: the pixel grid an output raster is written on: size, geotransform and CRS.
// Outputs of a segmentation share the source raster's grid, or the grid of a window of it
// (a region): same pixel size and CRS, origin moved to the window's top-left corner.
//
//   RasterGrid grid = RasterGrid::ofWindow(raster.info(), {1024, 0, 2048, 2048});
//   GeoTiffWriter mask("mask.tif", grid, options);
#pragma once

#include "geo/geotransform.h"
#include "geo/pixelwindow.h"
#include "geo/rasterinfo.h"

#include <string>

namespace rsrefseg {

struct RasterGrid
{
    int width = 0;
    int height = 0;
    GeoTransform transform;   // pixel -> map (GeoTransform::pixelCoordinates() without georeference)
    bool hasTransform = true; // false: write no geotransform (the source had none)
    std::string crsWkt;       // empty: no CRS

    // The grid of `window` (which must lie inside the raster) of a raster. A raster without a
    // geotransform keeps none when the window is the whole raster; a smaller window gets the
    // shifted pixel-coordinate transform, so that it overlays its source in QGIS.
    static RasterGrid ofWindow(const RasterInfo &info, const PixelWindow &window);
    static RasterGrid of(const RasterInfo &info);

    bool sameAs(const RasterGrid &other, double tolerance = 1e-9) const;
};

} // namespace rsrefseg
