// GeoTiffWriter: a single-band GeoTIFF on a RasterGrid, written row block by row block so that
// memory stays bounded whatever the raster size (one block row of buffer; finished blocks are
// flushed out of GDAL's cache), tiled 256 x 256 and DEFLATE-compressed, and atomic
// (AtomicOutput: nothing appears at the path until commit(); a writer destroyed uncommitted
// leaves nothing behind).
//
//   GeoTiffWriter::Options o;                          // Byte, mask colour table, nodata 255
//   o.colors = GeoTiffWriter::maskColors(); o.noData = 255;
//   GeoTiffWriter w("mask.tif", grid, o);
//   for (int y = 0; y < grid.height; y += n) w.writeRows(y, rows);   // CV_8UC1, in order
//   w.commit();                                         // throws (disk full...) and cleans up
//
// Write errors (disk full, file size limits, I/O errors) are detected at every block and at
// close and reported as rsrefseg::Error naming the output.
#pragma once

#include "geo/atomicoutput.h"
#include "geo/gdalhandles.h"
#include "geo/rastergrid.h"

#include <opencv2/core/mat.hpp>

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

class GeoTiffWriter
{
  public:
    enum class DataType { Byte, Int32, Float32 };

    struct ColorEntry
    {
        int value = 0;
        std::array<short, 4> rgba{0, 0, 0, 255};
        std::string name; // meaning, written as metadata VALUE_<value>; may be empty
    };

    struct Options
    {
        DataType type = DataType::Byte;
        std::optional<double> noData;
        std::vector<ColorEntry> colors; // palette (Byte only)
        // An internal per-dataset mask band (GDAL/QGIS "nodata mask"): writeRows() then takes
        // a validity image (CV_8UC1, 0 = nodata). For types where no value can be spared.
        bool validityMask = false;
        int blockSize = 256;
        int deflateLevel = 6; // 1 for scratch files (fast), 6 for user outputs
        bool overwrite = false;
        bool atomic = true; // false: write straight to the path (scratch files in a work folder)
        std::string bandDescription;
        std::map<std::string, std::string> metadata;
    };

    GeoTiffWriter(const std::string &path, const RasterGrid &grid, const Options &options);
    ~GeoTiffWriter();
    GeoTiffWriter(const GeoTiffWriter &) = delete;
    GeoTiffWriter &operator=(const GeoTiffWriter &) = delete;

    // Rows [y, y + rows.rows) of the raster; calls must come in row order without gaps.
    // `rows`: width columns, CV_8UC1 / CV_32SC1 / CV_32FC1 for Byte / Int32 / Float32.
    void writeRows(int y, const cv::Mat &rows, const cv::Mat &validity = cv::Mat());
    int rowsWritten() const { return mRowsWritten; }
    const std::string &path() const { return mPath; }
    const RasterGrid &grid() const { return mGrid; }

    // Every row must have been written. Flushes, closes and checks for write errors (disk
    // full shows here); the file stays temporary. commit() closes if needed, then renames.
    void close();
    void commit();

    // The segmentation mask palette: 0 background (transparent), 1 object, 255 nodata.
    static std::vector<ColorEntry> maskColors();
    static int cvType(DataType type);

  private:
    void flushBuffer();
    void checkGdal(const std::string &what);

    std::string mPath;
    RasterGrid mGrid;
    Options mOptions;
    std::unique_ptr<AtomicOutput> mOutput;
    GdalDatasetPtr mDataset;
    cv::Mat mBuffer;      // one block row
    cv::Mat mValidBuffer; // same, for the validity mask
    int mBufferY = 0;     // raster row of mBuffer's first row
    int mBufferRows = 0;  // rows filled
    int mRowsWritten = 0;
    bool mClosed = false;
    bool mCommitted = false;
};

} // namespace rsrefseg
