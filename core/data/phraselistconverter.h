// PhraseListConverter: the benchmarks distributed as phrase lists plus mask images, RefSegRS and
// RISBench, to the RSRefSeg JSONL (README, "Benchmark data" documents both layouts):
//
//   ROOT/output_phrase_{train,val,test}.txt   one sample per line: "<id> <sentence...>"
//   RefSegRS: ROOT/images/<id>.tif, ROOT/masks/<id>.tif
//   RISBench: ROOT/img_rgb/<id>,   ROOT/mask/<id>       (the id holds the extension)
//
//   PhraseListConverter::Options o;  o.root = "RefSegRS"; o.out = "refsegrs.jsonl";
//   ConversionSummary s = PhraseListConverter(PhraseListConverter::refSegRs(), o).run();
//
// Each line: split, image_id (the id as a string, as the upstream converters write it), sent
// (the rest of the line), file_name (relative to the image folder) and segmentation (a list with
// one COCO RLE of the mask; any non-zero pixel in any band is the object). Every image and mask
// must exist and have the same size; the first problem is an rsrefseg::Error naming the phrase
// file and line, and the output is written only when every line converted.
#pragma once

#include "data/conversionsummary.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace rsrefseg {

class PhraseListConverter
{
  public:
    struct Layout
    {
        std::string name;        // "refsegrs", "risbench"
        std::string imageFolder; // under the root
        std::string maskFolder;  // under the root
        std::string idSuffix;    // appended to the id to name image and mask files
    };
    static Layout refSegRs();
    static Layout risBench();

    struct Options
    {
        std::string root;   // holds output_phrase_<split>.txt
        std::string images; // "" = root/<layout image folder>
        std::string masks;  // "" = root/<layout mask folder>
        std::string out;
        std::vector<std::string> splits{"train", "val", "test"};
        bool overwrite = false;
    };
    using Progress = std::function<void(std::size_t done, std::size_t total)>;

    PhraseListConverter(Layout layout, Options options);
    ConversionSummary run(const Progress &progress = {}) const;

    static constexpr std::size_t kMaxLineBytes = 64 * 1024;

  private:
    Layout mLayout;
    Options mOptions;
};

} // namespace rsrefseg
