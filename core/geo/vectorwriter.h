// VectorWriter: polygons with attributes written through OGR in the format the file extension
// names (.gpkg GeoPackage, .shp ESRI Shapefile, .geojson/.json GeoJSON, .fgb FlatGeobuf), in the
// given CRS, atomically (AtomicOutput): nothing appears at the path until commit().
//
//   VectorWriter w("tiles.gpkg", info.crsWkt, {{"id", VectorField::Integer}}, "tiles", false);
//   w.addPolygon({{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}, {int64_t(7)});
//   w.commit();
#pragma once

#include "geo/atomicoutput.h"
#include "geo/gdalhandles.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

class OGRLayer;
class OGRGeometry;

namespace rsrefseg {

struct VectorField
{
    enum Type { Integer, Real, String };
    std::string name;
    Type type;
};

using VectorValue = std::variant<int64_t, double, std::string>;
using Ring = std::vector<std::pair<double, double>>;

class VectorWriter
{
  public:
    VectorWriter(const std::string &path, const std::string &crsWkt, const std::vector<VectorField> &fields,
                 const std::string &layerName, bool overwrite);
    ~VectorWriter();

    // GDAL driver short name for a path's extension; throws Error for an unknown extension.
    static std::string driverForPath(const std::string &path);

    // rings[0] is the outer ring, the rest are holes; rings need not be closed.
    void addPolygon(const std::vector<Ring> &rings, const std::vector<VectorValue> &values);
    // Takes a copy of any OGR geometry (used by polygonize).
    void addGeometry(const OGRGeometry &geometry, const std::vector<VectorValue> &values);
    int featureCount() const { return mCount; }
    void commit();

  private:
    std::unique_ptr<AtomicOutput> mOutput;
    GdalDatasetPtr mDataset;
    OGRLayer *mLayer = nullptr;
    std::vector<VectorField> mFields;
    std::string mPath;
    int mCount = 0;
};

} // namespace rsrefseg
