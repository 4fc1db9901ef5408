#include "geo/mapbox.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
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

} // namespace

PixelWindow MapBox::pixelWindow(const RasterInfo &info) const
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
    return {static_cast<int>(c0), static_cast<int>(r0), static_cast<int>(c1 - c0), static_cast<int>(r1 - r0)};
}

} // namespace rsrefseg
