#include "data/conversionsummary.h"

#include <sstream>

namespace rsrefseg {

std::string ConversionSummary::toText() const
{
    std::ostringstream s;
    s << "Wrote " << lines << " line(s) for " << objects << " object(s) on " << images << " image(s) to " << outPath
      << "\n";
    s << "Splits:";
    for (const auto &[split, n] : linesPerSplit)
        s << "  " << split << " " << n;
    s << "\n";
    if (!linesPerCategory.empty()) {
        s << "Categories:";
        for (const auto &[category, n] : linesPerCategory)
            s << "  " << category << " " << n;
        s << "\n";
    }
    if (!boxReadings.empty()) {
        s << "Boxes against their masks:";
        for (const auto &[reading, n] : boxReadings)
            s << "  " << reading << " " << n;
        s << "\n";
        if (!boxConvention.empty())
            s << "bbox_xywh: converted from bbox read as " << boxConvention << "\n";
    }
    return s.str();
}

} // namespace rsrefseg
