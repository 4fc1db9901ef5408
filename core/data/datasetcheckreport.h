// DatasetCheckReport: what DatasetChecker found in a JSONL data set: line counts, counts per
// split and per category, and the defects with their lines (datasetchecker.h says which defect
// makes a line unusable). Printed by `rsrefseg data check` as text or JSON.
//
//   std::cout << report.toText();            // counts, then the first 20 defects
//   std::cout << report.toJson().dump(2);
//   bool failed = report.unusable();         // any unusable line
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace rsrefseg {

struct DatasetDefect
{
    enum class Kind
    {
        Malformed,
        MissingImage,
        UnreadableImage,
        SizeMismatch,
        BadSegmentation,
        EmptyMask,
        DuplicateSentence
    };
    Kind kind = Kind::Malformed;
    std::size_t line = 0;
    std::string message;

    static const char *name(Kind kind); // "missing_image", ...
    static bool isUnusable(Kind kind);  // every kind but EmptyMask and DuplicateSentence
};

struct DatasetCheckReport
{
    static constexpr std::size_t kMaxListed = 1000; // defects kept with their message

    std::string jsonlPath;
    std::string imageDir;
    std::size_t lines = 0;  // non-blank lines
    std::size_t usable = 0; // lines without an unusable defect
    std::size_t images = 0; // distinct images named by usable lines
    std::map<std::string, std::size_t> perSplit;
    std::map<std::string, std::size_t> perCategory;
    std::map<DatasetDefect::Kind, std::size_t> defectCounts;
    std::vector<DatasetDefect> defects; // the first kMaxListed

    bool unusable() const;
    std::size_t count(DatasetDefect::Kind kind) const;
    // The counts, then up to `listed` defects, one per line ("line 7: missing image: ...").
    std::string toText(std::size_t listed = 20) const;
    nlohmann::json toJson() const;
};

} // namespace rsrefseg
