#include "geo/contraststretch.h"

#include "common/error.h"

#include <cmath>

namespace rsrefseg {

StretchOptions::Mode StretchOptions::parseMode(const std::string &text)
{
    if (text == "auto")
        return Mode::Auto;
    if (text == "none")
        return Mode::None;
    if (text == "percentile")
        return Mode::Percentile;
    if (text == "minmax")
        return Mode::MinMax;
    throw Error("unknown stretch '" + text + "' (use auto, none, percentile or minmax)");
}

std::string StretchOptions::modeName(Mode mode)
{
    switch (mode) {
    case Mode::Auto: return "auto";
    case Mode::None: return "none";
    case Mode::Percentile: return "percentile";
    case Mode::MinMax: return "minmax";
    }
    return "auto";
}

ContrastStretch::ContrastStretch(std::vector<Range> ranges)
    : mRanges(std::move(ranges))
{
}

ContrastStretch ContrastStretch::identity(int bandCount)
{
    return ContrastStretch(std::vector<Range>(static_cast<size_t>(bandCount), Range{0.0, 255.0}));
}

unsigned char ContrastStretch::apply(int band, double value) const
{
    const Range &r = mRanges.at(static_cast<size_t>(band));
    if (!std::isfinite(value))
        return 0;
    double scaled;
    if (r.high > r.low)
        scaled = (value - r.low) / (r.high - r.low) * 255.0;
    else
        scaled = value < r.low ? 0.0 : 255.0;
    if (scaled <= 0.0)
        return 0;
    if (scaled >= 255.0)
        return 255;
    return static_cast<unsigned char>(std::lround(scaled));
}

} // namespace rsrefseg
