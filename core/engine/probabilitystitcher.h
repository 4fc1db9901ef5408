// ProbabilityStitcher: blends per-tile mask logits into one probability image with feathered
// weights and hands out finished rows as soon as no later tile can touch them, so that a huge
// raster needs only one tile row of the output in memory (never a full-size array).
//
// Weights: along each axis a tile's weight ramps linearly over the pixels it shares with its
// neighbour (w = (d + 0.5) / overlap from the shared edge) and is 1 elsewhere; the 2-D weight
// is the product. In any overlap the two ramps sum to 1, so the blend is continuous: no
// seams. Pixels are blended in logit space and then passed through the sigmoid. A tile that
// does not contribute (gated, nodata) adds only its validity; pixels no tile contributes to
// get probability 0. For each pixel the contributing tile with the largest weight is its
// "owner" (per-polygon relevance and IoU come from it).
//
//   ProbabilityStitcher s(grid, [&](int y, const cv::Mat &prob, const cv::Mat &valid,
//                                   const cv::Mat &owner) { write(y, prob, valid, owner); });
//   for (const Tile &t : grid.tiles()) s.addTile(t, logits, valid, !gated);   // in row order
//
// Coordinates are the grid's (0,0 = the segmented area's top-left pixel).
#pragma once

#include "geo/tilegrid.h"

#include <opencv2/core/mat.hpp>

#include <functional>
#include <vector>

namespace rsrefseg {

class ProbabilityStitcher
{
  public:
    // prob CV_32FC1, valid CV_8UC1 (255 data, 0 nodata), owner CV_32SC1 (tile id, -1 none).
    using Sink = std::function<void(int y, const cv::Mat &prob, const cv::Mat &valid, const cv::Mat &owner)>;

    ProbabilityStitcher(const TileGrid &grid, int width, int height, Sink sink);

    // Tiles in the grid's order, each once. logits: CV_32FC1 of tile.valid's size (may be
    // empty when !contributes); valid: CV_8UC1 of the same size.
    void addTile(const Tile &tile, const cv::Mat &logits, const cv::Mat &valid, bool contributes);
    bool finished() const { return mNextTile == static_cast<int>(mGrid.tiles().size()); }
    size_t bufferBytes() const;

    // Feathering weights of the index-th tile along one axis (length = its valid length).
    static std::vector<float> axisWeights(const std::vector<int> &starts, int index, int tileSize, int length);

  private:
    void emitRows(int endRow);

    TileGrid mGrid;
    int mWidth;
    int mHeight;
    Sink mSink;
    std::vector<int> mXs;
    std::vector<int> mYs;
    std::vector<std::vector<float>> mWx; // per tile column
    std::vector<std::vector<float>> mWy; // per tile row
    cv::Mat mSumWL; // band of rows [mTop, mTop + rows): sum of weight * logit
    cv::Mat mSumW;  // sum of weights
    cv::Mat mValid;
    cv::Mat mOwner;
    int mTop = 0;
    int mNextTile = 0;
};

} // namespace rsrefseg
