#include "geo/areacalculator.h"

#include "common/error.h"

#include <geodesic.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <cmath>

namespace rsrefseg {

AreaCalculator::AreaCalculator(const std::string &crsWkt)
{
    if (crsWkt.empty())
        return;
    OGRSpatialReference srs;
    if (srs.importFromWkt(crsWkt.c_str()) != OGRERR_NONE)
        throw Error("cannot compute areas: the CRS cannot be parsed");
    if (srs.IsGeographic()) {
        mKind = Kind::Geodesic;
        OGRErr err = OGRERR_NONE;
        mSemiMajor = srs.GetSemiMajor(&err);
        const double invFlattening = srs.GetInvFlattening(&err);
        mFlattening = invFlattening > 0.0 ? 1.0 / invFlattening : 0.0;
    } else {
        mKind = Kind::Planar;
        mMetresPerUnit = srs.GetLinearUnits();
        if (!(mMetresPerUnit > 0.0))
            mMetresPerUnit = 1.0;
    }
}

double AreaCalculator::planarRingArea(const Ring &ring)
{
    const size_t n = ring.size();
    if (n < 3)
        return 0.0;
    // Shoelace around a local origin (large UTM coordinates would lose digits otherwise).
    const double ox = ring[0].first;
    const double oy = ring[0].second;
    double twice = 0.0;
    for (size_t i = 0; i < n; ++i) {
        const auto &a = ring[i];
        const auto &b = ring[(i + 1) % n];
        twice += (a.first - ox) * (b.second - oy) - (b.first - ox) * (a.second - oy);
    }
    return std::abs(twice) / 2.0;
}

double AreaCalculator::ringArea(const Ring &ring) const
{
    if (mKind != Kind::Geodesic)
        return planarRingArea(ring) * mMetresPerUnit * mMetresPerUnit;
    geod_geodesic g;
    geod_init(&g, mSemiMajor, mFlattening);
    geod_polygon p;
    geod_polygon_init(&p, 0);
    size_t n = ring.size();
    if (n > 1 && ring.front() == ring.back())
        --n; // geod_polygon closes the ring itself
    for (size_t i = 0; i < n; ++i)
        geod_polygon_addpoint(&g, &p, ring[i].second, ring[i].first);
    double area = 0.0;
    double perimeter = 0.0;
    geod_polygon_compute(&g, &p, 0, 1, &area, &perimeter);
    return std::abs(area);
}

double AreaCalculator::area(const std::vector<Ring> &rings) const
{
    double total = 0.0;
    for (size_t i = 0; i < rings.size(); ++i)
        total += (i == 0 ? 1.0 : -1.0) * ringArea(rings[i]);
    return total;
}

double AreaCalculator::area(const OGRGeometry &geometry) const
{
    auto toRing = [](const OGRLinearRing *r) {
        Ring ring;
        if (!r)
            return ring;
        ring.reserve(static_cast<size_t>(r->getNumPoints()));
        for (int i = 0; i < r->getNumPoints(); ++i)
            ring.emplace_back(r->getX(i), r->getY(i));
        return ring;
    };
    auto polygonArea = [&](const OGRPolygon &p) {
        std::vector<Ring> rings;
        rings.push_back(toRing(p.getExteriorRing()));
        for (int i = 0; i < p.getNumInteriorRings(); ++i)
            rings.push_back(toRing(p.getInteriorRing(i)));
        return area(rings);
    };
    const OGRwkbGeometryType t = wkbFlatten(geometry.getGeometryType());
    if (t == wkbPolygon)
        return polygonArea(*geometry.toPolygon());
    if (t == wkbMultiPolygon) {
        double total = 0.0;
        for (const OGRPolygon *p : *geometry.toMultiPolygon())
            total += polygonArea(*p);
        return total;
    }
    return 0.0;
}

double AreaCalculator::pixelArea(const GeoTransform &transform, double col, double row) const
{
    const Ring ring{transform.pixelToMap(col, row), transform.pixelToMap(col + 1, row),
                    transform.pixelToMap(col + 1, row + 1), transform.pixelToMap(col, row + 1)};
    return ringArea(ring);
}

} // namespace rsrefseg
