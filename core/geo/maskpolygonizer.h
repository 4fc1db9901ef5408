// MaskPolygonizer: turns a label raster (band 1, Int32; 0 = nothing, k > 0 = component k) into
// polygons with GDALPolygonize (4-connected), handing each polygon to a callback as soon as
// GDAL finishes it, so that nothing is collected in memory. Coordinates are map coordinates of
// the raster's geotransform. Each 4-connected region of one label is one polygon (holes
// included as interior rings).
//
//   MaskPolygonizer::run("labels.tif", [&](int64_t label, const OGRPolygon &p) { ... });
#pragma once

#include <cstdint>
#include <functional>
#include <string>

class OGRPolygon;

namespace rsrefseg {

class MaskPolygonizer
{
  public:
    using Sink = std::function<void(int64_t label, const OGRPolygon &polygon)>;
    // `progress` (0..1) may return false to cancel (CancelledError). Exceptions thrown by the
    // sink stop the polygonization and are rethrown.
    static void run(const std::string &labelRasterPath, const Sink &sink,
                    const std::function<bool(double)> &progress = {});
};

} // namespace rsrefseg
