#include "geo/geotiffwriter.h"

#include "common/error.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>

#include <filesystem>
#include <system_error>

namespace rsrefseg {

namespace {

GDALDataType toGdal(GeoTiffWriter::DataType t)
{
    switch (t) {
    case GeoTiffWriter::DataType::Byte: return GDT_Byte;
    case GeoTiffWriter::DataType::Int32: return GDT_Int32;
    case GeoTiffWriter::DataType::Float32: return GDT_Float32;
    }
    return GDT_Byte;
}

std::string gdalMessage()
{
    const std::string m = CPLGetLastErrorMsg();
    return m.empty() ? std::string("unknown GDAL error") : m;
}

} // namespace

int GeoTiffWriter::cvType(DataType type)
{
    switch (type) {
    case DataType::Byte: return CV_8UC1;
    case DataType::Int32: return CV_32SC1;
    case DataType::Float32: return CV_32FC1;
    }
    return CV_8UC1;
}

std::vector<GeoTiffWriter::ColorEntry> GeoTiffWriter::maskColors()
{
    // TIFF palettes carry no alpha (GDAL reads 255): background is black, nodata is hidden by
    // the nodata value.
    return {{0, {0, 0, 0, 255}, "background"}, {1, {255, 64, 0, 255}, "object"}, {255, {0, 0, 0, 0}, "nodata"}};
}

GeoTiffWriter::GeoTiffWriter(const std::string &path, const RasterGrid &grid, const Options &options)
    : mPath(path)
    , mGrid(grid)
    , mOptions(options)
{
    if (grid.width <= 0 || grid.height <= 0)
        throw Error("cannot write '" + path + "': empty raster grid");
    if (options.blockSize < 16 || options.blockSize % 16 != 0)
        throw Error("cannot write '" + path + "': the block size must be a positive multiple of 16");
    if (!options.colors.empty() && options.type != DataType::Byte)
        throw Error("cannot write '" + path + "': a colour table needs a Byte raster");
    ensureGdalRegistered();

    std::string target = path;
    if (options.atomic) {
        mOutput = std::make_unique<AtomicOutput>(path, options.overwrite);
        target = mOutput->tempPath();
    } else {
        std::error_code ec;
        if (std::filesystem::exists(path, ec) && !options.overwrite)
            throw Error("'" + path + "' already exists (use --overwrite to replace it)");
    }

    GdalQuietErrors quiet;
    GDALDriver *driver = GetGDALDriverManager()->GetDriverByName("GTiff");
    if (!driver)
        throw Error("cannot write '" + path + "': GDAL has no GTiff driver");
    const std::string block = std::to_string(options.blockSize);
    const std::string zlevel = std::to_string(options.deflateLevel);
    char **co = nullptr;
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "BLOCKXSIZE", block.c_str());
    co = CSLSetNameValue(co, "BLOCKYSIZE", block.c_str());
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "ZLEVEL", zlevel.c_str());
    co = CSLSetNameValue(co, "PREDICTOR", options.type == DataType::Float32 ? "3" : "2");
    co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
    mDataset.reset(driver->Create(target.c_str(), grid.width, grid.height, 1, toGdal(options.type), co));
    CSLDestroy(co);
    if (!mDataset)
        throw Error("cannot create '" + path + "': " + gdalMessage());

    if (grid.hasTransform) {
        std::array<double, 6> gt = grid.transform.coefficients();
        if (mDataset->SetGeoTransform(gt.data()) != CE_None)
            throw Error("cannot write the geotransform of '" + path + "': " + gdalMessage());
    }
    if (!grid.crsWkt.empty()) {
        OGRSpatialReference srs;
        if (srs.importFromWkt(grid.crsWkt.c_str()) != OGRERR_NONE)
            throw Error("cannot write '" + path + "': the CRS cannot be parsed");
        if (mDataset->SetSpatialRef(&srs) != CE_None)
            throw Error("cannot write the CRS of '" + path + "': " + gdalMessage());
    }
    GDALRasterBand *band = mDataset->GetRasterBand(1);
    if (options.noData)
        band->SetNoDataValue(*options.noData);
    if (!options.colors.empty()) {
        int maxValue = 0;
        for (const ColorEntry &c : options.colors)
            maxValue = std::max(maxValue, c.value);
        GDALColorTable table;
        for (int v = 0; v <= maxValue; ++v) {
            const GDALColorEntry none{0, 0, 0, 0};
            table.SetColorEntry(v, &none);
        }
        for (const ColorEntry &c : options.colors) {
            const GDALColorEntry e{c.rgba[0], c.rgba[1], c.rgba[2], c.rgba[3]};
            table.SetColorEntry(c.value, &e);
            // Category names would need a .aux.xml side file (GeoTIFF cannot hold them): keep
            // one file, and record the meaning of each value as metadata.
            if (!c.name.empty())
                mDataset->SetMetadataItem(("VALUE_" + std::to_string(c.value)).c_str(), c.name.c_str());
        }
        band->SetColorTable(&table);
        band->SetColorInterpretation(GCI_PaletteIndex);
    }
    if (!options.bandDescription.empty())
        band->SetDescription(options.bandDescription.c_str());
    for (const auto &kv : options.metadata)
        mDataset->SetMetadataItem(kv.first.c_str(), kv.second.c_str());
    if (options.validityMask) {
        CPLSetThreadLocalConfigOption("GDAL_TIFF_INTERNAL_MASK", "YES");
        const CPLErr err = mDataset->CreateMaskBand(GMF_PER_DATASET);
        CPLSetThreadLocalConfigOption("GDAL_TIFF_INTERNAL_MASK", nullptr);
        if (err != CE_None)
            throw Error("cannot create the nodata mask of '" + path + "': " + gdalMessage());
    }
    checkGdal("create");

    const int rows = std::min(options.blockSize, grid.height);
    mBuffer = cv::Mat(rows, grid.width, cvType(options.type), cv::Scalar::all(0));
    if (options.validityMask)
        mValidBuffer = cv::Mat(rows, grid.width, CV_8UC1, cv::Scalar::all(0));
}

