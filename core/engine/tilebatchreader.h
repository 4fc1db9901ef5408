// TileBatchReader: reads the source pixels of a tile grid batch by batch, in tile order, and
// with read-ahead reads the next batch on a thread of its own while the caller encodes and
// decodes the current one, so the image encoder (on a GPU, a fraction of a second per batch)
// does not wait for GDAL's reads and decompression between batches.
//
//   TileBatchReader reader(raster, tiles.tiles(), window, settings.batchSize, bands, stretch, true);
//   while (!reader.done())
//       for (TileBatchReader::ReadTile &t : reader.next()) ...   // t.error: unreadable, nodata
//
// The raster belongs to the reader from construction until destruction (GDAL datasets are not
// thread-safe): the caller must not use it in between. A tile that cannot be read (a corrupt
// block, an I/O error) comes back with `error` set and nodata pixels; anything else that fails
// while reading is rethrown by next() on the caller's thread as an Error: exceptions never
// cross threads. The destructor waits for a read in flight. Source blocks of a finished tile
// row are dropped from GDAL's cache when the next row starts, the last row's after its read.
#pragma once

#include "geo/raster.h"
#include "geo/tilegrid.h"

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rsrefseg {

class TileBatchReader
{
  public:
    struct ReadTile
    {
        Tile tile;
        PixelWindow source; // raster pixels read: the tile's valid part, offset by the window
        RgbImage image;     // source.width x source.height
        std::string error;  // not empty: the read failed and the image is nodata
        double readMs = 0.0;
    };

    // window: the raster pixels the grid covers (its tiles' coordinates are relative to it).
    TileBatchReader(const Raster &raster, std::vector<Tile> tiles, const PixelWindow &window, int batchSize,
                    const BandSelection &bands, const ContrastStretch &stretch, bool readAhead);
    ~TileBatchReader();
    TileBatchReader(const TileBatchReader &) = delete;
    TileBatchReader &operator=(const TileBatchReader &) = delete;

    bool done() const { return mDelivered >= mTiles.size(); }
    // The next batch (up to batchSize tiles); blocks while it is still being read, then starts
    // reading the one after. Throws Error if reading failed other than per tile.
    std::vector<ReadTile> next();
    // True when the next batch is read already, so next() will not block.
    bool nextReady() const;
    // Time next() spent blocked waiting for reads.
    double waitedSeconds() const { return mWaitedSeconds; }

  private:
    void readLoop();
    std::vector<ReadTile> readBatch(size_t first);

    const Raster &mRaster;
    const std::vector<Tile> mTiles;
    const PixelWindow mWindow;
    const size_t mBatchSize;
    const BandSelection mBands;
    const ContrastStretch mStretch;
    const bool mReadAhead;
    int mLastRow = -1;         // reading thread only
    size_t mDelivered = 0;     // caller only: tiles handed out
    double mWaitedSeconds = 0.0;

    // Read-ahead: the thread reads the batch starting at mRequested into mReady.
    mutable std::mutex mMutex;
    std::condition_variable mChanged;
    size_t mRequested = 0;     // first tile of the batch the thread should read next
    bool mWanted = false;      // a batch is requested and not yet read
    bool mHaveReady = false;   // mReady holds the batch starting at mReadyFirst
    size_t mReadyFirst = 0;
    std::vector<ReadTile> mReady;
    std::string mFailure;      // what failed while reading, rethrown by next()
    bool mStop = false;
    std::thread mThread;
};

} // namespace rsrefseg
