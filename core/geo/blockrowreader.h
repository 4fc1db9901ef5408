// BlockRowReader: reads one band of a raster from top to bottom in blocks of rows, dropping
// each block from GDAL's cache once it has been handed out, so that passes over huge rasters
// (post-processing of masks, polygon statistics) use one block row of memory.
//
//   BlockRowReader r("mask.tif", 1, CV_8UC1);
//   cv::Mat rows;
//   for (int y = 0; r.next(rows, y); ) use(rows, y);   // rows.rows <= blockRows()
#pragma once

#include "geo/gdalhandles.h"

#include <opencv2/core/mat.hpp>

#include <string>

namespace rsrefseg {

class BlockRowReader
{
  public:
    // `cvType`: CV_8UC1, CV_32SC1 or CV_32FC1 (values converted by GDAL). blockRows <= 0: the
    // band's block height (at least 64 rows).
    BlockRowReader(const std::string &path, int band, int cvType, int blockRows = 0);

    int width() const { return mWidth; }
    int height() const { return mHeight; }
    int blockRows() const { return mBlockRows; }
    // Next block of rows into `rows` (reallocated as needed); `y` = its first row. False at the end.
    bool next(cv::Mat &rows, int &y);

  private:
    std::string mPath;
    GdalDatasetPtr mDataset;
    int mBand = 1;
    int mCvType = 0;
    int mWidth = 0;
    int mHeight = 0;
    int mBlockRows = 0;
    int mNextRow = 0;
};

} // namespace rsrefseg
