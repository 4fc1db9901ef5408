#include "train/scenegeometry.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace rsrefseg::synth {

namespace {

constexpr std::array<Direction, 12> kHalfTurn{{{1, 0},
                                               {kC15, kS15},
                                               {kC30, 0.5},
                                               {kC45, kC45},
                                               {0.5, kC30},
                                               {kS15, kC15},
                                               {0, 1},
                                               {-kS15, kC15},
                                               {-0.5, kC30},
                                               {-kC45, kC45},
                                               {-kC30, 0.5},
                                               {-kC15, kS15}}};

} // namespace

Direction direction(int index)
{
    const Direction d = kHalfTurn[static_cast<std::size_t>(index % 12)];
    return index >= 12 ? Direction{-d.c, -d.s} : d;
}

int fixedPoint(double v)
{
    return static_cast<int>(std::floor(v * kOne + 0.5));
}

cv::Point toFixed(const cv::Point2d &p, const cv::Point2d &origin)
{
    return {fixedPoint(p.x - origin.x), fixedPoint(p.y - origin.y)};
}

cv::Rect2d Shape::bounds() const
{
    double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
    for (const auto &poly : polygons)
        for (const auto &p : poly) {
            x0 = std::min(x0, p.x);
            y0 = std::min(y0, p.y);
            x1 = std::max(x1, p.x);
            y1 = std::max(y1, p.y);
        }
    if (disc) {
        x0 = std::min(x0, discCentre.x - discRadius);
        y0 = std::min(y0, discCentre.y - discRadius);
        x1 = std::max(x1, discCentre.x + discRadius);
        y1 = std::max(y1, discCentre.y + discRadius);
    }
    return {x0, y0, x1 - x0, y1 - y0};
}

Shape Shape::shifted(double dx, double dy) const
{
    Shape s = *this;
    for (auto &poly : s.polygons)
        for (auto &p : poly)
            p += cv::Point2d(dx, dy);
    s.discCentre += cv::Point2d(dx, dy);
    return s;
}

void fillPolygon(cv::Mat &dst, const Polygon &poly, const cv::Point2d &origin,
                 const cv::Scalar &value)
{
    std::vector<cv::Point> pts;
    pts.reserve(poly.size());
    for (const auto &p : poly)
        pts.push_back(toFixed(p, origin));
    cv::fillConvexPoly(dst, pts, value, cv::LINE_8, kShift);
}

void fillShape(cv::Mat &dst, const Shape &shape, const cv::Point2d &origin,
               const cv::Scalar &value)
{
    for (const auto &poly : shape.polygons)
        fillPolygon(dst, poly, origin, value);
    if (shape.disc)
        cv::circle(dst, toFixed(shape.discCentre, origin), fixedPoint(shape.discRadius), value,
                   cv::FILLED, cv::LINE_8, kShift);
}

void drawLine(cv::Mat &dst, const cv::Point2d &a, const cv::Point2d &b, const cv::Point2d &origin,
              const cv::Scalar &value, int thickness)
{
    cv::line(dst, toFixed(a, origin), toFixed(b, origin), value, thickness, cv::LINE_8, kShift);
}

Polygon rectangle(const Pose &pose, double u0, double u1, double v0, double v1)
{
    return {pose.at(u0, v0), pose.at(u1, v0), pose.at(u1, v1), pose.at(u0, v1)};
}

} // namespace rsrefseg::synth
