// SceneBuilder: draws one synthetic scene (SyntheticSceneGenerator::generateScene): textured
// ground, crop fields, optionally a lake or a river, optionally a road with lane marks, then the
// objects with their shadows, and finally measures each object's side of the road and its
// distance to road and water. One builder per scene; every random draw comes from its seed.
//
//   SyntheticScene scene = SceneBuilder(512, mixSeed(seed, index, attempt, 0x5CE4E)).build();
#pragma once

#include "train/objectdesign.h"
#include "train/pixelnoise.h"
#include "train/scenegeometry.h"
#include "train/scenerandom.h"
#include "train/syntheticscene.h"

#include <opencv2/core.hpp>

#include <cstdint>
#include <vector>

namespace rsrefseg::synth {

class SceneBuilder
{
  public:
    SceneBuilder(int size, std::uint64_t seed);

    SyntheticScene build();

  private:
    // Where a designed object would go: its pixel box and masks (0/1) inside that box.
    struct Placement
    {
        Shape body;
        cv::Rect roi;
        cv::Point2d origin;
        cv::Mat silhouette, shadow, wake;
        cv::Mat footprint; // object, shadow and wakes, grown by the gap to the neighbours
        bool hasWakes = false;
    };

    int scaled(double v) const;
    cv::Rect imageRect() const { return {0, 0, mSize, mSize}; }
    static cv::Rect toPixelRect(const cv::Rect2d &r, int pad);

    void drawGround();
    void drawFields();
    void drawWater();
    void drawRoad();
    // A gently bending line crossing the scene along one axis: points ordered along the axis,
    // the cross coordinate a bounded random walk.
    std::vector<cv::Point2d> crossingLine(bool vertical, double lo, double hi, double step);
    std::vector<cv::Point> toFixedLine(const std::vector<cv::Point2d> &line) const;
    void addNoise(int amplitude);

    void placeObjects();
    bool tryPlace(ObjectDesign d);
    // False when the object would leave the image.
    bool layout(const ObjectDesign &d, int gap, Placement &p) const;
    // Land objects keep off water and road; ships keep within water, off the bridge.
    bool clashes(const ObjectDesign &d, const Placement &p) const;
    void paint(const ObjectDesign &d, const Placement &p);
    void measureObjects();
    // The road's centre line cross coordinate at `along` (piecewise linear).
    double roadCross(double along, bool vertical) const;

    SceneRandom mRng;
    PixelNoise mNoise;
    int mSize;
    double mK;
    SyntheticScene mScene;
    cv::Mat mImage, mWater, mRoad, mBlocked;
    cv::Point2d mSun;
    bool mRiverVertical = false;
    std::vector<cv::Point2d> mRoadLine;
};

} // namespace rsrefseg::synth
