#include "clisupport.h"

#include "common/error.h"

#include <gdal.h>
#include <opencv2/core/version.hpp>
#include <torch/version.h>

#include <filesystem>
#include <iostream>
#include <system_error>

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
    return std::string("rsrefseg ") + RSREFSEG_VERSION + "\nLibTorch " + TORCH_VERSION + "\nGDAL " +
           GDALVersionInfo("RELEASE_NAME") + "\nQt " + RSREFSEG_QT_VERSION +
           " (rsrefseg-desktop; the command line does not use Qt)\nOpenCV " + CV_VERSION;
}

namespace {

std::filesystem::path bundledModelsRoot()
{
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {};
    return exe.parent_path().parent_path() / "share" / "rsrefseg" / "models";
}

} // namespace

std::string bundledModelDir()
{
    const std::filesystem::path root = bundledModelsRoot();
    if (root.empty())
        return {};
    for (const char *name : {"demo", "golden-tiny"}) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(root / name / "manifest.json", ec))
            return (root / name).lexically_normal().string();
    }
    return {};
}

std::string resolveModelDir(const std::string &modelOption)
{
    if (!modelOption.empty())
        return modelOption;
    const std::string dir = bundledModelDir();
    if (dir.empty())
        throw Error("no --model given and no bundled model in " + (bundledModelsRoot() / "demo").string() +
                    " or " + (bundledModelsRoot() / "golden-tiny").string() +
                    "; give --model BUNDLE ('rsrefseg model import' makes one)");
    std::cerr << "rsrefseg: note: using the bundled model " << dir << "\n";
    return dir;
}

} // namespace rsrefseg::cli
