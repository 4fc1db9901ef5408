#include "data/boxconvention.h"

#include <algorithm>

namespace rsrefseg {

double BoxConvention::iou(const std::array<double, 4> &a, const std::array<double, 4> &b)
{
    if (a[2] <= 0 || a[3] <= 0 || b[2] <= 0 || b[3] <= 0)
        return 0.0;
    const double w = std::min(a[0] + a[2], b[0] + b[2]) - std::max(a[0], b[0]);
    const double h = std::min(a[1] + a[3], b[1] + b[3]) - std::max(a[1], b[1]);
    if (w <= 0 || h <= 0)
        return 0.0;
    const double inter = w * h;
    return inter / (a[2] * a[3] + b[2] * b[3] - inter);
}

std::array<double, 4> BoxConvention::cornersToXywh(const std::array<double, 4> &c)
{
    return {c[0], c[1], c[2] - c[0], c[3] - c[1]};
}

BoxConvention::Reading BoxConvention::classify(const std::array<double, 4> &box, const std::array<double, 4> &maskXywh)
{
    const bool corners = iou(cornersToXywh(box), maskXywh) >= kAgreement;
    const bool cornerSize = iou(box, maskXywh) >= kAgreement;
    if (corners && cornerSize)
        return Reading::Either;
    if (corners)
        return Reading::Corners;
    return cornerSize ? Reading::CornerSize : Reading::Neither;
}

const char *BoxConvention::name(Reading reading)
{
    switch (reading) {
    case Reading::Corners:
        return "x1,y1,x2,y2";
    case Reading::CornerSize:
        return "x,y,w,h";
    case Reading::Either:
        return "either";
    case Reading::Neither:
        break;
    }
    return "neither";
}

} // namespace rsrefseg
