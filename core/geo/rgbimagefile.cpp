#include "geo/rgbimagefile.h"

#include "common/error.h"
#include "geo/gdalhandles.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace rsrefseg {

namespace {

// Opens a raster read-only with GDAL's own messages kept off stderr (they go into the error).
GdalDatasetPtr openImage(const std::string &path)
{
    ensureGdalRegistered();
    if (!fs::is_regular_file(path))
        throw Error("image " + path + ": no such file");
    std::string gdalMessage;
    GDALDatasetH handle = nullptr;
    {
        GdalQuietErrors quiet;
        // Avoid listing the folder for side-car files: RRSIS-D has 17k images in one folder.
        CPLSetThreadLocalConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
        handle = GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
        CPLSetThreadLocalConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", nullptr);
        gdalMessage = CPLGetLastErrorMsg();
    }
    if (!handle)
        throw Error("image " + path + ": cannot be read as a raster" +
                    (gdalMessage.empty() ? std::string() : " (" + gdalMessage + ")"));
    return GdalDatasetPtr(GDALDataset::FromHandle(handle));
}

std::string gdalError()
{
    const std::string message = CPLGetLastErrorMsg();
    return message.empty() ? std::string("unknown GDAL error") : message;
}

void renameInto(const fs::path &temp, const fs::path &target)
{
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec) {
        fs::remove(temp, ec);
        throw Error("cannot rename " + temp.string() + " to " + target.string() + ": " + ec.message());
    }
}

// Georeferences and fills a freshly created dataset; returns what failed ("" when nothing).
std::string fillGeoTiff(GDALDatasetH ds, const cv::Mat &rgb, const GeoTransform &transform, int epsg)
{
    std::string failure;
    double coefficients[6];
    std::copy(transform.coefficients().begin(), transform.coefficients().end(), coefficients);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    char *wkt = nullptr;
    if (OSRImportFromEPSG(srs, epsg) != OGRERR_NONE || OSRExportToWkt(srs, &wkt) != OGRERR_NONE)
        failure = "cannot build EPSG:" + std::to_string(epsg) + ": " + gdalError();
    if (failure.empty() &&
        (GDALSetGeoTransform(ds, coefficients) != CE_None || GDALSetProjection(ds, wkt) != CE_None))
        failure = "cannot georeference: " + gdalError();
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    if (failure.empty()) {
        int bandMap[3] = {1, 2, 3};
        cv::Mat contiguous = rgb.isContinuous() ? rgb : rgb.clone();
        if (GDALDatasetRasterIO(ds, GF_Write, 0, 0, rgb.cols, rgb.rows, contiguous.data, rgb.cols, rgb.rows,
                                GDT_Byte, 3, bandMap, 3, static_cast<int>(contiguous.step[0]), 1) != CE_None)
            failure = "cannot write pixels: " + gdalError();
    }
    return failure;
}

} // namespace

cv::Size RgbImageFile::readSize(const std::string &path)
{
    GdalDatasetPtr ds = openImage(path);
    return cv::Size(ds->GetRasterXSize(), ds->GetRasterYSize());
}

cv::Mat RgbImageFile::readRgb(const std::string &path)
{
    GdalDatasetPtr ds = openImage(path);
    GDALDatasetH h = GDALDataset::ToHandle(ds.get());
    const int w = GDALGetRasterXSize(h), ht = GDALGetRasterYSize(h);
    const int bands = GDALGetRasterCount(h);
    if (bands < 1)
        throw Error("image " + path + ": has no raster band");
    for (int b = 1; b <= std::min(bands, 3); ++b)
        if (GDALGetRasterDataType(GDALGetRasterBand(h, b)) != GDT_Byte)
            throw Error("image " + path + ": band " + std::to_string(b) +
                        " is not 8-bit; data set images must be 8-bit");
    cv::Mat rgb(ht, w, CV_8UC3);
    // Bands 1..3, or band 1 three times for grey (and grey + alpha) images.
    int bandMap[3] = {1, 2, 3};
    if (bands < 3)
        bandMap[1] = bandMap[2] = 1;
    CPLErr err = CE_None;
    std::string gdalMessage;
    {
        GdalQuietErrors quiet;
        err = GDALDatasetRasterIO(h, GF_Read, 0, 0, w, ht, rgb.data, w, ht, GDT_Byte, 3, bandMap, 3,
                                  static_cast<int>(rgb.step[0]), 1);
        gdalMessage = CPLGetLastErrorMsg();
    }
    if (err != CE_None)
        throw Error("image " + path + ": read failed (" + gdalMessage + ")");
    return rgb;
}

void RgbImageFile::writeGeoTiff(const std::string &path, const cv::Mat &rgb, const GeoTransform &transform, int epsg)
{
    ensureGdalRegistered();
    GDALDriverH driver = GDALGetDriverByName("GTiff");
    if (!driver)
        throw Error("GDAL has no GTiff driver (needed for " + path + ")");
    const fs::path temp = path + ".part";
    const char *options[] = {"COMPRESS=DEFLATE", "PREDICTOR=2", "TILED=YES", "PHOTOMETRIC=RGB", nullptr};
    CPLErrorReset();
    GDALDatasetH ds =
        GDALCreate(driver, temp.c_str(), rgb.cols, rgb.rows, 3, GDT_Byte, const_cast<char **>(options));
    if (!ds)
        throw Error("cannot create " + temp.string() + ": " + gdalError());
    std::string failure = fillGeoTiff(ds, rgb, transform, epsg);
    GDALClose(ds);
    if (failure.empty() && CPLGetLastErrorType() >= CE_Failure)
        failure = gdalError();
    if (!failure.empty()) {
        std::error_code ec;
        fs::remove(temp, ec);
        throw Error(path + ": " + failure);
    }
    renameInto(temp, path);
}

} // namespace rsrefseg
