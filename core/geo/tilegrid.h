// TileGrid: square tiles with overlap covering a whole raster, in row order.
//
//   TileGrid grid(raster.info().width, raster.info().height, 1024, 128);
//   for (const Tile &t : grid.tiles()) read(t.window);   // t.valid = the part inside the raster
//
// Along each axis, where the raster is larger than a tile, tiles start every (tile - overlap)
// pixels and the last one is shifted inward so that it ends at the raster's edge (no padding);
// where the raster is smaller than a tile, one tile starts at 0 and reaches past the edge
// (padded). Tile ids are row * columns + column, stable for a given size, tile and overlap.
#pragma once

#include "geo/geotransform.h"
#include "geo/pixelwindow.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace rsrefseg {

struct Tile
{
    int id = 0;
    int row = 0;
    int column = 0;
    PixelWindow window; // tile size x tile size; may reach past the raster (padded)
    PixelWindow valid;  // window clipped to the raster
    std::string name() const; // "r<row>c<column>"
};

class TileGrid
{
  public:
    // Throws rsrefseg::Error for tile size <= 0, overlap < 0 or overlap >= tile size.
    TileGrid(int rasterWidth, int rasterHeight, int tileSize, int overlap);

    int tileSize() const { return mTileSize; }
    int overlap() const { return mOverlap; }
    int columns() const { return static_cast<int>(mXs.size()); }
    int rows() const { return static_cast<int>(mYs.size()); }
    int count() const { return columns() * rows(); }
    const std::vector<Tile> &tiles() const { return mTiles; }
    const Tile &tile(int id) const { return mTiles.at(static_cast<size_t>(id)); }

    // The valid window's four corners in map coordinates (top-left, top-right, bottom-right,
    // bottom-left), closed ring not repeated.
    static std::array<std::pair<double, double>, 4> footprint(const Tile &tile, const GeoTransform &transform);

    // Tile starts along one axis (exposed for tests and for the engine's blending weights).
    static std::vector<int> starts(int length, int tileSize, int overlap);

  private:
    int mWidth;
    int mHeight;
    int mTileSize;
    int mOverlap;
    std::vector<int> mXs;
    std::vector<int> mYs;
    std::vector<Tile> mTiles;
};

} // namespace rsrefseg
