#include "geo/rastergrid.h"

#include "common/error.h"

#include <cmath>

namespace rsrefseg {

RasterGrid RasterGrid::ofWindow(const RasterInfo &info, const PixelWindow &window)
{
    if (window.isEmpty() || window.x < 0 || window.y < 0 || window.right() > info.width ||
        window.bottom() > info.height)
        throw Error("window " + std::to_string(window.x) + "," + std::to_string(window.y) + " " +
                    std::to_string(window.width) + "x" + std::to_string(window.height) + " is not inside '" +
                    info.path + "' (" + std::to_string(info.width) + " x " + std::to_string(info.height) + ")");
    RasterGrid g;
    g.width = window.width;
    g.height = window.height;
    g.crsWkt = info.crsWkt;
    const std::array<double, 6> &c = info.geoTransform.coefficients();
    const auto origin = info.geoTransform.pixelToMap(window.x, window.y);
    g.transform = GeoTransform({origin.first, c[1], c[2], origin.second, c[4], c[5]});
    g.hasTransform = info.hasGeoTransform || window.x != 0 || window.y != 0;
    return g;
}

RasterGrid RasterGrid::of(const RasterInfo &info)
{
    return ofWindow(info, {0, 0, info.width, info.height});
}

bool RasterGrid::sameAs(const RasterGrid &other, double tolerance) const
{
    if (width != other.width || height != other.height || hasTransform != other.hasTransform ||
        crsWkt != other.crsWkt)
        return false;
    for (size_t i = 0; i < 6; ++i)
        if (std::abs(transform.coefficients()[i] - other.transform.coefficients()[i]) > tolerance)
            return false;
    return true;
}

} // namespace rsrefseg
