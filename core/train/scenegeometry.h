// Scene geometry of the synthetic scene generator (SyntheticSceneGenerator): directions from a
// table (multiples of 15 degrees, so that no libm call decides an object's pixels), object
// poses, silhouettes (convex polygons and/or one disc) and drawing them with OpenCV's integer
// rasterisers at 1/16 pixel precision.
//
//   Pose pose{{256, 256}, direction(3)};                  // 45 degrees
//   Shape s;  s.polygons.push_back(rectangle(pose, -10, 10, -4, 4));
//   fillShape(mask, s, cv::Point2d(roi.x, roi.y), cv::Scalar(1));
#pragma once

#include <opencv2/core.hpp>

#include <array>
#include <vector>

namespace rsrefseg::synth {

struct Direction
{
    double c, s;
};

constexpr double kC15 = 0.96592582628906829, kS15 = 0.25881904510252074;
constexpr double kC30 = 0.86602540378443865, kC45 = 0.70710678118654752;

Direction direction(int index); // 0..23, full turn

struct Pose
{
    cv::Point2d centre;
    Direction dir;
    // (u along the object's length, v across it) -> image coordinates.
    cv::Point2d at(double u, double v) const
    {
        return {centre.x + u * dir.c - v * dir.s, centre.y + u * dir.s + v * dir.c};
    }
};

using Polygon = std::vector<cv::Point2d>;

constexpr int kShift = 4; // sub-pixel bits for OpenCV's rasterisers
constexpr double kOne = 1 << kShift;

int fixedPoint(double v);
cv::Point toFixed(const cv::Point2d &p, const cv::Point2d &origin);

// A silhouette: convex polygons and/or one disc, in image coordinates.
struct Shape
{
    std::vector<Polygon> polygons;
    bool disc = false;
    cv::Point2d discCentre;
    double discRadius = 0;

    cv::Rect2d bounds() const;
    Shape shifted(double dx, double dy) const;
};

// Drawing into `dst`, whose top-left pixel is `origin` in image coordinates.
void fillPolygon(cv::Mat &dst, const Polygon &poly, const cv::Point2d &origin, const cv::Scalar &value);
void fillShape(cv::Mat &dst, const Shape &shape, const cv::Point2d &origin, const cv::Scalar &value);
void drawLine(cv::Mat &dst, const cv::Point2d &a, const cv::Point2d &b, const cv::Point2d &origin,
              const cv::Scalar &value, int thickness);
// The rectangle u0..u1 along the pose, v0..v1 across it.
Polygon rectangle(const Pose &pose, double u0, double u1, double v0, double v1);

} // namespace rsrefseg::synth
