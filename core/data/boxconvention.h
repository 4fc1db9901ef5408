// BoxConvention: which reading of a four-number bounding box its mask supports. RRSIS-D's
// instances.json stores boxes that read as corners (x1, y1, x2, y2), not COCO's (x, y, w, h)
// (README, "Benchmark data"); the converter checks every box against its mask with this.
//
//   BoxConvention::Reading r = BoxConvention::classify({588, 592, 633, 623}, rle.boundingBox());
//   std::array<double, 4> xywh = BoxConvention::cornersToXywh({588, 592, 633, 623});  // 588 592 45 31
//
// A reading agrees with the mask when the box it gives overlaps the mask's tight box (pycocotools'
// toBbox, x y w h in pixel edges) with IoU >= 0.5; boxes of one or two pixels off still agree.
#pragma once

#include <array>

namespace rsrefseg {

class BoxConvention
{
  public:
    enum class Reading
    {
        Corners,    // only x1, y1, x2, y2 agrees with the mask
        CornerSize, // only x, y, w, h agrees
        Either,     // both agree (a box at the origin, for example)
        Neither     // neither agrees, or the mask is empty
    };

    static constexpr double kAgreement = 0.5;

    static Reading classify(const std::array<double, 4> &box, const std::array<double, 4> &maskXywh);
    static std::array<double, 4> cornersToXywh(const std::array<double, 4> &corners);
    // IoU of two x, y, w, h boxes (0 when either is empty).
    static double iou(const std::array<double, 4> &a, const std::array<double, 4> &b);
    static const char *name(Reading reading);
};

} // namespace rsrefseg
