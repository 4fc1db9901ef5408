// Helpers for the engine tests: synthetic scenes whose expected mask is known (objects are
// bright in one channel; ColourTestModel marks exactly the pixels >= 128 of the queried
// channel), and readers for what the engine wrote (bands, grids, polygons).
#pragma once

#include "../geo/rastermaker.h"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <opencv2/core.hpp>

#include <QDir>
#include <QString>
#include <QStringList>

#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rsrefseg::test {

struct SceneBox
{
    int x = 0;
    int y = 0;
    int w = 0;
    int h = 0;
    int channel = 0;    // 0 red, 1 green, 2 blue: the bright one
    bool hole = false;  // a background box cut out of the objects drawn before it
};

// R, G, B of pixel (x, y) of a scene: background 40..89 (never object), boxes at 200.
inline std::array<int, 3> sceneRgb(const std::vector<SceneBox> &boxes, int x, int y)
{
    const int bg = 40 + (x * 7 + y * 3) % 50;
    std::array<int, 3> v{bg, bg, bg};
    for (const SceneBox &b : boxes)
        if (x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h) {
            if (b.hole)
                v = {bg, bg, bg};
            else
                v[static_cast<size_t>(b.channel)] = 200;
        }
    return v;
}

inline RasterSpec sceneSpec(int width, int height, const std::vector<SceneBox> &boxes, int epsg = 32633,
                            GDALDataType type = GDT_Byte, double scale = 1.0)
{
    RasterSpec s;
    s.width = width;
    s.height = height;
    s.bands = 3;
    s.type = type;
    s.epsg = epsg;
    if (epsg == 4326) {
        s.originX = 10.0;
        s.originY = 50.0;
        s.pixel = 0.0001;
    }
    s.value = [boxes, scale](int b, int x, int y) { return sceneRgb(boxes, x, y)[static_cast<size_t>(b - 1)] * scale; };
    return s;
}

// Expected mask for a channel (-1: mean of the three) of a scene: 1 where the value >= 128.
inline cv::Mat expectedMask(const std::vector<SceneBox> &boxes, int width, int height, int channel)
{
    cv::Mat m(height, width, CV_8UC1);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const auto v = sceneRgb(boxes, x, y);
            const double c = channel >= 0 ? v[static_cast<size_t>(channel)] : (v[0] + v[1] + v[2]) / 3.0;
            m.at<uint8_t>(y, x) = c >= 128.0 ? 1 : 0;
        }
    return m;
}

struct RasterRead
{
    int width = 0;
    int height = 0;
    std::array<double, 6> gt{};
    bool hasGt = false;
    std::string epsg;
    std::string wkt;
    cv::Mat band; // CV_8UC1 / CV_32FC1 / CV_32SC1 per type
    std::optional<double> noData;
    std::string compression;
    bool hasColorTable = false;
    int blockX = 0;
    int blockY = 0;
    int maskFlags = 0;
    cv::Mat mask; // GDAL mask band (0 / 255)
};

inline RasterRead readRaster(const std::string &path, int cvType = CV_8UC1)
{
    RasterRead r;
    GDALAllRegister();
    GDALDataset *ds = GDALDataset::FromHandle(GDALOpen(path.c_str(), GA_ReadOnly));
    if (!ds)
        return r;
    r.width = ds->GetRasterXSize();
    r.height = ds->GetRasterYSize();
    r.hasGt = ds->GetGeoTransform(r.gt.data()) == CE_None;
    if (const OGRSpatialReference *srs = ds->GetSpatialRef()) {
        OGRSpatialReference c(*srs);
        c.AutoIdentifyEPSG();
        if (c.GetAuthorityCode(nullptr))
            r.epsg = c.GetAuthorityCode(nullptr);
        char *wkt = nullptr;
        c.exportToWkt(&wkt);
        r.wkt = wkt ? wkt : "";
        CPLFree(wkt);
    }
    GDALRasterBand *b = ds->GetRasterBand(1);
    int has = 0;
    const double nd = b->GetNoDataValue(&has);
    if (has)
        r.noData = nd;
    const char *comp = ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE");
    r.compression = comp ? comp : "";
    r.hasColorTable = b->GetColorTable() != nullptr;
    b->GetBlockSize(&r.blockX, &r.blockY);
    r.band = cv::Mat(r.height, r.width, cvType);
    const GDALDataType t = cvType == CV_8UC1 ? GDT_Byte : cvType == CV_32FC1 ? GDT_Float32 : GDT_Int32;
    if (b->RasterIO(GF_Read, 0, 0, r.width, r.height, r.band.data, r.width, r.height, t, 0, 0) != CE_None)
        r.band.release();
    r.maskFlags = b->GetMaskFlags();
    r.mask = cv::Mat(r.height, r.width, CV_8UC1);
    if (b->GetMaskBand()->RasterIO(GF_Read, 0, 0, r.width, r.height, r.mask.data, r.width, r.height, GDT_Byte, 0, 0) !=
        CE_None)
        r.mask.release();
    GDALClose(ds);
    return r;
}

