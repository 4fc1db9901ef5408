// Independent reference for geodesic areas in the tests: the exact area of a latitude/longitude
// rectangle on an ellipsoid of revolution (the authalic zone formula), which shares no code
// with PROJ's geodesic polygons. For small rectangles the geodesic edges and the parallels
// differ by far less than the tolerances used.
#pragma once

#include <cmath>

namespace rsrefseg::test {

// Area of the zone between the equator and latitude phi over all longitudes.
inline double ellipsoidZoneArea(double phiDeg, double a, double f)
{
    const double b = a * (1.0 - f);
    const double e2 = f * (2.0 - f);
    const double e = std::sqrt(e2);
    const double s = std::sin(phiDeg * M_PI / 180.0);
    if (e < 1e-12)
        return 2.0 * M_PI * a * a * s;
    return M_PI * b * b * (s / (1.0 - e2 * s * s) + std::log((1.0 + e * s) / (1.0 - e * s)) / (2.0 * e));
}

inline double lonLatRectangleArea(double lon0, double lat0, double lon1, double lat1, double a = 6378137.0,
                                  double f = 1.0 / 298.257223563)
{
    return std::abs(lon1 - lon0) / 360.0 * std::abs(ellipsoidZoneArea(lat1, a, f) - ellipsoidZoneArea(lat0, a, f));
}

} // namespace rsrefseg::test
