#include "train/segmentationmetrics.h"

#include "common/error.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <cstdio>

namespace rsrefseg {

nlohmann::json SegmentationReport::toJson() const
{
    nlohmann::json j{{"samples", samples},
                     {"totalIntersection", totalIntersection},
                     {"totalUnion", totalUnion},
                     {"cIoU", cIoU},
                     {"gIoU", gIoU}};
    for (std::size_t i = 0; i < kThresholds.size(); ++i) {
        char key[16];
        std::snprintf(key, sizeof key, "Pr@%.1f", kThresholds[i]);
        j[key] = precisionAt[i];
    }
    return j;
}

SampleIoU SegmentationMetrics::compare(const cv::Mat &prediction, const cv::Mat &groundTruth)
{
    if (prediction.type() != CV_8UC1 || groundTruth.type() != CV_8UC1)
        throw Error("segmentation metrics: prediction and ground truth must be CV_8UC1 masks");
    if (prediction.size() != groundTruth.size())
        throw Error("segmentation metrics: prediction is " + std::to_string(prediction.cols) +
                    "x" + std::to_string(prediction.rows) + " but ground truth is " +
                    std::to_string(groundTruth.cols) + "x" + std::to_string(groundTruth.rows));
    std::uint64_t intersection = 0, unionArea = 0;
    for (int r = 0; r < prediction.rows; ++r) {
        const std::uint8_t *p = prediction.ptr<std::uint8_t>(r);
        const std::uint8_t *g = groundTruth.ptr<std::uint8_t>(r);
        for (int c = 0; c < prediction.cols; ++c) {
            const bool a = p[c] != 0, b = g[c] != 0;
            intersection += a && b;
            unionArea += a || b;
        }
    }
    SampleIoU s;
    s.intersection = intersection;
    s.unionArea = unionArea;
    s.iou = unionArea == 0 ? 0.0 : static_cast<double>(intersection) / unionArea;
    return s;
}

SampleIoU SegmentationMetrics::addSample(const cv::Mat &prediction, const cv::Mat &groundTruth)
{
    const SampleIoU s = compare(prediction, groundTruth);
    mSamples.push_back(s);
    return s;
}

SampleIoU SegmentationMetrics::addCounts(std::uint64_t intersection, std::uint64_t unionArea)
{
    if (intersection > unionArea)
        throw Error("segmentation metrics: intersection " + std::to_string(intersection) +
                    " exceeds union " + std::to_string(unionArea));
    if (unionArea > (std::uint64_t(1) << 59))
        throw Error("segmentation metrics: union " + std::to_string(unionArea) +
                    " is larger than any raster");
    SampleIoU s;
    s.intersection = intersection;
    s.unionArea = unionArea;
    s.iou = unionArea == 0 ? 0.0 : static_cast<double>(intersection) / unionArea;
    mSamples.push_back(s);
    return s;
}

SegmentationReport SegmentationMetrics::report() const
{
    SegmentationReport r;
    r.samples = mSamples.size();
    if (mSamples.empty())
        return r;
    double iouSum = 0;
    std::array<std::size_t, 5> above{};
    for (const SampleIoU &s : mSamples) {
        r.totalIntersection += s.intersection;
        r.totalUnion += s.unionArea;
        iouSum += s.iou;
        for (std::size_t t = 0; t < above.size(); ++t) {
            // IoU > (5 + t) / 10, exactly: 10 * I > (5 + t) * U. U == 0 never counts (IoU 0).
            // (addCounts keeps U below 2^59, so neither product overflows.)
            if (s.unionArea > 0 && s.intersection * 10 > s.unionArea * (5 + t))
                ++above[t];
        }
    }
    r.cIoU = r.totalUnion == 0 ? 0.0
                               : static_cast<double>(r.totalIntersection) / r.totalUnion;
    r.gIoU = iouSum / static_cast<double>(mSamples.size());
    for (std::size_t t = 0; t < above.size(); ++t)
        r.precisionAt[t] = static_cast<double>(above[t]) / static_cast<double>(mSamples.size());
    return r;
}

} // namespace rsrefseg
