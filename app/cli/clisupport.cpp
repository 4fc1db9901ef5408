#include "clisupport.h"

#include "modelhub/libraryversions.h"

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
    // The command line does not link Qt (it would load QtCore and ICU at every start only to
    // print a number): the Qt line is the version this build was configured with, which is the
    // one rsrefseg-desktop of the same build uses.
    const LibraryVersions v = LibraryVersions::current();
    return std::string("rsrefseg ") + RSREFSEG_VERSION + "\nLibTorch " + v.torch + "\nGDAL " + v.gdal + "\nQt " +
           RSREFSEG_QT_VERSION + " (rsrefseg-desktop; the command line does not use Qt)\nOpenCV " + v.opencv;
}

OpenedModel openModel(const ModelRequest &request)
{
    OpenedModel m = ModelHub::open(request);
    for (const Notice &n : m.notices)
        std::cerr << noticeLine("rsrefseg", n) << "\n";
    return m;
}

} // namespace rsrefseg::cli
