// SegmentationMetrics: the referring-segmentation scores of the RSRefSeg evaluator
// (rsris/evaluation/metrics/iou_metrics.py, the "mask" class), accumulated one sample at a time.
//
//   SegmentationMetrics metrics;
//   for (...) metrics.addSample(predictedMask, groundTruthMask);   // CV_8UC1, non-zero = object
//   SegmentationReport r = metrics.report();
//   // r.cIoU, r.gIoU, r.precisionAt[0..4] for IoU > 0.5 .. 0.9, all fractions in [0, 1]
//
// Definitions (fractions; the reference prints them x100):
// - per sample: I = |pred AND gt|, U = |pred OR gt|, IoU = I / U. When U == 0 (both masks
//   empty) the RSRefSeg code divides 0 by 0 (NaN, which poisons gIoU); we follow LAVT/RMSIN,
//   the evaluators RRSIS-D results are compared with: `this_iou = 0.0 if U == 0 else I/U`.
// - cIoU (a.k.a. oIoU) = sum I / sum U over all samples (0 when sum U == 0).
// - gIoU (a.k.a. mIoU) = mean of the per-sample IoUs (0 when there is no sample).
// - Pr@t for t in 0.5, 0.6, 0.7, 0.8, 0.9: share of samples with IoU STRICTLY greater than t,
//   as RSRefSeg (`per_image_iou > iou`); LAVT counts IoU >= t. The comparison is done exactly in
//   integers (10 * I > k * U), so a sample with IoU exactly 0.5 never counts for Pr@0.5.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core/mat.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace rsrefseg {

struct SampleIoU
{
    std::uint64_t intersection = 0;
    std::uint64_t unionArea = 0;
    double iou = 0; // 0 when unionArea == 0
};

struct SegmentationReport
{
    static constexpr std::array<double, 5> kThresholds{0.5, 0.6, 0.7, 0.8, 0.9};

    std::size_t samples = 0;
    std::uint64_t totalIntersection = 0;
    std::uint64_t totalUnion = 0;
    double cIoU = 0;
    double gIoU = 0;
    std::array<double, 5> precisionAt{}; // for kThresholds, in the same order

    // {"samples":..,"cIoU":..,"gIoU":..,"Pr@0.5":.., ...} with fractions as fields.
    nlohmann::json toJson() const;
};

class SegmentationMetrics
{
  public:
    // I and U of one prediction against its ground truth; both CV_8UC1 of the same size
    // (throws rsrefseg::Error otherwise). Non-zero pixels are the object.
    static SampleIoU compare(const cv::Mat &prediction, const cv::Mat &groundTruth);

    // Adds one sample and returns its IoU.
    SampleIoU addSample(const cv::Mat &prediction, const cv::Mat &groundTruth);
    // Adds a sample whose counts were computed elsewhere (throws when I > U).
    SampleIoU addCounts(std::uint64_t intersection, std::uint64_t unionArea);

    std::size_t count() const { return mSamples.size(); }
    const std::vector<SampleIoU> &samples() const { return mSamples; }
    void clear() { mSamples.clear(); }

    SegmentationReport report() const;

  private:
    std::vector<SampleIoU> mSamples;
};

} // namespace rsrefseg
