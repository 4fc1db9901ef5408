#include "geo/benchmarkscene.h"

#include "common/error.h"
#include "geo/atomicoutput.h"
#include "geo/gdalhandles.h"

#include <cpl_error.h>
#include <cpl_string.h>

#include <algorithm>
#include <vector>

namespace rsrefseg {

namespace {

std::string gdalMessage()
{
    const std::string m = CPLGetLastErrorMsg();
    return m.empty() ? std::string("unknown GDAL error") : m;
}

GdalDatasetPtr create(const std::string &target, const std::string &path, int size)
{
    GDALDriver *driver = GetGDALDriverManager()->GetDriverByName("GTiff");
    if (!driver)
        throw Error("cannot create benchmark raster '" + path + "': GDAL has no GTiff driver");
    char **co = nullptr;
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "ZLEVEL", "1");
    co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
    GdalDatasetPtr ds(driver->Create(target.c_str(), size, size, BenchmarkScene::kBands, GDT_Byte, co));
    CSLDestroy(co);
    if (!ds)
        throw Error("cannot create benchmark raster '" + path + "': " + gdalMessage());
    double gt[6] = {500000.0, 0.5, 0.0, 5000000.0, 0.0, -0.5};
    OGRSpatialReference srs;
    if (ds->SetGeoTransform(gt) != CE_None || srs.importFromEPSG(BenchmarkScene::kEpsg) != OGRERR_NONE ||
        ds->SetSpatialRef(&srs) != CE_None)
        throw Error("cannot georeference benchmark raster '" + path + "': " + gdalMessage());
    return ds;
}

} // namespace

void BenchmarkScene::write(const std::string &path, int size)
{
    if (size <= 0)
        throw Error("cannot create benchmark raster '" + path + "': the size must be positive, not " +
                    std::to_string(size));
    ensureGdalRegistered();
    AtomicOutput output(path, /*overwrite*/ true);
    GdalQuietErrors quiet;
    GdalDatasetPtr ds = create(output.tempPath(), path, size);
    // One row block of pixels at a time (band-sequential), flushed to disk after each.
    const int rows = 256;
    std::vector<uint8_t> buf(static_cast<size_t>(size) * std::min(rows, size) * kBands);
    for (int y0 = 0; y0 < size; y0 += rows) {
        const int n = std::min(rows, size - y0);
        for (int b = 0; b < kBands; ++b)
            for (int r = 0; r < n; ++r)
                for (int x = 0; x < size; ++x)
                    buf[(static_cast<size_t>(b) * n + r) * size + x] = value(x, y0 + r, b);
        if (ds->RasterIO(GF_Write, 0, y0, size, n, buf.data(), size, n, GDT_Byte, kBands, nullptr, 0, 0, 0) != CE_None)
            throw Error("cannot write benchmark raster '" + path + "': " + gdalMessage());
        ds->FlushCache(false);
        if (CPLGetLastErrorType() >= CE_Failure)
            throw Error("cannot write benchmark raster '" + path + "': " + gdalMessage());
    }
    GDALClose(GDALDataset::ToHandle(ds.release())); // close flushes: a full disk shows here
    if (CPLGetLastErrorType() >= CE_Failure)
        throw Error("cannot write benchmark raster '" + path + "': " + gdalMessage());
    output.commit();
}

} // namespace rsrefseg
