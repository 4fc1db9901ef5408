// ConversionSummary: what a benchmark conversion (RrsisdConverter, PhraseListConverter) wrote,
// for the command line and the tests: lines per split and per category, and for RRSIS-D how the
// boxes agree with their masks (BoxConvention).
//
//   ConversionSummary s = converter.run(progress);
//   std::cout << s.toText();
#pragma once

#include <cstddef>
#include <map>
#include <string>

namespace rsrefseg {

struct ConversionSummary
{
    std::string outPath;
    std::size_t lines = 0;   // one per sentence
    std::size_t objects = 0; // refs (RRSIS-D) or phrase lines (RefSegRS, RISBench)
    std::size_t images = 0;  // distinct images
    std::map<std::string, std::size_t> linesPerSplit;
    std::map<std::string, std::size_t> linesPerCategory; // RRSIS-D only
    // RRSIS-D: objects whose box agrees with the mask as x1,y1,x2,y2 / x,y,w,h / both / neither,
    // and the reading "bbox_xywh" was converted from ("" when no box was converted).
    std::map<std::string, std::size_t> boxReadings;
    std::string boxConvention;

    std::string toText() const;
};

} // namespace rsrefseg
