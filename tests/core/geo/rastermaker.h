// RasterMaker: small rasters written with GDAL for the tests (UTM, geographic, none;
// Byte/UInt16/Float32; any band count; optional nodata and colour interpretations).
#pragma once

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <functional>
#include <string>
#include <vector>

namespace rsrefseg::test {

struct RasterSpec
{
    int width = 64;
    int height = 48;
    int bands = 3;
    GDALDataType type = GDT_Byte;
    int epsg = 32633;            // 0 = no CRS and no geotransform
    double originX = 500000.0;
    double originY = 5000000.0;
    double pixel = 0.5;
    bool hasNoData = false;
    double noData = 0.0;
    std::vector<GDALColorInterp> colors; // per band, optional
    std::string driver = "GTiff";
    // value(band 1-based, x, y)
    std::function<double(int, int, int)> value = [](int b, int x, int y) { return (x + 2 * y + 10 * b) % 256; };
    bool overviews = false;
};

inline std::string makeRaster(const std::string &path, const RasterSpec &s)
{
    GDALAllRegister();
    GDALDriver *drv = GetGDALDriverManager()->GetDriverByName(s.driver == "PNG" ? "MEM" : s.driver.c_str());
    GDALDataset *ds = drv->Create(s.driver == "PNG" ? "" : path.c_str(), s.width, s.height, s.bands, s.type, nullptr);
    if (s.epsg != 0) {
        double gt[6] = {s.originX, s.pixel, 0.0, s.originY, 0.0, s.epsg == 4326 ? -s.pixel : -s.pixel};
        ds->SetGeoTransform(gt);
        OGRSpatialReference srs;
        srs.importFromEPSG(s.epsg);
        ds->SetSpatialRef(&srs);
    }
    for (int b = 1; b <= s.bands; ++b) {
        GDALRasterBand *band = ds->GetRasterBand(b);
        std::vector<double> row(static_cast<size_t>(s.width));
        for (int y = 0; y < s.height; ++y) {
            for (int x = 0; x < s.width; ++x)
                row[static_cast<size_t>(x)] = s.value(b, x, y);
            if (band->RasterIO(GF_Write, 0, y, s.width, 1, row.data(), s.width, 1, GDT_Float64, 0, 0) != CE_None)
                return {};
        }
        if (s.hasNoData)
            band->SetNoDataValue(s.noData);
        if (static_cast<int>(s.colors.size()) >= b)
            band->SetColorInterpretation(s.colors[static_cast<size_t>(b - 1)]);
    }
    if (s.overviews) {
        int levels[] = {2, 4};
        if (ds->BuildOverviews("NEAREST", 2, levels, 0, nullptr, nullptr, nullptr) != CE_None)
            return {};
    }
    if (s.driver == "PNG") {
        GDALDriver *png = GetGDALDriverManager()->GetDriverByName("PNG");
        GDALDataset *out = png->CreateCopy(path.c_str(), ds, FALSE, nullptr, nullptr, nullptr);
        GDALClose(out);
    }
    GDALClose(ds);
    return path;
}

// A netCDF container with two variables: GDAL opens it as a raster with 0 bands (the rasters
// are subdatasets). Returns false when it cannot be written.
inline bool makeNoBandContainer(const std::string &path)
{
    GDALAllRegister();
    GDALDriver *nc = GetGDALDriverManager()->GetDriverByName("netCDF");
    if (!nc)
        return false;
    GDALDataset *ds = nc->CreateMultiDimensional(path.c_str(), nullptr, nullptr);
    if (!ds)
        return false;
    auto root = ds->GetRootGroup();
    auto dy = root->CreateDimension("y", "", "", 5);
    auto dx = root->CreateDimension("x", "", "", 6);
    root->CreateMDArray("a", {dy, dx}, GDALExtendedDataType::Create(GDT_Float32));
    root->CreateMDArray("b", {dy, dx}, GDALExtendedDataType::Create(GDT_Float32));
    delete ds;
    return true;
}

} // namespace rsrefseg::test
