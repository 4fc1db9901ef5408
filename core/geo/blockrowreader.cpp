#include "geo/blockrowreader.h"

#include "common/error.h"

#include <cpl_error.h>

#include <algorithm>

namespace rsrefseg {

namespace {

GDALDataType gdalType(int cvType)
{
    switch (cvType) {
    case CV_8UC1: return GDT_Byte;
    case CV_32SC1: return GDT_Int32;
    case CV_32FC1: return GDT_Float32;
    default: throw Error("BlockRowReader: unsupported pixel type");
    }
}

} // namespace

BlockRowReader::BlockRowReader(const std::string &path, int band, int cvType, int blockRows)
    : mPath(path)
    , mBand(band)
    , mCvType(cvType)
{
    gdalType(cvType);
    ensureGdalRegistered();
    GdalQuietErrors quiet;
    mDataset.reset(GDALDataset::FromHandle(GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr,
                                                      nullptr)));
    if (!mDataset)
        throw Error("cannot open '" + path + "': " + CPLGetLastErrorMsg());
    if (band < 1 || band > mDataset->GetRasterCount())
        throw Error("'" + path + "' has no band " + std::to_string(band));
    mWidth = mDataset->GetRasterXSize();
    mHeight = mDataset->GetRasterYSize();
    if (blockRows <= 0) {
        int bx = 0;
        int by = 0;
        mDataset->GetRasterBand(band)->GetBlockSize(&bx, &by);
        blockRows = std::max(64, by);
    }
    mBlockRows = blockRows;
}

bool BlockRowReader::next(cv::Mat &rows, int &y)
{
    if (mNextRow >= mHeight)
        return false;
    const int n = std::min(mBlockRows, mHeight - mNextRow);
    rows.create(n, mWidth, mCvType);
    GdalQuietErrors quiet;
    if (mDataset->GetRasterBand(mBand)->RasterIO(GF_Read, 0, mNextRow, mWidth, n, rows.data, mWidth, n,
                                                 gdalType(mCvType), 0, static_cast<GSpacing>(rows.step[0]),
                                                 nullptr) != CE_None)
        throw Error("cannot read rows " + std::to_string(mNextRow) + "-" + std::to_string(mNextRow + n - 1) + " of '" +
                    mPath + "': " + CPLGetLastErrorMsg());
    mDataset->FlushCache(false); // read once: drop the blocks again
    y = mNextRow;
    mNextRow += n;
    return true;
}

} // namespace rsrefseg
