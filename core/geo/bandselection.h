// BandSelection: which raster bands become R, G, B:
// 1 band -> replicated grey; 2 bands -> grey + alpha only (otherwise the user must choose with
// --bands); 3+ bands -> the Red/Green/Blue colour interpretation, else the first three.
// An explicit choice ("4,3,2" or "1") overrides the rules.
#pragma once

#include "geo/rasterinfo.h"

#include <string>
#include <vector>

namespace rsrefseg {

class BandSelection
{
  public:
    // Throws rsrefseg::Error naming the raster when no sensible default exists.
    static BandSelection automatic(const RasterInfo &info);
    // `text`: comma-separated 1-based band numbers, one or three of them.
    static BandSelection parse(const std::string &text, const RasterInfo &info);

    // Three 1-based band numbers for R, G, B (repeated for grey).
    const std::vector<int> &rgb() const { return mRgb; }
    // The distinct bands to read, in order, and for each of R,G,B its index into that list.
    std::vector<int> distinctBands() const;
    std::vector<int> rgbIndexInDistinct() const;
    std::string toString() const; // "1,2,3"

  private:
    std::vector<int> mRgb;
};

} // namespace rsrefseg
