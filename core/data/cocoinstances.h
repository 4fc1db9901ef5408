// CocoInstances: a COCO-style instances.json as RRSIS-D ships it (README, "Benchmark data"):
// "categories" (name, id), "images" (file_name, height, width, id) and "annotations" (id,
// image_id, the category under "categories_id" as RRSIS-D spells it or COCO's "category_id",
// bbox, segmentation as RLE or polygons, area). Annotations are looked up by id.
//
//   CocoInstances instances = CocoInstances::read("rrsisd/instances.json");
//   const CocoAnnotation *a = instances.annotation(2934);    // nullptr when absent
//   std::string name = instances.categoryName(a->categoryId);
//
// Errors are rsrefseg::Error naming the file and the entry ("instances.json: annotation 7 (id
// 2934): \"image_id\" is not an integer").
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

struct CocoAnnotation
{
    std::int64_t id = 0;
    std::int64_t imageId = 0;
    std::optional<std::int64_t> categoryId;
    nlohmann::json bbox;         // as in the file (null when absent)
    nlohmann::json segmentation; // RLE object, list of RLE objects, or polygons
    nlohmann::json area;         // as in the file (null when absent)
};

struct CocoImage
{
    std::int64_t id = 0;
    std::string fileName;
    int width = 0;
    int height = 0;
};

class CocoInstances
{
  public:
    static CocoInstances read(const std::string &path);
    // `source` names the document in errors.
    static CocoInstances parse(const nlohmann::json &document, const std::string &source);

    const CocoAnnotation *annotation(std::int64_t id) const;
    const CocoImage *image(std::int64_t id) const;
    // The category's name, or nullopt when the id is not among "categories".
    std::optional<std::string> categoryName(std::int64_t id) const;
    std::size_t annotationCount() const { return mAnnotations.size(); }

  private:
    std::map<std::int64_t, CocoAnnotation> mAnnotations;
    std::map<std::int64_t, CocoImage> mImages;
    std::map<std::int64_t, std::string> mCategories;
};

} // namespace rsrefseg
