#include "geo/mapbox.h"

#include "common/error.h"
#include "geo/gdalhandles.h"

#include <cpl_error.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <utility>

namespace rsrefseg {

namespace {

// The bounding box of four points: minX, minY, maxX, maxY.
template <typename Points>
MapBox boundsOf(const Points &points)
{
    MapBox b{1e300, 1e300, -1e300, -1e300};
    for (const std::pair<double, double> &p : points) {
        b.minX = std::min(b.minX, p.first);
        b.maxX = std::max(b.maxX, p.first);
        b.minY = std::min(b.minY, p.second);
        b.maxY = std::max(b.maxY, p.second);
    }
    return b;
}

// Reads a CRS the way QGIS and the command line name one, without touching files or the network.
void readCrs(OGRSpatialReference &srs, const std::string &crs, const char *what)
{
    GdalQuietErrors quiet;
    const char *const options[] = {"ALLOW_NETWORK_ACCESS=NO", "ALLOW_FILE_ACCESS=NO", nullptr};
    if (crs.empty() || srs.SetFromUserInput(crs.c_str(), options) != OGRERR_NONE) {
        const std::string shown = crs.size() > 80 ? crs.substr(0, 77) + "..." : crs;
        throw Error(std::string(what) + " '" + shown + "' is not a CRS (use EPSG:XXXX or WKT)");
    }
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
}

} // namespace

std::string MapBox::toString() const
{
    std::ostringstream s;
    s.precision(12);
    s << minX << "," << minY << "," << maxX << "," << maxY;
    return s.str();
}

void MapBox::checkCrs(const std::string &crs)
{
    OGRSpatialReference srs;
    readCrs(srs, crs, "region CRS");
}

MapBox MapBox::transformed(const std::string &fromCrs, const std::string &toCrsWkt) const
{
    OGRSpatialReference from;
    OGRSpatialReference to;
    readCrs(from, fromCrs, "region CRS");
    readCrs(to, toCrsWkt, "raster CRS");
    GdalQuietErrors quiet;
    const std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&from, &to));
    MapBox out;
    // 21 points per edge: GDAL's default densification (gdalwarp -te_srs does the same).
    if (!ct || !ct->TransformBounds(minX, minY, maxX, maxY, &out.minX, &out.minY, &out.maxX, &out.maxY, 21) ||
        !std::isfinite(out.minX) || !std::isfinite(out.maxY)) {
        const std::string why = CPLGetLastErrorMsg();
        throw Error("region " + toString() + " cannot be transformed from '" + fromCrs.substr(0, 80) +
                    "' to the raster's CRS" + (why.empty() ? std::string() : ": " + why));
    }
    return out;
}

PixelWindow MapBox::pixelWindow(const RasterInfo &info, bool *clipped) const
{
    const GeoTransform &gt = info.geoTransform;
    // In pixel coordinates: x columns, y rows.
    const MapBox px = boundsOf(std::initializer_list<std::pair<double, double>>{
        gt.mapToPixel(minX, minY), gt.mapToPixel(minX, maxY), gt.mapToPixel(maxX, minY), gt.mapToPixel(maxX, maxY)});
    // A box on pixel edges maps to exactly those pixels despite rounding noise.
    const double eps = 1e-6;
    const double c0 = std::max(0.0, std::floor(px.minX + eps));
    const double r0 = std::max(0.0, std::floor(px.minY + eps));
    const double c1 = std::min(static_cast<double>(info.width), std::ceil(px.maxX - eps));
    const double r1 = std::min(static_cast<double>(info.height), std::ceil(px.maxY - eps));
    if (!(c1 > c0) || !(r1 > r0)) {
        const MapBox extent = boundsOf(std::initializer_list<std::pair<double, double>>{
            gt.pixelToMap(0, 0), gt.pixelToMap(info.width, 0), gt.pixelToMap(0, info.height),
            gt.pixelToMap(info.width, info.height)});
        std::ostringstream s;
        s.precision(12);
        s << "region " << minX << "," << minY << "," << maxX << "," << maxY << " lies outside the raster '"
          << info.path << "' (extent " << extent.minX << "," << extent.minY << "," << extent.maxX << ","
          << extent.maxY << ")";
        throw Error(s.str());
    }
    if (clipped)
        *clipped = px.minX < -eps || px.minY < -eps || px.maxX > info.width + eps || px.maxY > info.height + eps;
    return {static_cast<int>(c0), static_cast<int>(r0), static_cast<int>(c1 - c0), static_cast<int>(r1 - r0)};
}

} // namespace rsrefseg
