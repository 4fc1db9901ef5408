#include "data/cocoinstances.h"

#include "common/error.h"

#include <algorithm>
#include <fstream>

namespace rsrefseg {

namespace {

const nlohmann::json &member(const nlohmann::json &object, const char *key, const std::string &where)
{
    const auto it = object.find(key);
    if (it == object.end())
        throw Error(where + ": \"" + key + "\" is missing");
    return *it;
}

std::int64_t integer(const nlohmann::json &object, const char *key, const std::string &where)
{
    const nlohmann::json &value = member(object, key, where);
    if (!value.is_number_integer())
        throw Error(where + ": \"" + key + "\" is not an integer");
    return value.get<std::int64_t>();
}

const nlohmann::json &array(const nlohmann::json &document, const char *key, const std::string &source)
{
    const nlohmann::json &value = member(document, key, source);
    if (!value.is_array())
        throw Error(source + ": \"" + key + "\" is not a list");
    return value;
}

std::string entry(const std::string &source, const char *kind, std::size_t index)
{
    return source + ": " + kind + " " + std::to_string(index);
}

} // namespace

CocoInstances CocoInstances::read(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path + ": cannot open the instances file");
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception &e) {
        throw Error(path + ": malformed JSON: " + e.what());
    }
    return parse(document, path);
}

CocoInstances CocoInstances::parse(const nlohmann::json &document, const std::string &source)
{
    if (!document.is_object())
        throw Error(source + ": not a JSON object");
    CocoInstances instances;
    const nlohmann::json &categories = array(document, "categories", source);
    for (std::size_t i = 0; i < categories.size(); ++i) {
        const std::string where = entry(source, "category", i);
        if (!categories[i].is_object() || !member(categories[i], "name", where).is_string())
            throw Error(where + ": needs a string \"name\"");
        instances.mCategories[integer(categories[i], "id", where)] = categories[i]["name"].get<std::string>();
    }
    const nlohmann::json &images = array(document, "images", source);
    for (std::size_t i = 0; i < images.size(); ++i) {
        const std::string where = entry(source, "image", i);
        const nlohmann::json &item = images[i];
        if (!item.is_object() || !member(item, "file_name", where).is_string())
            throw Error(where + ": needs a string \"file_name\"");
        CocoImage image;
        image.id = integer(item, "id", where);
        image.fileName = item["file_name"].get<std::string>();
        image.width = static_cast<int>(std::clamp<std::int64_t>(integer(item, "width", where), 0, 1 << 30));
        image.height = static_cast<int>(std::clamp<std::int64_t>(integer(item, "height", where), 0, 1 << 30));
        instances.mImages[image.id] = std::move(image);
    }
    const nlohmann::json &annotations = array(document, "annotations", source);
    for (std::size_t i = 0; i < annotations.size(); ++i) {
        std::string where = entry(source, "annotation", i);
        const nlohmann::json &item = annotations[i];
        if (!item.is_object())
            throw Error(where + ": not an object");
        CocoAnnotation a;
        a.id = integer(item, "id", where);
        where += " (id " + std::to_string(a.id) + ")";
        a.imageId = integer(item, "image_id", where);
        // RRSIS-D spells the category key "categories_id"; COCO "category_id".
        for (const char *key : {"categories_id", "category_id"})
            if (item.contains(key) && !a.categoryId)
                a.categoryId = integer(item, key, where);
        a.segmentation = member(item, "segmentation", where);
        a.bbox = item.value("bbox", nlohmann::json());
        a.area = item.value("area", nlohmann::json());
        if (!instances.mAnnotations.emplace(a.id, std::move(a)).second)
            throw Error(where + ": the id appears twice");
    }
    return instances;
}

const CocoAnnotation *CocoInstances::annotation(std::int64_t id) const
{
    const auto it = mAnnotations.find(id);
    return it == mAnnotations.end() ? nullptr : &it->second;
}

const CocoImage *CocoInstances::image(std::int64_t id) const
{
    const auto it = mImages.find(id);
    return it == mImages.end() ? nullptr : &it->second;
}

std::optional<std::string> CocoInstances::categoryName(std::int64_t id) const
{
    const auto it = mCategories.find(id);
    if (it == mCategories.end())
        return std::nullopt;
    return it->second;
}

} // namespace rsrefseg
