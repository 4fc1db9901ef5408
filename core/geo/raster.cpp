#include "geo/raster.h"

#include "common/error.h"

#include <cpl_conv.h>
#include <cpl_error.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <system_error>

namespace rsrefseg {

namespace {

std::string lastGdalError()
{
    std::string msg = CPLGetLastErrorMsg();
    return msg.empty() ? std::string("unknown GDAL error") : msg;
}

GDALRIOResampleAlg toGdal(Raster::Resampling r)
{
    switch (r) {
    case Raster::Resampling::Nearest: return GRIORA_NearestNeighbour;
    case Raster::Resampling::Bilinear: return GRIORA_Bilinear;
    case Raster::Resampling::Average: return GRIORA_Average;
    }
    return GRIORA_NearestNeighbour;
}

double percentile(std::vector<double> &values, double percent)
{
    if (values.empty())
        return 0.0;
    const double pos = std::clamp(percent, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
    const size_t k = static_cast<size_t>(std::floor(pos));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    const double lo = values[k];
    if (k + 1 >= values.size())
        return lo;
    const double hi = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(k) + 1, values.end());
    return lo + (hi - lo) * (pos - static_cast<double>(k));
}

} // namespace

Raster Raster::open(const std::string &path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool isVsi = path.rfind("/vsi", 0) == 0;
    if (!isVsi) {
        if (!fs::exists(path, ec))
            throw Error("cannot open raster '" + path + "': no such file");
        if (fs::is_directory(path, ec))
            throw Error("cannot open raster '" + path + "': it is a directory, not a raster file");
        if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) == 0)
            throw Error("cannot open raster '" + path + "': the file is empty");
    }

    ensureGdalRegistered();
    GdalQuietErrors quiet;
    Raster raster;
    raster.mDataset.reset(GDALDataset::FromHandle(
        GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
    if (!raster.mDataset) {
        const std::string why = CPLGetLastErrorType() == CE_None ? std::string("not a raster format GDAL can read")
                                                                 : lastGdalError();
        throw Error("cannot open raster '" + path + "': " + why);
    }

    GDALDataset *ds = raster.mDataset.get();
    RasterInfo &info = raster.mInfo;
    info.path = path;
    info.driver = ds->GetDriver() ? ds->GetDriver()->GetDescription() : "";
    info.width = ds->GetRasterXSize();
    info.height = ds->GetRasterYSize();
    if (info.width <= 0 || info.height <= 0)
        throw Error("cannot open raster '" + path + "': it has no pixels");
    const int bandCount = ds->GetRasterCount();
    if (bandCount <= 0) {
        // Containers such as netCDF or HDF hold their rasters as subdatasets.
        const char *first = ds->GetMetadataItem("SUBDATASET_1_NAME", "SUBDATASETS");
        throw Error("'" + path + "' has no raster bands" +
                    (first ? std::string("; it holds subdatasets, open one of them, e.g. ") + first : std::string()));
    }
    for (int i = 1; i <= bandCount; ++i) {
        GDALRasterBand *band = ds->GetRasterBand(i);
        BandInfo b;
        b.index = i;
        b.dataType = GDALGetDataTypeName(band->GetRasterDataType());
        b.colorInterpretation = GDALGetColorInterpretationName(band->GetColorInterpretation());
        int hasNoData = 0;
        const double nd = band->GetNoDataValue(&hasNoData);
        if (hasNoData)
            b.noData = nd;
        b.description = band->GetDescription();
        for (int o = 0; o < band->GetOverviewCount(); ++o) {
            GDALRasterBand *ov = band->GetOverview(o);
            if (ov)
                b.overviews.emplace_back(ov->GetXSize(), ov->GetYSize());
        }
        info.bands.push_back(std::move(b));
    }

    std::array<double, 6> gt{};
    if (ds->GetGeoTransform(gt.data()) == CE_None) {
        info.hasGeoTransform = true;
        info.geoTransform = GeoTransform(gt);
    } else {
        info.geoTransform = GeoTransform::pixelCoordinates();
    }
    if (const OGRSpatialReference *srs = ds->GetSpatialRef()) {
        char *wkt = nullptr;
        const char *options[] = {"FORMAT=WKT2_2018", "MULTILINE=NO", nullptr};
        if (srs->exportToWkt(&wkt, options) == OGRERR_NONE && wkt)
            info.crsWkt = wkt;
        CPLFree(wkt);
        info.crsName = srs->GetName() ? srs->GetName() : "";
        info.isGeographic = srs->IsGeographic();
        if (info.isGeographic) {
            info.units = "degree";
        } else {
            const char *unitName = nullptr;
            srs->GetLinearUnits(&unitName);
            info.units = unitName ? unitName : "";
        }
        OgrSpatialReferencePtr copy(srs->Clone());
        const char *auth = copy->GetAuthorityName(nullptr);
        if (!auth) {
            copy->AutoIdentifyEPSG();
            auth = copy->GetAuthorityName(nullptr);
        }
        if (auth && std::string(auth) == "EPSG" && copy->GetAuthorityCode(nullptr))
            info.epsg = std::atoi(copy->GetAuthorityCode(nullptr));
    }
    if (info.crsWkt.empty())
        info.units = "pixel";
    return raster;
}

std::vector<std::vector<double>> Raster::sampleValues(const std::vector<int> &bands) const
{
    std::vector<std::vector<double>> out(bands.size());
    GDALDataset *ds = mDataset.get();
    GdalQuietErrors quiet;

    auto collect = [&](GDALRasterBand *band, size_t slot, int x, int y, int w, int h, double noData, bool hasNoData) {
        std::vector<double> buf(static_cast<size_t>(w) * static_cast<size_t>(h));
        if (band->RasterIO(GF_Read, x, y, w, h, buf.data(), w, h, GDT_Float64, 0, 0) != CE_None)
            throw Error("cannot read '" + mInfo.path + "' band " + std::to_string(band->GetBand()) + ": " +
                        lastGdalError());
        for (double v : buf)
            if (std::isfinite(v) && !(hasNoData && v == noData))
                out[slot].push_back(v);
    };

    for (size_t i = 0; i < bands.size(); ++i) {
        GDALRasterBand *band = ds->GetRasterBand(bands[i]);
        int hasNoData = 0;
        const double noData = band->GetNoDataValue(&hasNoData);
        // Smallest overview that still has a useful number of pixels.
        GDALRasterBand *best = nullptr;
        for (int o = 0; o < band->GetOverviewCount(); ++o) {
            GDALRasterBand *ov = band->GetOverview(o);
            if (ov && std::max(ov->GetXSize(), ov->GetYSize()) >= 256 &&
                (!best || ov->GetXSize() < best->GetXSize()))
                best = ov;
        }
        if (best && std::max(best->GetXSize(), best->GetYSize()) <= 4096) {
            collect(best, i, 0, 0, best->GetXSize(), best->GetYSize(), noData, hasNoData != 0);
            continue;
        }
        if (static_cast<long long>(mInfo.width) * mInfo.height <= 1024LL * 1024LL) {
            collect(band, i, 0, 0, mInfo.width, mInfo.height, noData, hasNoData != 0);
            continue;
        }
        // No usable overview: an 8 x 8 grid of 128 x 128 native windows (touches few blocks).
        const int grid = 8;
        const int win = 128;
        for (int gy = 0; gy < grid; ++gy)
            for (int gx = 0; gx < grid; ++gx) {
                const int w = std::min(win, mInfo.width);
                const int h = std::min(win, mInfo.height);
                const int x = static_cast<int>((static_cast<long long>(mInfo.width - w) * gx) / (grid - 1));
                const int y = static_cast<int>((static_cast<long long>(mInfo.height - h) * gy) / (grid - 1));
                collect(band, i, x, y, w, h, noData, hasNoData != 0);
            }
    }
    return out;
}

ContrastStretch Raster::computeStretch(const BandSelection &bands, const StretchOptions &options) const
{
    const std::vector<int> distinct = bands.distinctBands();
    StretchOptions::Mode mode = options.mode;
    if (mode == StretchOptions::Mode::Auto) {
        bool allByte = true;
        for (int b : distinct)
            allByte = allByte && mInfo.bands[static_cast<size_t>(b - 1)].dataType == "Byte";
        mode = allByte ? StretchOptions::Mode::None : StretchOptions::Mode::Percentile;
    }
    if (mode == StretchOptions::Mode::None)
        return ContrastStretch::identity(static_cast<int>(distinct.size()));
    if (mode == StretchOptions::Mode::Percentile &&
        !(options.lowPercent >= 0.0 && options.lowPercent < options.highPercent && options.highPercent <= 100.0))
        throw Error("stretch percentiles must satisfy 0 <= low < high <= 100");

    std::vector<std::vector<double>> samples = sampleValues(distinct);
    std::vector<ContrastStretch::Range> ranges;
    for (auto &values : samples) {
        ContrastStretch::Range r;
        if (values.empty()) {
            r = {0.0, 255.0};
        } else if (mode == StretchOptions::Mode::MinMax) {
            const auto mm = std::minmax_element(values.begin(), values.end());
            r = {*mm.first, *mm.second};
        } else {
            r.low = percentile(values, options.lowPercent);
            r.high = percentile(values, options.highPercent);
        }
        ranges.push_back(r);
    }
    return ContrastStretch(std::move(ranges));
}

std::vector<float> Raster::readBandsFloat(const PixelWindow &inside, int bufWidth, int bufHeight,
                                          const std::vector<int> &bands, Resampling resampling) const
{
    std::vector<float> buf(static_cast<size_t>(bufWidth) * static_cast<size_t>(bufHeight) * bands.size());
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = toGdal(resampling);
    std::vector<int> bandList(bands);
    GdalQuietErrors quiet;
    if (mDataset->RasterIO(GF_Read, inside.x, inside.y, inside.width, inside.height, buf.data(), bufWidth, bufHeight,
                           GDT_Float32, static_cast<int>(bandList.size()), bandList.data(), 0, 0, 0, &extra) != CE_None)
        throw Error("cannot read pixels " + std::to_string(inside.x) + "," + std::to_string(inside.y) + " " +
                    std::to_string(inside.width) + "x" + std::to_string(inside.height) + " of '" + mInfo.path +
                    "': " + lastGdalError());
    return buf;
}

void Raster::dropCachedBlocks() const
{
    GDALDataset *ds = mDataset.get();
    ds->FlushCache(false);
    for (int b = 1; b <= ds->GetRasterCount(); ++b)
        if (GDALRasterBand *mask = ds->GetRasterBand(b)->GetMaskBand())
            mask->FlushCache(false);
}

RgbImage Raster::readRgb8(const PixelWindow &window, int outWidth, int outHeight, const BandSelection &bands,
                          const ContrastStretch &stretch, Resampling resampling) const
{
    if (window.isEmpty() || outWidth <= 0 || outHeight <= 0)
        throw Error("readRgb8: empty window or output size");
    RgbImage img;
    img.rgb = cv::Mat(outHeight, outWidth, CV_8UC3, cv::Scalar::all(0));
    img.valid = cv::Mat(outHeight, outWidth, CV_8UC1, cv::Scalar::all(0));

    const PixelWindow inside = window.intersected({0, 0, mInfo.width, mInfo.height});
    if (inside.isEmpty())
        return img;
    // Where the part inside the raster lands in the output buffer.
    const double sx = static_cast<double>(outWidth) / window.width;
    const double sy = static_cast<double>(outHeight) / window.height;
    const int ox0 = static_cast<int>(std::lround((inside.x - window.x) * sx));
    const int oy0 = static_cast<int>(std::lround((inside.y - window.y) * sy));
    const int ox1 = std::min(outWidth, static_cast<int>(std::lround((inside.right() - window.x) * sx)));
    const int oy1 = std::min(outHeight, static_cast<int>(std::lround((inside.bottom() - window.y) * sy)));
    const int bw = ox1 - ox0;
    const int bh = oy1 - oy0;
    if (bw <= 0 || bh <= 0)
        return img;

    const std::vector<int> distinct = bands.distinctBands();
    const std::vector<int> rgbIndex = bands.rgbIndexInDistinct();
    const Resampling effective = (bw == inside.width && bh == inside.height) ? Resampling::Nearest : resampling;
    const std::vector<float> values = readBandsFloat(inside, bw, bh, distinct, effective);

    // GDAL's mask band of the first selected band combines nodata, alpha and internal masks.
    std::vector<unsigned char> mask(static_cast<size_t>(bw) * static_cast<size_t>(bh), 255);
    {
        GdalQuietErrors quiet;
        GDALRasterBand *maskBand = mDataset->GetRasterBand(distinct[0])->GetMaskBand();
        GDALRasterIOExtraArg extra;
        INIT_RASTERIO_EXTRA_ARG(extra);
        extra.eResampleAlg = GRIORA_NearestNeighbour;
        if (maskBand->RasterIO(GF_Read, inside.x, inside.y, inside.width, inside.height, mask.data(), bw, bh,
                               GDT_Byte, 0, 0, &extra) != CE_None)
            throw Error("cannot read the mask of '" + mInfo.path + "': " + lastGdalError());
    }
    std::vector<std::optional<double>> noData;
    for (int b : distinct)
        noData.push_back(mInfo.bands[static_cast<size_t>(b - 1)].noData);

    const size_t plane = static_cast<size_t>(bw) * static_cast<size_t>(bh);
    for (int y = 0; y < bh; ++y) {
        auto *rgbRow = img.rgb.ptr<unsigned char>(oy0 + y);
        auto *validRow = img.valid.ptr<unsigned char>(oy0 + y);
        for (int x = 0; x < bw; ++x) {
            const size_t p = static_cast<size_t>(y) * bw + x;
            bool ok = mask[p] != 0;
            for (size_t d = 0; d < distinct.size() && ok; ++d) {
                const float v = values[d * plane + p];
                ok = std::isfinite(v) && !(noData[d] && static_cast<double>(v) == static_cast<float>(*noData[d]));
            }
            if (!ok)
                continue;
            validRow[ox0 + x] = 255;
            for (int c = 0; c < 3; ++c) {
                const int d = rgbIndex[static_cast<size_t>(c)];
                rgbRow[3 * (ox0 + x) + c] = stretch.apply(d, values[static_cast<size_t>(d) * plane + p]);
            }
        }
    }
    return img;
}

} // namespace rsrefseg
