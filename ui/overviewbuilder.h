// OverviewBuilder: gives a large raster without overviews a pyramid, so that the map canvas
// never reads full resolution to draw a zoomed-out view. The source file is never modified:
// a VRT pointing at it is written into a cache folder and its overviews (.vrt.ovr, averaged)
// are built next to it; the canvas then reads the VRT. Keyed by the raster's identity (path,
// size, modification time), so a pyramid is built once per file version. Runs on a
// background thread (RasterOpenJob); `progress` may return false to cancel.
//
//   QString vrt = OverviewBuilder::build("scene.tif", cacheDir, progress);  // "" if not needed
#pragma once

#include "geo/rasterinfo.h"

#include <QString>

#include <functional>

namespace rsrefseg {

class OverviewBuilder
{
  public:
    // Rasters whose longer side is at most this many pixels need no pyramid.
    static constexpr int kMinSideForOverviews = 2048;

    static bool needsOverviews(const RasterInfo &info);
    // Path of the VRT with overviews (built now if missing). Throws rsrefseg::Error.
    static QString build(const RasterInfo &info, const QString &cacheDir,
                         const std::function<bool(double)> &progress = {});
};

} // namespace rsrefseg
