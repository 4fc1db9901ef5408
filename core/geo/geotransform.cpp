#include "geo/geotransform.h"

#include "common/error.h"

#include <cmath>

namespace rsrefseg {

GeoTransform::GeoTransform()
    : mC{0.0, 1.0, 0.0, 0.0, 0.0, 1.0}
{
}

GeoTransform::GeoTransform(const std::array<double, 6> &coefficients)
    : mC(coefficients)
{
}

GeoTransform GeoTransform::pixelCoordinates()
{
    return GeoTransform({0.0, 1.0, 0.0, 0.0, 0.0, -1.0});
}

std::pair<double, double> GeoTransform::pixelToMap(double col, double row) const
{
    return {mC[0] + col * mC[1] + row * mC[2], mC[3] + col * mC[4] + row * mC[5]};
}

std::pair<double, double> GeoTransform::mapToPixel(double x, double y) const
{
    const double det = mC[1] * mC[5] - mC[2] * mC[4];
    if (std::abs(det) < 1e-300)
        throw Error("the raster's geotransform is not invertible");
    const double dx = x - mC[0];
    const double dy = y - mC[3];
    return {(dx * mC[5] - dy * mC[2]) / det, (dy * mC[1] - dx * mC[4]) / det};
}

double GeoTransform::pixelWidth() const
{
    return std::hypot(mC[1], mC[4]);
}

double GeoTransform::pixelHeight() const
{
    return std::hypot(mC[2], mC[5]);
}

} // namespace rsrefseg