GeoTiffWriter::~GeoTiffWriter()
{
    // Close before AtomicOutput removes the temporary folder (or remove the direct file). An
    // abandoned file's close errors (disk full) are expected: keep them off the console.
    {
        GdalQuietErrors quiet;
        mDataset.reset();
    }
    if (!mCommitted && !mOptions.atomic) {
        std::error_code ec;
        std::filesystem::remove(mPath, ec);
    }
}

void GeoTiffWriter::checkGdal(const std::string &what)
{
    if (CPLGetLastErrorType() >= CE_Failure)
        throw Error("cannot write '" + mPath + "' (" + what + "): " + gdalMessage());
}

void GeoTiffWriter::writeRows(int y, const cv::Mat &rows, const cv::Mat &validity)
{
    if (mClosed || !mDataset)
        throw Error("cannot write '" + mPath + "': the writer is closed");
    if (y != mRowsWritten)
        throw Error("GeoTiffWriter '" + mPath + "': rows must be written in order (expected row " +
                    std::to_string(mRowsWritten) + ", got " + std::to_string(y) + ")");
    if (rows.cols != mGrid.width || rows.type() != cvType(mOptions.type))
        throw Error("GeoTiffWriter '" + mPath + "': rows of the wrong width or type");
    if (y + rows.rows > mGrid.height)
        throw Error("GeoTiffWriter '" + mPath + "': rows past the end of the raster");
    if (mOptions.validityMask && (validity.rows != rows.rows || validity.cols != rows.cols || validity.type() != CV_8UC1))
        throw Error("GeoTiffWriter '" + mPath + "': a validity image of the rows' size is needed");

    int done = 0;
    while (done < rows.rows) {
        const int n = std::min(rows.rows - done, mBuffer.rows - mBufferRows);
        rows.rowRange(done, done + n).copyTo(mBuffer.rowRange(mBufferRows, mBufferRows + n));
        if (mOptions.validityMask)
            validity.rowRange(done, done + n).copyTo(mValidBuffer.rowRange(mBufferRows, mBufferRows + n));
        mBufferRows += n;
        done += n;
        mRowsWritten += n;
        if (mBufferRows == mBuffer.rows || mRowsWritten == mGrid.height)
            flushBuffer();
    }
}

void GeoTiffWriter::flushBuffer()
{
    if (mBufferRows == 0)
        return;
    GdalQuietErrors quiet;
    GDALRasterBand *band = mDataset->GetRasterBand(1);
    if (band->RasterIO(GF_Write, 0, mBufferY, mGrid.width, mBufferRows, mBuffer.data, mGrid.width, mBufferRows,
                       toGdal(mOptions.type), 0, static_cast<GSpacing>(mBuffer.step[0]), nullptr) != CE_None)
        throw Error("cannot write '" + mPath + "': " + gdalMessage());
    if (mOptions.validityMask &&
        band->GetMaskBand()->RasterIO(GF_Write, 0, mBufferY, mGrid.width, mBufferRows, mValidBuffer.data, mGrid.width,
                                      mBufferRows, GDT_Byte, 0, static_cast<GSpacing>(mValidBuffer.step[0]),
                                      nullptr) != CE_None)
        throw Error("cannot write the nodata mask of '" + mPath + "': " + gdalMessage());
    // Write the finished blocks now and drop them from GDAL's cache: memory stays one block row.
    mDataset->FlushCache(false);
    checkGdal("flush");
    mBufferY += mBufferRows;
    mBufferRows = 0;
}

void GeoTiffWriter::close()
{
    if (mClosed)
        return;
    if (mRowsWritten != mGrid.height)
        throw Error("cannot finish '" + mPath + "': " + std::to_string(mRowsWritten) + " of " +
                    std::to_string(mGrid.height) + " rows written");
    flushBuffer();
    {
        GdalQuietErrors quiet;
        GDALDataset *ds = mDataset.release();
        GDALClose(GDALDataset::ToHandle(ds)); // close flushes; errors here (disk full) must be seen
        checkGdal("close");
    }
    mClosed = true;
}

void GeoTiffWriter::commit()
{
    if (mCommitted)
        return;
    close();
    if (mOutput)
        mOutput->commit();
    mCommitted = true;
}

} // namespace rsrefseg
