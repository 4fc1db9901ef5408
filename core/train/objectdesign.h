// ObjectDesign: one object of a synthetic scene before it is placed: class, colour, size class,
// pose and dimensions, and what follows from them (silhouette, shadow, ship wakes, the painted
// surface details). The colour helpers of the scene generator live here too.
//
//   ObjectDesign d;  d.objectClass = SceneObjectClass::Ship;  ...;  chooseDimensions(d, rng, k);
//   Shape body = silhouette(d);
//   paintBody(patch, origin, d, body, sun, k);
#pragma once

#include "train/scenegeometry.h"
#include "train/scenerandom.h"
#include "train/syntheticscene.h"

#include <opencv2/core.hpp>

#include <utility>
#include <vector>

namespace rsrefseg::synth {

// Colours (RGB).
cv::Scalar rgb(const cv::Vec3b &c);
cv::Scalar shade(const cv::Vec3b &c, double factor);
cv::Vec3b jitter(const cv::Vec3b &c, int delta);
// The colours objects of a class come in.
std::vector<SceneColour> classPalette(SceneObjectClass c);

struct ObjectDesign
{
    SceneObjectClass objectClass;
    SceneColour colour;
    SceneSize size;
    cv::Vec3b rgb;
    Pose pose;
    double length = 0; // tank: diameter
    double width = 0;
};

// Length and width in pixels at 512 (scaled by k), per class and size class. The size classes
// do not overlap in area (smallest large >= 1.6 x largest small).
void chooseDimensions(ObjectDesign &d, SceneRandom &rng, double k);
Shape silhouette(const ObjectDesign &d);
// Shadow offset in pixels (the sun is low in one diagonal direction per scene).
double shadowLength(const ObjectDesign &d, double k);
// Ship wakes: two diverging lines behind the stern (drawn on the water, not part of the ship).
std::vector<std::pair<cv::Point2d, cv::Point2d>> wakeLines(const ObjectDesign &d);
// Paints the object's surface details onto `patch` (whose top-left is `origin` in the image);
// the caller copies only the silhouette's pixels back.
void paintBody(cv::Mat &patch, const cv::Point2d &origin, const ObjectDesign &d, const Shape &body,
               const cv::Point2d &sun, double k);

} // namespace rsrefseg::synth
