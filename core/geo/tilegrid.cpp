#include "geo/tilegrid.h"

#include "common/error.h"

namespace rsrefseg {

std::string Tile::name() const
{
    return "r" + std::to_string(row) + "c" + std::to_string(column);
}

std::vector<int> TileGrid::starts(int length, int tileSize, int overlap)
{
    std::vector<int> out;
    if (length <= tileSize) {
        out.push_back(0);
        return out;
    }
    const int stride = tileSize - overlap;
    for (int s = 0; s + tileSize < length; s += stride)
        out.push_back(s);
    out.push_back(length - tileSize);
    return out;
}

TileGrid::TileGrid(int rasterWidth, int rasterHeight, int tileSize, int overlap)
    : mWidth(rasterWidth)
    , mHeight(rasterHeight)
    , mTileSize(tileSize)
    , mOverlap(overlap)
{
    if (tileSize <= 0)
        throw Error("tile size must be positive, got " + std::to_string(tileSize));
    if (overlap < 0)
        throw Error("overlap must not be negative, got " + std::to_string(overlap));
    if (overlap >= tileSize)
        throw Error("overlap (" + std::to_string(overlap) + ") must be smaller than the tile size (" +
                    std::to_string(tileSize) + ")");
    if (rasterWidth <= 0 || rasterHeight <= 0)
        throw Error("cannot tile an empty raster");
    mXs = starts(rasterWidth, tileSize, overlap);
    mYs = starts(rasterHeight, tileSize, overlap);
    const PixelWindow whole{0, 0, rasterWidth, rasterHeight};
    for (size_t r = 0; r < mYs.size(); ++r)
        for (size_t c = 0; c < mXs.size(); ++c) {
            Tile t;
            t.row = static_cast<int>(r);
            t.column = static_cast<int>(c);
            t.id = t.row * static_cast<int>(mXs.size()) + t.column;
            t.window = {mXs[c], mYs[r], tileSize, tileSize};
            t.valid = t.window.intersected(whole);
            mTiles.push_back(t);
        }
}

std::array<std::pair<double, double>, 4> TileGrid::footprint(const Tile &tile, const GeoTransform &transform)
{
    const PixelWindow &w = tile.valid;
    return {transform.pixelToMap(w.x, w.y), transform.pixelToMap(w.right(), w.y),
            transform.pixelToMap(w.right(), w.bottom()), transform.pixelToMap(w.x, w.bottom())};
}

} // namespace rsrefseg
