// RrsisdConverter: RRSIS-D as distributed (refs(unc).p + instances.json + JPEG images) to the
// RSRefSeg JSONL that RSRefSegDataset reads, one line per sentence (README, "Benchmark data").
//
//   RrsisdConverter::Options o;
//   o.refs = "rrsisd/refs(unc).p"; o.instances = "rrsisd/instances.json";
//   o.images = "images/rrsisd/JPEGImages"; o.out = "rrsisd.jsonl";
//   ConversionSummary s = RrsisdConverter(o).run();
//
// Each line: file_name, sent, segmentation (a list with one COCO RLE, compressed counts, as the
// upstream converter writes it; polygons in instances.json are rasterised at the image size with
// CocoRle::fromPolygons), bbox as in instances.json, bbox_xywh (COCO x, y, w, h, converted from
// bbox after checking every box against its mask, BoxConvention), split, category_id,
// category_name, image_id, ann_id, ref_id, sent_id and area (as in instances.json).
// Every ref is checked: its annotation exists, image and category agree with it, its image
// exists and has the mask's size. The first problem is an rsrefseg::Error naming the ref (index
// and ref_id) or the annotation id; the output is written only when every ref converted.
#pragma once

#include "data/conversionsummary.h"

#include <cstddef>
#include <functional>
#include <string>

namespace rsrefseg {

class RrsisdConverter
{
  public:
    struct Options
    {
        std::string refs;      // refs(unc).p
        std::string instances; // instances.json
        std::string images;    // the folder of the JPEG images
        std::string out;       // the JSONL to write
        bool overwrite = false;
    };
    // Called after each ref (done, total).
    using Progress = std::function<void(std::size_t done, std::size_t total)>;

    explicit RrsisdConverter(Options options);
    ConversionSummary run(const Progress &progress = {}) const;

  private:
    Options mOptions;
};

} // namespace rsrefseg
