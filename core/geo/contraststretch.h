// ContrastStretch: how raster values become the 8-bit RGB the model expects.
//
// Mode::Auto mirrors QGIS's defaults for multiband colour rendering: 8-bit (Byte) data is
// shown as stored (no enhancement), any other type gets a 2-98 % cumulative-cut stretch
// per band. Percentiles are computed by Raster::computeStretch from an overview or a sample,
// never from the full raster.
#pragma once

#include <string>
#include <vector>

namespace rsrefseg {

struct StretchOptions
{
    enum class Mode { Auto, None, Percentile, MinMax };
    Mode mode = Mode::Auto;
    double lowPercent = 2.0;
    double highPercent = 98.0;

    static Mode parseMode(const std::string &text); // auto|none|percentile|minmax; throws Error
    static std::string modeName(Mode mode);
};

class ContrastStretch
{
  public:
    struct Range
    {
        double low = 0.0;
        double high = 255.0;
    };

    ContrastStretch() = default;
    explicit ContrastStretch(std::vector<Range> ranges);
    // Values copied unchanged (clamped to 0..255): the stretch of Byte data.
    static ContrastStretch identity(int bandCount);

    const std::vector<Range> &ranges() const { return mRanges; }
    // Maps one value of band `band` (0-based position in the selection) to 0..255.
    unsigned char apply(int band, double value) const;

  private:
    std::vector<Range> mRanges;
};

} // namespace rsrefseg
