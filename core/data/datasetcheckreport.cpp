#include "data/datasetcheckreport.h"

#include <nlohmann/json.hpp>

#include <sstream>

namespace rsrefseg {

namespace {

constexpr DatasetDefect::Kind kKinds[] = {
    DatasetDefect::Kind::Malformed,    DatasetDefect::Kind::MissingImage,    DatasetDefect::Kind::UnreadableImage,
    DatasetDefect::Kind::SizeMismatch, DatasetDefect::Kind::BadSegmentation, DatasetDefect::Kind::EmptyMask,
    DatasetDefect::Kind::DuplicateSentence};

} // namespace

const char *DatasetDefect::name(Kind kind)
{
    switch (kind) {
    case Kind::Malformed:
        return "malformed_line";
    case Kind::MissingImage:
        return "missing_image";
    case Kind::UnreadableImage:
        return "unreadable_image";
    case Kind::SizeMismatch:
        return "mask_size_mismatch";
    case Kind::BadSegmentation:
        return "bad_segmentation";
    case Kind::EmptyMask:
        return "empty_mask";
    case Kind::DuplicateSentence:
        break;
    }
    return "duplicate_sentence";
}

bool DatasetDefect::isUnusable(Kind kind)
{
    return kind != Kind::EmptyMask && kind != Kind::DuplicateSentence;
}

std::size_t DatasetCheckReport::count(DatasetDefect::Kind kind) const
{
    const auto it = defectCounts.find(kind);
    return it == defectCounts.end() ? 0 : it->second;
}

bool DatasetCheckReport::unusable() const
{
    for (DatasetDefect::Kind kind : kKinds)
        if (DatasetDefect::isUnusable(kind) && count(kind) > 0)
            return true;
    return false;
}

std::string DatasetCheckReport::toText(std::size_t listed) const
{
    std::ostringstream s;
    s << "Data set: " << jsonlPath << " (images in " << imageDir << ")\n"
      << "Lines:    " << lines << " (" << usable << " usable, on " << images << " image(s))\n";
    s << "Splits:  ";
    for (const auto &[split, n] : perSplit)
        s << "  " << split << " " << n;
    s << "\nCategories:\n";
    for (const auto &[category, n] : perCategory)
        s << "  " << category << " " << n << "\n";
    s << "Defects:\n";
    for (DatasetDefect::Kind kind : kKinds)
        s << "  " << DatasetDefect::name(kind) << " " << count(kind)
          << (DatasetDefect::isUnusable(kind) ? "" : " (warning)") << "\n";
    for (std::size_t i = 0; i < defects.size() && i < listed; ++i)
        s << "line " << defects[i].line << ": " << DatasetDefect::name(defects[i].kind) << ": " << defects[i].message
          << "\n";
    std::size_t total = 0;
    for (const auto &entry : defectCounts)
        total += entry.second;
    if (total > listed)
        s << "... and " << total - listed << " more defect(s)\n";
    s << (unusable() ? "Result:   UNUSABLE lines found\n" : "Result:   usable\n");
    return s.str();
}

nlohmann::json DatasetCheckReport::toJson() const
{
    nlohmann::json counts = nlohmann::json::object();
    for (DatasetDefect::Kind kind : kKinds)
        counts[DatasetDefect::name(kind)] = count(kind);
    nlohmann::json list = nlohmann::json::array();
    for (const DatasetDefect &d : defects)
        list.push_back({{"line", d.line},
                        {"kind", DatasetDefect::name(d.kind)},
                        {"unusable", DatasetDefect::isUnusable(d.kind)},
                        {"message", d.message}});
    return {{"data", jsonlPath},   {"images", imageDir},          {"lines", lines},
            {"usable", usable},    {"distinct_images", images},   {"splits", perSplit},
            {"categories", perCategory}, {"defect_counts", counts}, {"defects", list},
            {"unusable", unusable()}};
}

} // namespace rsrefseg
