// MapBox: a rectangle in a raster's map coordinates (its CRS units; pixels without
// georeference), e.g. a query region, and the source pixels it covers.
//
//   const MapBox region{500000, 4999000, 501000, 5000000};
//   PixelWindow w = region.pixelWindow(raster.info());   // clipped to the raster; throws outside
#pragma once

#include "geo/pixelwindow.h"
#include "geo/rasterinfo.h"

namespace rsrefseg {

struct MapBox
{
    double minX = 0.0;
    double minY = 0.0;
    double maxX = 0.0;
    double maxY = 0.0;

    // The source pixels the box covers (every pixel it touches), clipped to the raster; a box on
    // pixel edges maps to exactly those pixels. Throws Error, naming the raster's extent, when
    // the box lies outside the raster.
    PixelWindow pixelWindow(const RasterInfo &info) const;
};

} // namespace rsrefseg
