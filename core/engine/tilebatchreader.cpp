#include "engine/tilebatchreader.h"

#include "common/error.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <new>

namespace rsrefseg {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

} // namespace

TileBatchReader::TileBatchReader(const Raster &raster, std::vector<Tile> tiles, const PixelWindow &window,
                                 int batchSize, const BandSelection &bands, const ContrastStretch &stretch,
                                 bool readAhead)
    : mRaster(raster)
    , mTiles(std::move(tiles))
    , mWindow(window)
    , mBatchSize(static_cast<size_t>(std::max(1, batchSize)))
    , mBands(bands)
    , mStretch(stretch)
    , mReadAhead(readAhead)
{
    if (mReadAhead && !mTiles.empty()) {
        mWanted = true; // the first batch
        mThread = std::thread([this] { readLoop(); });
    }
}

TileBatchReader::~TileBatchReader()
{
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mStop = true;
    }
    mChanged.notify_all();
    if (mThread.joinable())
        mThread.join();
}

std::vector<TileBatchReader::ReadTile> TileBatchReader::next()
{
    if (done())
        return {};
    const auto t0 = Clock::now();
    std::vector<ReadTile> batch;
    if (!mReadAhead) {
        batch = readBatch(mDelivered);
    } else {
        std::unique_lock<std::mutex> lock(mMutex);
        mChanged.wait(lock, [this] { return mHaveReady || !mFailure.empty(); });
        if (!mFailure.empty())
            throw Error(mFailure);
        if (mReadyFirst != mDelivered)
            throw Error("internal error: tile batches read out of order");
        batch = std::move(mReady);
        mReady.clear();
        mHaveReady = false;
        if (mDelivered + batch.size() < mTiles.size()) {
            mRequested = mDelivered + batch.size();
            mWanted = true;
            lock.unlock();
            mChanged.notify_all();
        }
    }
    mWaitedSeconds += secondsSince(t0);
    mDelivered += batch.size();
    return batch;
}

bool TileBatchReader::nextReady() const
{
    if (!mReadAhead)
        return false;
    std::lock_guard<std::mutex> lock(mMutex);
    return mHaveReady;
}

void TileBatchReader::readLoop()
{
    for (;;) {
        size_t first = 0;
        {
            std::unique_lock<std::mutex> lock(mMutex);
            mChanged.wait(lock, [this] { return mStop || mWanted; });
            if (mStop)
                return;
            first = mRequested;
        }
        std::vector<ReadTile> batch;
        std::string failure;
        // Everything stays on this thread: what is not a per-tile read error becomes a message
        // that next() throws on the caller's thread.
        try {
            batch = readBatch(first);
        } catch (const std::bad_alloc &) {
            failure = "out of memory reading tile " + mTiles[first].name() + " and the tiles after it";
        } catch (const std::exception &e) {
            failure = std::string("reading tile ") + mTiles[first].name() + " failed: " + e.what();
        } catch (...) {
            failure = "reading tile " + mTiles[first].name() + " failed";
        }
        {
            std::lock_guard<std::mutex> lock(mMutex);
            mWanted = false;
            if (!failure.empty()) {
                mFailure = failure;
            } else {
                mReady = std::move(batch);
                mReadyFirst = first;
                mHaveReady = true;
            }
        }
        mChanged.notify_all();
        if (!failure.empty())
            return;
    }
}

std::vector<TileBatchReader::ReadTile> TileBatchReader::readBatch(size_t first)
{
    std::vector<TileBatchReader::ReadTile> batch;
    const size_t end = std::min(mTiles.size(), first + mBatchSize);
    for (size_t i = first; i < end; ++i) {
        ReadTile r;
        r.tile = mTiles[i];
        if (mLastRow >= 0 && r.tile.row != mLastRow)
            mRaster.dropCachedBlocks(); // the finished tile row's source blocks
        mLastRow = r.tile.row;
        r.source = {mWindow.x + r.tile.valid.x, mWindow.y + r.tile.valid.y, r.tile.valid.width, r.tile.valid.height};
        const auto t0 = Clock::now();
        try {
            r.image = mRaster.readRgb8(r.source, r.source.width, r.source.height, mBands, mStretch);
        } catch (const Error &e) {
            // A corrupt block or an I/O error spoils this tile only: it becomes nodata.
            r.error = e.what();
            r.image.rgb = cv::Mat(r.source.height, r.source.width, CV_8UC3, cv::Scalar::all(0));
            r.image.valid = cv::Mat(r.source.height, r.source.width, CV_8UC1, cv::Scalar::all(0));
        }
        r.readMs = secondsSince(t0) * 1000.0;
        batch.push_back(std::move(r));
    }
    if (end == mTiles.size())
        mRaster.dropCachedBlocks(); // the last row's
    return batch;
}

} // namespace rsrefseg
