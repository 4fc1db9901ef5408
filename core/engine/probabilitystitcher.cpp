#include "engine/probabilitystitcher.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace rsrefseg {

std::vector<float> ProbabilityStitcher::axisWeights(const std::vector<int> &starts, int index, int tileSize, int length)
{
    const size_t i = static_cast<size_t>(index);
    const int s = starts[i];
    const int n = std::min(tileSize, length - s);
    const int ovLeft = i > 0 ? std::max(0, starts[i - 1] + tileSize - s) : 0;
    const int ovRight = i + 1 < starts.size() ? std::max(0, s + tileSize - starts[i + 1]) : 0;
    std::vector<float> w(static_cast<size_t>(std::max(n, 0)), 1.0f);
    for (int d = 0; d < n; ++d) {
        float v = 1.0f;
        if (ovLeft > 0)
            v = std::min(v, (static_cast<float>(d) + 0.5f) / static_cast<float>(ovLeft));
        if (ovRight > 0)
            v = std::min(v, (static_cast<float>(n - d) - 0.5f) / static_cast<float>(ovRight));
        w[static_cast<size_t>(d)] = v;
    }
    return w;
}

ProbabilityStitcher::ProbabilityStitcher(const TileGrid &grid, int width, int height, Sink sink)
    : mGrid(grid)
    , mWidth(width)
    , mHeight(height)
    , mSink(std::move(sink))
{
    mXs = TileGrid::starts(width, grid.tileSize(), grid.overlap());
    mYs = TileGrid::starts(height, grid.tileSize(), grid.overlap());
    if (static_cast<int>(mXs.size()) != grid.columns() || static_cast<int>(mYs.size()) != grid.rows())
        throw Error("ProbabilityStitcher: the grid does not match the area size");
    for (size_t c = 0; c < mXs.size(); ++c)
        mWx.push_back(axisWeights(mXs, static_cast<int>(c), grid.tileSize(), width));
    for (size_t r = 0; r < mYs.size(); ++r)
        mWy.push_back(axisWeights(mYs, static_cast<int>(r), grid.tileSize(), height));
    const int rows = std::min(grid.tileSize(), height);
    mSumWL = cv::Mat(rows, width, CV_32FC1, cv::Scalar::all(0));
    mSumW = cv::Mat(rows, width, CV_32FC1, cv::Scalar::all(0));
    mValid = cv::Mat(rows, width, CV_8UC1, cv::Scalar::all(0));
    mOwner = cv::Mat(rows, width, CV_32SC1, cv::Scalar::all(-1));
}

size_t ProbabilityStitcher::bufferBytes() const
{
    return mSumWL.total() * 4 + mSumW.total() * 4 + mValid.total() + mOwner.total() * 4;
}

void ProbabilityStitcher::addTile(const Tile &tile, const cv::Mat &logits, const cv::Mat &valid, bool contributes)
{
    if (mNextTile >= static_cast<int>(mGrid.tiles().size()) || tile.id != mGrid.tiles()[static_cast<size_t>(mNextTile)].id)
        throw Error("ProbabilityStitcher: tiles must come in row order, each once (got tile " + std::to_string(tile.id) +
                    ", expected " + std::to_string(mNextTile) + ")");
    const PixelWindow &v = tile.valid;
    if (valid.rows != v.height || valid.cols != v.width || valid.type() != CV_8UC1)
        throw Error("ProbabilityStitcher: tile " + tile.name() + ": validity of the wrong size");
    if (contributes && (logits.rows != v.height || logits.cols != v.width || logits.type() != CV_32FC1))
        throw Error("ProbabilityStitcher: tile " + tile.name() + ": logits of the wrong size");
    if (v.y < mTop || v.bottom() > mTop + mSumW.rows)
        throw Error("ProbabilityStitcher: tile " + tile.name() + " lies outside the row band");

    const std::vector<float> &wx = mWx[static_cast<size_t>(tile.column)];
    const std::vector<float> &wy = mWy[static_cast<size_t>(tile.row)];
    for (int y = 0; y < v.height; ++y) {
        const int by = v.y - mTop + y;
        const uint8_t *vin = valid.ptr<uint8_t>(y);
        uint8_t *vout = mValid.ptr<uint8_t>(by) + v.x;
        for (int x = 0; x < v.width; ++x)
            vout[x] = static_cast<uint8_t>(vout[x] | vin[x]);
        if (!contributes)
            continue;
        const float *l = logits.ptr<float>(y);
        float *swl = mSumWL.ptr<float>(by) + v.x;
        float *sw = mSumW.ptr<float>(by) + v.x;
        int32_t *own = mOwner.ptr<int32_t>(by) + v.x;
        const float fy = wy[static_cast<size_t>(y)];
        for (int x = 0; x < v.width; ++x) {
            const float w = fy * wx[static_cast<size_t>(x)];
            swl[x] += w * l[x];
            sw[x] += w;
            // Owner: the contributing tile with the largest weight here (first one on ties).
            const int32_t o = own[x];
            if (o < 0) {
                own[x] = tile.id;
            } else {
                const Tile &ot = mGrid.tiles()[static_cast<size_t>(o)];
                const float ow = mWy[static_cast<size_t>(ot.row)][static_cast<size_t>(v.y + y - ot.valid.y)] *
                                 mWx[static_cast<size_t>(ot.column)][static_cast<size_t>(v.x + x - ot.valid.x)];
                if (w > ow)
                    own[x] = tile.id;
            }
        }
    }
    ++mNextTile;

    // After the last tile of a tile row, rows above the next tile row are final.
    const bool rowDone = tile.column == mGrid.columns() - 1;
    if (!rowDone)
        return;
    const int nextRow = tile.row + 1;
    emitRows(nextRow < mGrid.rows() ? mYs[static_cast<size_t>(nextRow)] : mHeight);
}

void ProbabilityStitcher::emitRows(int endRow)
{
    // Hand out the finished rows in chunks (at most 256 rows at a time), so that the blocks in
    // flight stay small next to the band itself.
    const int chunk = 256;
    while (mTop < endRow) {
        const int n = std::min(chunk, endRow - mTop);
        cv::Mat prob(n, mWidth, CV_32FC1);
        for (int y = 0; y < n; ++y) {
            const float *swl = mSumWL.ptr<float>(y);
            const float *sw = mSumW.ptr<float>(y);
            float *p = prob.ptr<float>(y);
            for (int x = 0; x < mWidth; ++x)
                p[x] = sw[x] > 0.0f ? 1.0f / (1.0f + std::exp(-swl[x] / sw[x])) : 0.0f;
        }
        const cv::Mat valid = mValid.rowRange(0, n).clone();
        const cv::Mat owner = mOwner.rowRange(0, n).clone();
        // Shift the remaining rows up and clear the freed ones before handing out the chunk.
        const int keep = mSumW.rows - n;
        for (cv::Mat *m : {&mSumWL, &mSumW, &mValid, &mOwner}) {
            if (keep > 0)
                std::memmove(m->ptr(0), m->ptr(n), static_cast<size_t>(keep) * m->step[0]);
            m->rowRange(std::max(keep, 0), m->rows).setTo(m == &mOwner ? cv::Scalar::all(-1) : cv::Scalar::all(0));
        }
        const int y0 = mTop;
        mTop += n;
        mSink(y0, prob, valid, owner);
    }
}

} // namespace rsrefseg
