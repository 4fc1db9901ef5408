// MapBox: a rectangle in a raster's map coordinates (its CRS units; pixels without
// georeference), e.g. a query region, and the source pixels it covers.
//
//   const MapBox region{500000, 4999000, 501000, 5000000};
//   PixelWindow w = region.pixelWindow(raster.info());   // clipped to the raster; throws outside
//
// A region given in another CRS (QGIS's canvas extent, longitude/latitude) is converted first:
//   MapBox inRaster = MapBox{5.1, 52.0, 5.2, 52.1}.transformed("EPSG:4326", raster.info().crsWkt);
#pragma once

#include "geo/pixelwindow.h"
#include "geo/rasterinfo.h"

#include <string>

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
    // `clipped`, when given, tells whether part of the box lies outside the raster.
    PixelWindow pixelWindow(const RasterInfo &info, bool *clipped = nullptr) const;

    // The bounding box, in the CRS `toCrsWkt`, of this box given in `fromCrs` (EPSG:XXXX, WKT or
    // PROJ text; x = easting or longitude, as QGIS orders axes), edges densified so that curved
    // edges are covered. Throws Error naming the CRS that cannot be read or the transformation
    // that fails.
    MapBox transformed(const std::string &fromCrs, const std::string &toCrsWkt) const;
    // Throws Error when `crs` is not a CRS (EPSG:XXXX, WKT or PROJ text; no file or network look-up).
    static void checkCrs(const std::string &crs);
    std::string toString() const; // "minx,miny,maxx,maxy"
};

} // namespace rsrefseg
