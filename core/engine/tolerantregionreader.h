// TolerantRegionReader: reads a region of a raster into one image (the engine's view mode) and,
// when a corrupt block or an I/O error spoils the read, still returns every readable part.
//
//   std::vector<FailedTile> failed;
//   RgbImage img = TolerantRegionReader::read(raster, window, 1024, 1024, bands, stretch,
//                                             Raster::Resampling::Average, failed);
//   // unreadable parts are black and invalid (nodata); `failed` names their source windows
//
// The whole region is read at once when it can be. Otherwise the output is split in four,
// recursively, down to pieces of kMinPieceSide output pixels, so a bad block costs only the
// pieces over it. Throws rsrefseg::Error when no part at all can be read, unless
// `allowUnreadable` (then such a region comes back entirely invalid).
#pragma once

#include "engine/segmentationresult.h"
#include "geo/raster.h"

#include <vector>

namespace rsrefseg {

class TolerantRegionReader
{
  public:
    static constexpr int kMinPieceSide = 64;

    static RgbImage read(const Raster &raster, const PixelWindow &window, int outWidth, int outHeight,
                         const BandSelection &bands, const ContrastStretch &stretch, Raster::Resampling resampling,
                         std::vector<FailedTile> &failed, bool allowUnreadable = false);
};

} // namespace rsrefseg
