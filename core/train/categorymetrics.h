// CategoryMetrics: mean IoU per object category, as the RSRefSeg 2 evaluator reports it beside
// Pr@0.5..0.9, oIoU and mIoU (its RefSegIoUMetric, "Per-class Average IoU (by image)").
//
//   CategoryMetrics metrics;
//   metrics.add("vehicle", SegmentationMetrics::compare(prediction, truth));   // per sample
//   CategoryReport r = metrics.report();
//   std::cout << r.table();          // category  samples  mIoU  oIoU, then the mean of categories
//   nlohmann::json j = r.toJson();   // {"categories": {"vehicle": {...}}, "mean_category_mIoU": ..}
//
// Definitions (fractions; tables print them x100):
// - a sample's category is its "category_name"; samples without one count as "none".
// - a category's mIoU is the mean IoU of its samples whose union is not empty. A sample whose
//   prediction and truth are both empty has no IoU there (the reference divides 0 by 0 and drops
//   the NaN) -- unlike the overall mIoU of SegmentationMetrics, which counts it as 0. A category
//   with no such sample has no mIoU (NaN; null in JSON, "-" in the table).
// - a category's oIoU is sum I / sum U over its samples (0 when sum U is 0).
// - mean_category_mIoU is the mean of the categories' mIoUs that exist (the reference's
//   "Mean IoU (mIoU)" line), so every category weighs the same whatever its size.
#pragma once

#include "train/segmentationmetrics.h"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rsrefseg {

struct CategoryScore
{
    std::string category;
    std::size_t samples = 0;       // all samples of the category
    std::size_t scoredSamples = 0; // those with a non-empty union
    double mIoU = 0;               // NaN when scoredSamples == 0
    double oIoU = 0;
};

struct CategoryReport
{
    std::vector<CategoryScore> categories; // sorted by name
    double meanCategoryMIoU = 0;           // NaN when no category has an mIoU

    nlohmann::json toJson() const;
    // One row per category and a last "mean" row, values x 100 with two decimals.
    std::string table() const;
};

class CategoryMetrics
{
  public:
    static constexpr const char *kNoCategory = "none";

    void add(const std::string &category, const SampleIoU &sample);
    CategoryReport report() const;

  private:
    struct Sums
    {
        std::size_t samples = 0;
        std::size_t scored = 0;
        double iouSum = 0;
        std::uint64_t intersection = 0;
        std::uint64_t unionArea = 0;
    };
    std::map<std::string, Sums> mSums;
};

} // namespace rsrefseg
