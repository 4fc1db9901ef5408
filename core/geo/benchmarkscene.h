// BenchmarkScene: the synthetic raster `rsrefseg bench segment` times the pipeline on. A square
// 3-band Byte GeoTIFF (UTM 33N, 0.5 m pixels): a texture with bright blocks every few hundred
// pixels, so that tiles differ and the mask has objects. Tiled 256 x 256, DEFLATE level 1
// (fast), BigTIFF when needed; written 256 rows at a time and flushed, so memory stays bounded
// at any size (the bench goes to 16384 px and beyond). The file is atomic (AtomicOutput):
// nothing appears at the path until it is complete.
//
//   BenchmarkScene::write(dir + "/scene.tif", 4096);   // throws rsrefseg::Error naming the path
//   uint8_t v = BenchmarkScene::value(x, y, band);     // what the file holds at (x, y), band 0..2
#pragma once

#include <cstdint>
#include <string>

namespace rsrefseg {

class BenchmarkScene
{
  public:
    static constexpr int kBands = 3;
    static constexpr int kEpsg = 32633;

    // Writes a size x size scene at `path`, replacing a file already there.
    static void write(const std::string &path, int size);
    // The pixel value of band `band` (0-based) at column x, row y.
    static uint8_t value(int x, int y, int band)
    {
        const bool block = ((x / 300) % 4 == 1) && ((y / 200) % 3 == 1);
        return static_cast<uint8_t>(block ? 230 - 20 * band : 60 + ((x / 7) ^ (y / 11)) % 60 + 10 * band);
    }
};

} // namespace rsrefseg
