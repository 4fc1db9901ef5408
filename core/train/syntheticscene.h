// SyntheticScene: one generated top-down scene (image + the objects drawn in it) as
// SyntheticSceneGenerator makes it and ReferringExpression resolves sentences against it.
// Plain data: tests may build scenes by hand (fill the object fields, no image needed).
#pragma once

#include <opencv2/core/mat.hpp>
#include <opencv2/core/matx.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace rsrefseg {

enum class SceneObjectClass { StorageTank, Building, Vehicle, Ship, Plane, Court };
enum class SceneColour { White, Grey, Red, Blue, Green, Yellow, Black };
enum class SceneSize { Small, Large };
enum class SceneWater { None, Lake, River };
// A road crosses the whole scene, roughly along one axis (so "left of the road" is defined
// for a vertical road and "above the road" for a horizontal one).
enum class SceneRoad { None, Vertical, Horizontal };

// Words as they appear in sentences ("storage tank", "grey", "small").
std::string sceneClassNoun(SceneObjectClass c);
std::string sceneColourName(SceneColour c);
std::string sceneSizeName(SceneSize s);
// The base RGB of a colour name (objects vary it by +-10 and shade their parts).
cv::Vec3b sceneColourRgb(SceneColour c);
// Data set category ids ("storagetank", "building", "vehicle", "ship", "airplane", "court").
std::string sceneCategoryName(SceneObjectClass c);

struct SceneObject
{
    SceneObjectClass objectClass = SceneObjectClass::Building;
    SceneColour colour = SceneColour::White;
    SceneSize size = SceneSize::Small;
    cv::Rect box;            // bounding box of the object's pixels, image coordinates
    cv::Mat mask;            // CV_8UC1 of box.size(), 1 where the object was drawn (no shadow)
    std::uint64_t area = 0;  // number of object pixels
    // Filled by the generator from the road and water layout (hand-made scenes set them):
    int roadSide = 0;        // -1 left of / above the road, +1 right of / below it, 0 no road
    // Pixels from the object to the road / water (0 on water); infinity when there is none
    // within 40 px (at 512 px scene size, scaled with it).
    double roadDistance = std::numeric_limits<double>::infinity();
    double waterDistance = std::numeric_limits<double>::infinity();

    cv::Point2d centre() const
    {
        return {box.x + box.width / 2.0, box.y + box.height / 2.0};
    }
};

struct SyntheticScene
{
    int width = 0;
    int height = 0;
    cv::Mat image; // CV_8UC3, RGB order
    SceneRoad road = SceneRoad::None;
    SceneWater water = SceneWater::None;
    std::vector<SceneObject> objects;

    // The object's mask at the image size (CV_8UC1, 0/1).
    cv::Mat objectMask(std::size_t index) const;
};

} // namespace rsrefseg