struct Feature
{
    std::unique_ptr<OGRGeometry> geometry;
    std::map<std::string, std::string> text;
    std::map<std::string, double> number;
};

struct VectorRead
{
    std::vector<Feature> features;
    std::string epsg;
    std::string layerName;
};

inline VectorRead readVector(const std::string &path)
{
    VectorRead v;
    GDALAllRegister();
    GDALDataset *ds = GDALDataset::FromHandle(GDALOpenEx(path.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
    if (!ds)
        return v;
    OGRLayer *layer = ds->GetLayer(0);
    v.layerName = layer->GetName();
    if (OGRSpatialReference *srs = layer->GetSpatialRef()) {
        OGRSpatialReference c(*srs);
        c.AutoIdentifyEPSG();
        if (c.GetAuthorityCode(nullptr))
            v.epsg = c.GetAuthorityCode(nullptr);
    }
    layer->ResetReading();
    while (OGRFeature *f = layer->GetNextFeature()) {
        Feature out;
        out.geometry.reset(f->GetGeometryRef() ? f->GetGeometryRef()->clone() : nullptr);
        for (int i = 0; i < f->GetFieldCount(); ++i) {
            const OGRFieldDefn *d = f->GetFieldDefnRef(i);
            out.text[d->GetNameRef()] = f->GetFieldAsString(i);
            if (d->GetType() == OFTReal || d->GetType() == OFTInteger || d->GetType() == OFTInteger64)
                out.number[d->GetNameRef()] = f->GetFieldAsDouble(i);
        }
        v.features.push_back(std::move(out));
        OGRFeature::DestroyFeature(f);
    }
    GDALClose(ds);
    return v;
}

// A tiled, DEFLATE-compressed GeoTIFF (square blocks of `block` px) of `spec` with the compressed bytes
// of the listed blocks (column, row) overwritten mid-file: the header and every other block
// stay valid, so the file opens and only reads touching those blocks fail.
inline std::string corruptTiledRaster(const std::string &path, const RasterSpec &spec, int block,
                                      const std::vector<std::pair<int, int>> &blocks)
{
    const std::string plain = path + ".plain.tif";
    makeRaster(plain, spec);
    GDALDataset *src = GDALDataset::FromHandle(GDALOpen(plain.c_str(), GA_ReadOnly));
    const std::string bx = std::to_string(block);
    std::vector<std::string> keep = {"TILED=YES", "BLOCKXSIZE=" + bx, "BLOCKYSIZE=" + bx, "COMPRESS=DEFLATE"};
    std::vector<char *> opts;
    for (std::string &o : keep)
        opts.push_back(o.data());
    opts.push_back(nullptr);
    GDALDataset *dst = GetGDALDriverManager()->GetDriverByName("GTiff")->CreateCopy(path.c_str(), src, FALSE,
                                                                                    opts.data(), nullptr, nullptr);
    GDALClose(src);
    if (!dst)
        return {};
    GDALClose(dst); // the block offsets are known once the file is written: read them back
    dst = GDALDataset::FromHandle(GDALOpen(path.c_str(), GA_ReadOnly));
    if (!dst)
        return {};
    std::vector<std::pair<long, long>> spans;
    for (const auto &b : blocks) {
        const std::string suffix = std::to_string(b.first) + "_" + std::to_string(b.second);
        const char *offset = dst->GetRasterBand(1)->GetMetadataItem(("BLOCK_OFFSET_" + suffix).c_str(), "TIFF");
        const char *size = dst->GetRasterBand(1)->GetMetadataItem(("BLOCK_SIZE_" + suffix).c_str(), "TIFF");
        if (!offset || !size) {
            GDALClose(dst);
            return {};
        }
        spans.push_back({std::stol(offset), std::stol(size)});
    }
    GDALClose(dst);
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    for (const auto &s : spans) {
        // Keep the 2-byte zlib header; 0xFF starts a deflate block of the reserved type 3.
        f.seekp(s.first + 2);
        f << std::string(static_cast<size_t>(s.second - 2), '\xff');
    }
    return f.good() ? path : std::string();
}

// Hidden entries (scratch folders, temporary outputs) in a folder.
inline QStringList leftovers(const QString &dir)
{
    return QDir(dir).entryList(QStringList() << ".*", QDir::Hidden | QDir::AllEntries | QDir::NoDotAndDotDot);
}

inline double sigmoid(double x)
{
    return 1.0 / (1.0 + std::exp(-x));
}

} // namespace rsrefseg::test
