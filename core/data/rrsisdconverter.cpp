#include "data/rrsisdconverter.h"

#include "common/error.h"
#include "data/boxconvention.h"
#include "data/cocoinstances.h"
#include "data/datasetoutput.h"
#include "data/referringrefs.h"
#include "geo/rgbimagefile.h"
#include "train/cocorle.h"
#include "train/rsrefsegdataset.h"

#include <nlohmann/json.hpp>

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace rsrefseg {

namespace {

using Ordered = nlohmann::ordered_json;

Ordered ordered(const nlohmann::json &value)
{
    return Ordered::parse(value.dump());
}

std::optional<std::array<double, 4>> fourNumbers(const nlohmann::json &box)
{
    if (!box.is_array() || box.size() != 4)
        return std::nullopt;
    std::array<double, 4> b{};
    for (std::size_t i = 0; i < 4; ++i) {
        if (!box[i].is_number())
            return std::nullopt;
        b[i] = box[i].get<double>();
    }
    return b;
}

// The converted mask as upstream writes it: a list with one RLE of compressed counts.
Ordered rleList(const CocoRle &rle)
{
    Ordered one;
    one["size"] = {rle.height(), rle.width()};
    one["counts"] = rle.toString();
    return Ordered::array({one});
}

// Image sizes from the headers, once per file; a missing image names the ref that needs it.
class ImageSizes
{
  public:
    explicit ImageSizes(std::string folder)
        : mFolder(std::move(folder))
    {
    }
    cv::Size of(const std::string &fileName, const std::string &who)
    {
        const auto cached = mSizes.find(fileName);
        if (cached != mSizes.end())
            return cached->second;
        const std::string path = (fs::path(mFolder) / fileName).string();
        std::error_code ec;
        if (!fs::is_regular_file(path, ec))
            throw Error(who + ": image " + path + " does not exist");
        cv::Size size;
        try {
            size = RgbImageFile::readSize(path);
        } catch (const Error &e) {
            throw Error(who + ": " + e.what());
        }
        mSizes.emplace(fileName, size);
        return size;
    }
    std::size_t count() const { return mSizes.size(); }

  private:
    std::string mFolder;
    std::map<std::string, cv::Size> mSizes;
};

// One converted ref: its lines (one per sentence) and its box, if any.
struct ConvertedRef
{
    std::vector<Ordered> lines;
    std::optional<std::array<double, 4>> box;
};

CocoRle annotationMask(const CocoAnnotation &ann, cv::Size imageSize, const std::string &instancesPath,
                       const std::string &who)
{
    const std::string where = instancesPath + ": annotation " + std::to_string(ann.id) + " (" + who + ")";
    CocoRle mask;
    try {
        mask = RSRefSegDataset::parseSegmentation(ann.segmentation, imageSize);
    } catch (const Error &e) {
        throw Error(where + ": " + e.what());
    }
    if (mask.width() != imageSize.width || mask.height() != imageSize.height)
        throw Error(where + ": the mask is " + std::to_string(mask.width()) + "x" + std::to_string(mask.height()) +
                    " but the image is " + std::to_string(imageSize.width) + "x" + std::to_string(imageSize.height));
    return mask;
}

ConvertedRef convertRef(const ReferringRef &ref, const CocoInstances &instances, ImageSizes &sizes,
                        const RrsisdConverter::Options &o, ConversionSummary &summary)
{
    const std::string who = o.refs + ": " + ref.label();
    const CocoAnnotation *ann = instances.annotation(ref.annId);
    if (!ann)
        throw Error(who + ": annotation " + std::to_string(ref.annId) + " is not in " + o.instances);
    if (ann->imageId != ref.imageId)
        throw Error(who + ": image_id " + std::to_string(ref.imageId) + " differs from annotation " +
                    std::to_string(ann->id) + "'s " + std::to_string(ann->imageId));
    if (ann->categoryId && *ann->categoryId != ref.categoryId)
        throw Error(who + ": category_id " + std::to_string(ref.categoryId) + " differs from annotation " +
                    std::to_string(ann->id) + "'s " + std::to_string(*ann->categoryId));
    const std::optional<std::string> category = instances.categoryName(ref.categoryId);
    if (!category)
        throw Error(who + ": category " + std::to_string(ref.categoryId) + " is not among the categories of " +
                    o.instances);
    if (!RSRefSegDataset::isSafeRelativePath(ref.fileName))
        throw Error(who + ": file_name \"" + ref.fileName + "\" is not a relative path inside the image folder");
    const CocoRle mask = annotationMask(*ann, sizes.of(ref.fileName, who), o.instances, ref.label());

    ConvertedRef converted;
    converted.box = fourNumbers(ann->bbox);
    if (converted.box)
        ++summary.boxReadings[BoxConvention::name(BoxConvention::classify(*converted.box, mask.boundingBox()))];
    const Ordered segmentation = rleList(mask);
    for (const RefSentence &sentence : ref.sentences) {
        Ordered line;
        line["file_name"] = ref.fileName;
        line["sent"] = sentence.sent;
        line["segmentation"] = segmentation;
        if (!ann->bbox.is_null()) {
            line["bbox"] = ordered(ann->bbox);
            line["bbox_xywh"] = nullptr; // set (or removed) once every box has been checked
        }
        line["split"] = ref.split;
        line["category_id"] = ref.categoryId;
        line["category_name"] = *category;
        line["image_id"] = ref.imageId;
        line["ann_id"] = ref.annId;
        line["ref_id"] = ref.refId;
        line["sent_id"] = sentence.sentId;
        if (!ann->area.is_null())
            line["area"] = ordered(ann->area);
        converted.lines.push_back(std::move(line));
        ++summary.linesPerSplit[ref.split];
        ++summary.linesPerCategory[*category];
    }
    return converted;
}

// The reading most boxes agree with ("x1,y1,x2,y2" unless x,y,w,h has more votes), or "" when
// no box agrees either way.
std::string boxConvention(const ConversionSummary &summary)
{
    const auto count = [&](BoxConvention::Reading r) {
        const auto it = summary.boxReadings.find(BoxConvention::name(r));
        return it == summary.boxReadings.end() ? std::size_t(0) : it->second;
    };
    const std::size_t corners = count(BoxConvention::Reading::Corners);
    const std::size_t cornerSize = count(BoxConvention::Reading::CornerSize);
    if (corners == 0 && cornerSize == 0)
        return count(BoxConvention::Reading::Either) > 0 ? BoxConvention::name(BoxConvention::Reading::Corners) : "";
    return BoxConvention::name(corners >= cornerSize ? BoxConvention::Reading::Corners
                                                      : BoxConvention::Reading::CornerSize);
}

} // namespace

RrsisdConverter::RrsisdConverter(Options options)
    : mOptions(std::move(options))
{
}

ConversionSummary RrsisdConverter::run(const Progress &progress) const
{
    const Options &o = mOptions;
    DatasetOutput::checkTarget(o.out, o.overwrite);
    std::error_code ec;
    if (!fs::is_directory(o.images, ec))
        throw Error("image folder " + o.images + " does not exist");
    const std::vector<ReferringRef> refs = ReferringRefs::read(o.refs);
    const CocoInstances instances = CocoInstances::read(o.instances);

    ConversionSummary summary;
    summary.outPath = o.out;
    ImageSizes sizes(o.images);
    std::vector<ConvertedRef> converted;
    converted.reserve(refs.size());
    for (std::size_t i = 0; i < refs.size(); ++i) {
        converted.push_back(convertRef(refs[i], instances, sizes, o, summary));
        if (progress)
            progress(i + 1, refs.size());
    }
    summary.boxConvention = boxConvention(summary);
    const bool corners = summary.boxConvention == BoxConvention::name(BoxConvention::Reading::Corners);
    std::ostringstream text;
    for (ConvertedRef &ref : converted) {
        for (Ordered &line : ref.lines) {
            if (ref.box && !summary.boxConvention.empty()) {
                const std::array<double, 4> xywh = corners ? BoxConvention::cornersToXywh(*ref.box) : *ref.box;
                line["bbox_xywh"] = {xywh[0], xywh[1], xywh[2], xywh[3]};
            } else if (line.contains("bbox_xywh")) {
                line.erase("bbox_xywh");
            }
            text << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
            ++summary.lines;
        }
    }
    summary.objects = refs.size();
    summary.images = sizes.count();
    DatasetOutput::write(o.out, text.str());
    return summary;
}

} // namespace rsrefseg
