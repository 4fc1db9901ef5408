#include "geo/bandselection.h"

#include "common/error.h"

#include <algorithm>
#include <sstream>

namespace rsrefseg {

namespace {
int findInterpretation(const RasterInfo &info, const std::string &name)
{
    for (const BandInfo &b : info.bands)
        if (b.colorInterpretation == name)
            return b.index;
    return 0;
}
} // namespace

BandSelection BandSelection::automatic(const RasterInfo &info)
{
    BandSelection s;
    const int n = static_cast<int>(info.bands.size());
    if (n == 0)
        throw Error("'" + info.path + "' has no raster bands");
    if (n == 1) {
        s.mRgb = {1, 1, 1};
        return s;
    }
    if (n == 2) {
        const int alpha = findInterpretation(info, "Alpha");
        if (alpha == 0)
            throw Error("'" + info.path +
                        "' has 2 bands and neither is alpha; choose the bands to use with --bands (e.g. --bands 1)");
        const int grey = alpha == 1 ? 2 : 1;
        s.mRgb = {grey, grey, grey};
        return s;
    }
    const int r = findInterpretation(info, "Red");
    const int g = findInterpretation(info, "Green");
    const int b = findInterpretation(info, "Blue");
    if (r && g && b)
        s.mRgb = {r, g, b};
    else
        s.mRgb = {1, 2, 3};
    return s;
}

BandSelection BandSelection::parse(const std::string &text, const RasterInfo &info)
{
    std::vector<int> bands;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t used = 0;
        int value = 0;
        try {
            value = std::stoi(item, &used);
        } catch (const std::exception &) {
            used = 0;
        }
        if (used == 0 || used != item.size())
            throw Error("--bands: '" + item + "' is not a band number (expected e.g. 1,2,3)");
        if (value < 1 || value > static_cast<int>(info.bands.size()))
            throw Error("--bands: band " + std::to_string(value) + " does not exist in '" + info.path + "' (it has " +
                        std::to_string(info.bands.size()) + " band(s))");
        bands.push_back(value);
    }
    BandSelection s;
    if (bands.size() == 1)
        s.mRgb = {bands[0], bands[0], bands[0]};
    else if (bands.size() == 3)
        s.mRgb = bands;
    else
        throw Error("--bands: give one band (grey) or three bands (R,G,B), got '" + text + "'");
    return s;
}

std::vector<int> BandSelection::distinctBands() const
{
    std::vector<int> out;
    for (int b : mRgb)
        if (std::find(out.begin(), out.end(), b) == out.end())
            out.push_back(b);
    return out;
}

std::vector<int> BandSelection::rgbIndexInDistinct() const
{
    const std::vector<int> distinct = distinctBands();
    std::vector<int> out;
    for (int b : mRgb)
        out.push_back(static_cast<int>(std::find(distinct.begin(), distinct.end(), b) - distinct.begin()));
    return out;
}

std::string BandSelection::toString() const
{
    return std::to_string(mRgb[0]) + "," + std::to_string(mRgb[1]) + "," + std::to_string(mRgb[2]);
}

} // namespace rsrefseg
