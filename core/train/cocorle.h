// CocoRle: a binary mask as COCO run-length encoding, bit-compatible with pycocotools
// (maskApi.c). Runs are counted over the mask in column-major order (down the first column,
// then the next), starting with a run of zeros (which may be 0 long when the mask starts with a
// one). The compressed string form is pycocotools' rleToString/rleFrString: each run count is
// written as a signed LEB128-like number in 5-bit groups, 6 bits per character (bit 5 =
// "more follows", bit 4 of the last group = sign), offset by 48 ('0'); from the 4th run on the
// value written is the difference to the run two places earlier.
//
//   CocoRle rle = CocoRle::encode(mask);           // mask: CV_8UC1, non-zero = foreground
//   std::string s = rle.toString();                // "11112O" for the 3x3 example in the test
//   CocoRle back = CocoRle::fromString(s, 3, 3);   // throws rsrefseg::Error on bad input
//   cv::Mat m = back.decode();                     // CV_8UC1, 0 or 1
//   nlohmann::json j = rle.toJson();               // {"size":[h,w],"counts":"..."}
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core/mat.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rsrefseg {

class CocoRle
{
  public:
    // An empty 0x0 mask.
    CocoRle() = default;
    // Takes run counts as they are; throws rsrefseg::Error when they do not add up to
    // height * width or the size is negative or too large (height * width must fit 32 bits,
    // as in pycocotools).
    CocoRle(int height, int width, std::vector<std::uint32_t> counts);

    // Encodes a CV_8UC1 mask (any non-zero value is foreground).
    static CocoRle encode(const cv::Mat &mask);
    // Parses pycocotools' compressed counts string. Throws rsrefseg::Error naming the problem
    // (character outside '0'..'o', a number longer than 64 bits, a negative run, runs that do
    // not cover height * width pixels).
    static CocoRle fromString(std::string_view counts, int height, int width);
    // {"size":[h,w],"counts":"..."} (compressed) or {"size":[h,w],"counts":[n0,n1,...]}
    // (uncompressed, as pycocotools' frPyObjects accepts). Throws rsrefseg::Error naming the
    // field at fault.
    static CocoRle fromJson(const nlohmann::json &json);
    // Rasterises COCO polygons ([[x1,y1,x2,y2,...], ...] in pixel-edge coordinates: the
    // polygon (0,0)-(2,0)-(2,2)-(0,2) covers exactly the four pixels of a 2x2 square) the way
    // pycocotools' rleFrPoly does (boundary walked at 5x, pixel columns' crossings turned into
    // runs; cocorle.cpp), union of all polygons: the masks the reference tools make.
    static CocoRle fromPolygons(const std::vector<std::vector<double>> &polygons, int height,
                                int width);
    // Union of masks of one size (rleMerge with intersect = 0). Throws on differing sizes.
    static CocoRle unionOf(const std::vector<CocoRle> &masks);

    std::string toString() const;
    nlohmann::json toJson() const;
    // CV_8UC1 height x width, values 0 or 1.
    cv::Mat decode() const;

    int height() const { return mHeight; }
    int width() const { return mWidth; }
    const std::vector<std::uint32_t> &counts() const { return mCounts; }
    // Number of foreground pixels (pycocotools' area).
    std::uint64_t area() const;
    // [x, y, w, h] of the foreground as pycocotools' toBbox computes it; all zero when empty.
    std::array<double, 4> boundingBox() const;

    bool operator==(const CocoRle &other) const;
    bool operator!=(const CocoRle &other) const { return !(*this == other); }

  private:
    int mHeight = 0;
    int mWidth = 0;
    std::vector<std::uint32_t> mCounts;
};

} // namespace rsrefseg
