// AreaCalculator: areas in square metres for polygons in a raster's CRS. Projected CRSs use
// the planar area times the square of the linear unit (metres per unit); geographic CRSs
// (coordinates x = longitude, y = latitude in degrees, GDAL's traditional GIS order) use the
// geodesic area on the CRS's ellipsoid (PROJ's geodesic routines, Karney 2013).
//
//   AreaCalculator areas(info.crsWkt);
//   double m2 = areas.area(polygon);                 // OGR polygon or multipolygon
//   double px = areas.pixelArea(info.geoTransform, 0, row);
//
// Without a CRS (kind() == None) areas are planar in map units (pixels for rasters without
// georeference): they are not square metres, and callers must say so.
#pragma once

#include "geo/geotransform.h"
#include "geo/vectorwriter.h"

#include <string>

class OGRGeometry;

namespace rsrefseg {

class AreaCalculator
{
  public:
    enum class Kind { None, Planar, Geodesic };

    // Throws rsrefseg::Error when a non-empty WKT cannot be parsed.
    explicit AreaCalculator(const std::string &crsWkt);

    Kind kind() const { return mKind; }
    bool isGeodesic() const { return mKind == Kind::Geodesic; }
    double metresPerUnit() const { return mMetresPerUnit; }
    double semiMajor() const { return mSemiMajor; }
    double flattening() const { return mFlattening; }

    // rings[0] outer, the rest holes (any orientation, closed or not).
    double area(const std::vector<Ring> &rings) const;
    // Polygon or multipolygon (other geometries: 0).
    double area(const OGRGeometry &geometry) const;
    // Area of the pixel whose top-left corner is (col, row).
    double pixelArea(const GeoTransform &transform, double col, double row) const;

    // Absolute planar (shoelace) area of one ring, in its own units.
    static double planarRingArea(const Ring &ring);

  private:
    double ringArea(const Ring &ring) const;

    Kind mKind = Kind::None;
    double mMetresPerUnit = 1.0;
    double mSemiMajor = 6378137.0;
    double mFlattening = 1.0 / 298.257223563;
};

} // namespace rsrefseg
