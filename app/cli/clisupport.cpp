#include "clisupport.h"

#include <gdal.h>
#include <opencv2/core/version.hpp>
#include <torch/version.h>

#include <iostream>

namespace rsrefseg::cli {

Raster openRaster(const std::string &path)
{
    Raster raster = Raster::open(path);
    const RasterInfo &info = raster.info();
    if (!info.isGeoreferenced())
        std::cerr << "rsrefseg: note: '" << path << "' has no georeference"
                  << (info.hasGeoTransform ? " (a geotransform but no CRS)" : "")
                  << "; coordinates are pixels (x right, y up from the top-left corner, as QGIS shows it)\n";
    return raster;
}

BandSelection selectBands(const Raster &raster, const std::string &bandsOption)
{
    if (bandsOption.empty())
        return BandSelection::automatic(raster.info());
    return BandSelection::parse(bandsOption, raster.info());
}

std::string versionText()
{
    return std::string("rsrefseg ") + RSREFSEG_VERSION + "\nLibTorch " + TORCH_VERSION + "\nGDAL " +
           GDALVersionInfo("RELEASE_NAME") + "\nOpenCV " + CV_VERSION;
}

} // namespace rsrefseg::cli
