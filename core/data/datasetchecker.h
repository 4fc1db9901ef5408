// DatasetChecker: `rsrefseg data check`. Reads an RSRefSeg JSONL data set line by line (the
// bounds of JsonLineReader) against its image folder and reports what a user must know before
// training or evaluating on it.
//
//   DatasetCheckReport r = DatasetChecker::check("rrsisd.jsonl", "images/");
//   std::cout << r.toText();  r.toJson();
//   return r.unusable() ? 1 : 0;
//
// Defects, each with its line:
// - unusable (the reader would skip the line or fail on it): malformed line (JSON, missing or
//   wrong-typed file_name / sent / segmentation, unsafe file name, empty sentence), missing
//   image, unreadable image, mask size differing from the image, bad segmentation;
// - warnings (the line is read, but is probably a mistake): empty mask, duplicate sentence (the
//   same sentence on the same image on another line; the first line is named).
// Counts per split and per category are of the lines without unusable defects.
#pragma once

#include "data/datasetcheckreport.h"

#include <string>

namespace rsrefseg {

class DatasetChecker
{
  public:
    static DatasetCheckReport check(const std::string &jsonlPath, const std::string &imageDir);
};

} // namespace rsrefseg
