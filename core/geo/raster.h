// Raster: any GDAL raster opened for reading, with the two things the product needs from it:
// its metadata (RasterInfo) and windows of it as 8-bit RGB for the model or the map canvas.
//
//   Raster raster = Raster::open("scene.tif");              // throws rsrefseg::Error
//   BandSelection bands = BandSelection::automatic(raster.info());
//   ContrastStretch stretch = raster.computeStretch(bands, StretchOptions());
//   RgbImage img = raster.readRgb8({0, 0, 4096, 4096}, 1024, 1024, bands, stretch);
//
// A Raster is not thread-safe (GDAL datasets are not); open one per thread.
#pragma once

#include "geo/bandselection.h"
#include "geo/contraststretch.h"
#include "geo/gdalhandles.h"
#include "geo/pixelwindow.h"
#include "geo/rasterinfo.h"

#include <opencv2/core/mat.hpp>

#include <string>

namespace rsrefseg {

struct RgbImage
{
    cv::Mat rgb;   // CV_8UC3, R G B order
    cv::Mat valid; // CV_8UC1, 255 = data, 0 = nodata / alpha 0 / outside the raster
};

class Raster
{
  public:
    enum class Resampling { Nearest, Bilinear, Average };

    static Raster open(const std::string &path);

    const RasterInfo &info() const { return mInfo; }
    GDALDataset *dataset() const { return mDataset.get(); }

    ContrastStretch computeStretch(const BandSelection &bands, const StretchOptions &options) const;

    // Reads `window` (may reach outside the raster; that part is invalid and black) resampled to
    // outWidth x outHeight. Downsampled reads use GDAL overviews when the file has them.
    RgbImage readRgb8(const PixelWindow &window, int outWidth, int outHeight, const BandSelection &bands,
                      const ContrastStretch &stretch, Resampling resampling = Resampling::Bilinear) const;

    // Drops this dataset's blocks from GDAL's cache (whose default limit is 5 % of RAM): the
    // bands and their mask bands, which GDAL caches separately (readRgb8 reads the mask of the
    // first band: without this, one byte per pixel piles up over a large raster).
    void dropCachedBlocks() const;

    // Values used for the stretch statistics: the smallest overview whose longer side is at
    // least 256 px, or, without overviews, a grid of native-resolution windows.
    std::vector<std::vector<double>> sampleValues(const std::vector<int> &bands) const;

  private:
    Raster() = default;
    std::vector<float> readBandsFloat(const PixelWindow &inside, int bufWidth, int bufHeight,
                                      const std::vector<int> &bands, Resampling resampling) const;

    GdalDatasetPtr mDataset;
    RasterInfo mInfo;
};

} // namespace rsrefseg
