#include "train/syntheticscene.h"

#include "common/error.h"

#include <opencv2/core.hpp>

namespace rsrefseg {

std::string sceneClassNoun(SceneObjectClass c)
{
    switch (c) {
    case SceneObjectClass::StorageTank: return "storage tank";
    case SceneObjectClass::Building: return "building";
    case SceneObjectClass::Vehicle: return "vehicle";
    case SceneObjectClass::Ship: return "ship";
    case SceneObjectClass::Plane: return "plane";
    case SceneObjectClass::Court: return "court";
    }
    return "object";
}

std::string sceneCategoryName(SceneObjectClass c)
{
    // RRSIS-D's ids where it has the class.
    switch (c) {
    case SceneObjectClass::StorageTank: return "storagetank";
    case SceneObjectClass::Building: return "building";
    case SceneObjectClass::Vehicle: return "vehicle";
    case SceneObjectClass::Ship: return "ship";
    case SceneObjectClass::Plane: return "airplane";
    case SceneObjectClass::Court: return "court";
    }
    return "object";
}

std::string sceneColourName(SceneColour c)
{
    switch (c) {
    case SceneColour::White: return "white";
    case SceneColour::Grey: return "grey";
    case SceneColour::Red: return "red";
    case SceneColour::Blue: return "blue";
    case SceneColour::Green: return "green";
    case SceneColour::Yellow: return "yellow";
    case SceneColour::Black: return "black";
    }
    return "colour";
}

cv::Vec3b sceneColourRgb(SceneColour c)
{
    switch (c) {
    case SceneColour::White: return {232, 232, 226};
    case SceneColour::Grey: return {138, 140, 142};
    case SceneColour::Red: return {186, 48, 42};
    case SceneColour::Blue: return {46, 88, 182};
    case SceneColour::Green: return {52, 138, 64};
    case SceneColour::Yellow: return {222, 190, 44};
    case SceneColour::Black: return {34, 34, 38};
    }
    return {128, 128, 128};
}

std::string sceneSizeName(SceneSize s)
{
    return s == SceneSize::Small ? "small" : "large";
}

cv::Mat SyntheticScene::objectMask(std::size_t index) const
{
    if (index >= objects.size())
        throw Error("synthetic scene: object " + std::to_string(index) + " out of range");
    const SceneObject &o = objects[index];
    cv::Mat full = cv::Mat::zeros(height, width, CV_8UC1);
    const cv::Rect inside = o.box & cv::Rect(0, 0, width, height);
    if (inside != o.box || o.mask.size() != o.box.size())
        throw Error("synthetic scene: object " + std::to_string(index) +
                    " has a box outside the image or a mask of another size");
    o.mask.copyTo(full(o.box));
    return full;
}

} // namespace rsrefseg
