#include "train/rsrefsegdataset.h"

#include "common/error.h"
#include "geo/rgbimagefile.h"
#include "train/jsonlinereader.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

namespace fs = std::filesystem;

namespace rsrefseg {

namespace {

constexpr std::size_t kMaxStoredWarnings = 1000;

} // namespace

CocoRle RSRefSegDataset::parseSegmentation(const nlohmann::json &seg, std::optional<cv::Size> imageSize)
{
    if (seg.is_object())
        return CocoRle::fromJson(seg);
    if (!seg.is_array())
        throw Error("\"segmentation\" must be an RLE object, a list of them or a list of polygons");
    if (seg.empty())
        throw Error("\"segmentation\" is an empty list");
    if (seg.front().is_object()) {
        std::vector<CocoRle> parts;
        for (const auto &item : seg)
            parts.push_back(CocoRle::fromJson(item));
        return CocoRle::unionOf(parts);
    }
    if (seg.front().is_array()) {
        if (!imageSize)
            throw Error("\"segmentation\" polygons need the image size (image checks are off)");
        std::vector<std::vector<double>> polygons;
        for (const auto &poly : seg) {
            if (!poly.is_array())
                throw Error("\"segmentation\" mixes polygons with other values");
            std::vector<double> xy;
            xy.reserve(poly.size());
            for (const auto &v : poly) {
                if (!v.is_number())
                    throw Error("\"segmentation\" polygon holds " + v.dump() + ", not a number");
                xy.push_back(v.get<double>());
            }
            polygons.push_back(std::move(xy));
        }
        return CocoRle::fromPolygons(polygons, imageSize->height, imageSize->width);
    }
    throw Error("\"segmentation\" must be an RLE object, a list of them or a list of polygons");
}

bool RSRefSegDataset::isSafeRelativePath(const std::string &name)
{
    if (name.empty() || name.find('\0') != std::string::npos)
        return false;
    const fs::path p(name);
    if (p.is_absolute() || p.has_root_name() || p.has_root_directory())
        return false;
    for (const auto &part : p)
        if (part == "..")
            return false;
    return true;
}

namespace {

std::string requireString(const nlohmann::json &obj, const char *key)
{
    const auto it = obj.find(key);
    if (it == obj.end())
        throw Error(std::string("\"") + key + "\" is missing");
    if (!it->is_string())
        throw Error(std::string("\"") + key + "\" is not a string");
    return it->get<std::string>();
}

std::optional<std::int64_t> optionalInteger(const nlohmann::json &obj, const char *key)
{
    const auto it = obj.find(key);
    if (it == obj.end() || !it->is_number_integer())
        return std::nullopt;
    return it->get<std::int64_t>();
}

std::optional<std::array<double, 4>> optionalBox(const nlohmann::json &obj)
{
    const auto it = obj.find("bbox");
    if (it == obj.end() || !it->is_array() || it->size() != 4)
        return std::nullopt;
    std::array<double, 4> b{};
    for (std::size_t i = 0; i < 4; ++i) {
        if (!(*it)[i].is_number())
            return std::nullopt;
        b[i] = (*it)[i].get<double>();
    }
    return b;
}

// Image sizes from the headers, read once per file: RRSIS-D has several sentences per image.
class ImageSizes
{
  public:
    explicit ImageSizes(std::string imageDir)
        : mImageDir(std::move(imageDir))
    {
    }

    // Throws the image's error (the same one for every line that names it).
    cv::Size of(const std::string &fileName)
    {
        auto cached = mSizes.find(fileName);
        if (cached == mSizes.end()) {
            std::optional<cv::Size> size;
            try {
                size = RSRefSegDataset::readImageSize((fs::path(mImageDir) / fileName).string());
            } catch (const Error &e) {
                mErrors[fileName] = e.what();
            }
            cached = mSizes.emplace(fileName, size).first;
        }
        if (!cached->second)
            throw Error(mErrors[fileName]);
        return *cached->second;
    }

  private:
    std::string mImageDir;
    std::map<std::string, std::optional<cv::Size>> mSizes;
    std::map<std::string, std::string> mErrors;
};

// The sample of one JSON object, or nullopt when it belongs to another split. Throws
// rsrefseg::Error naming what makes the line unusable. `sizes` is null when images are not
// checked.
std::optional<RSRefSegSample> parseSample(const nlohmann::json &obj, std::size_t lineNumber,
                                          const RSRefSegDataset::Options &options, ImageSizes *sizes)
{
    RSRefSegSample s;
    s.lineNumber = lineNumber;
    if (const auto it = obj.find("split"); it != obj.end()) {
        if (!it->is_string())
            throw Error("\"split\" is not a string");
        s.split = it->get<std::string>();
    }
    if (!options.split.empty() && s.split != options.split)
        return std::nullopt;
    s.fileName = requireString(obj, "file_name");
    if (!RSRefSegDataset::isSafeRelativePath(s.fileName))
        throw Error("\"file_name\" " + s.fileName + " is not a relative path inside the image folder");
    s.sentence = JsonLineReader::trim(requireString(obj, "sent"));
    if (s.sentence.empty())
        throw Error("\"sent\" is empty");
    if (const auto it = obj.find("category_name"); it != obj.end() && it->is_string())
        s.categoryName = it->get<std::string>();
    s.imageId = optionalInteger(obj, "image_id");
    s.annId = optionalInteger(obj, "ann_id");
    s.bbox = optionalBox(obj);

    std::optional<cv::Size> imageSize;
    if (sizes)
        imageSize = sizes->of(s.fileName);
    const auto seg = obj.find("segmentation");
    if (seg == obj.end())
        throw Error("\"segmentation\" is missing");
    s.mask = RSRefSegDataset::parseSegmentation(*seg, imageSize);
    if (imageSize && (s.mask.width() != imageSize->width || s.mask.height() != imageSize->height))
        throw Error("segmentation size " + std::to_string(s.mask.height()) + "x" + std::to_string(s.mask.width()) +
                    " (h x w) differs from image " + s.fileName + " (" + std::to_string(imageSize->height) + "x" +
                    std::to_string(imageSize->width) + ")");
    if (s.mask.width() == 0 || s.mask.height() == 0)
        throw Error("segmentation has an empty size");
    s.imageWidth = s.mask.width();
    s.imageHeight = s.mask.height();
    return s;
}

// Why load() finds nothing: the split asked for, how many lines were skipped, the first reason.
std::string noUsableSample(const RSRefSegDataset &data, const std::string &split)
{
    std::string message = "data set " + data.jsonlPath() + ": no usable sample";
    if (!split.empty())
        message += " of split \"" + split + "\"";
    message += " (" + std::to_string(data.skippedLines()) + " lines skipped";
    if (!data.warnings().empty())
        message += "; first: line " + std::to_string(data.warnings().front().lineNumber) + ": " +
                   data.warnings().front().message;
    message += ")";
    return message;
}

} // namespace

RSRefSegDataset RSRefSegDataset::load(const std::string &jsonlPath, const std::string &imageDir,
                                      const Options &options)
{
    std::ifstream in(jsonlPath, std::ios::binary);
    if (!in)
        throw Error("data set " + jsonlPath + ": cannot open the file");
    if (options.checkImages && !fs::is_directory(imageDir))
        throw Error("data set " + jsonlPath + ": image folder " + imageDir + " does not exist");

    RSRefSegDataset data;
    data.mJsonlPath = jsonlPath;
    data.mImageDir = imageDir;

    std::size_t suppressed = 0;
    auto warn = [&](std::size_t line, const std::string &message) {
        ++data.mSkippedLines;
        if (data.mWarnings.size() < kMaxStoredWarnings)
            data.mWarnings.push_back({line, message});
        else
            ++suppressed;
    };

    ImageSizes sizes(imageDir);
    JsonLineReader reader(in, {options.maxLineBytes, options.maxJsonDepth});
    nlohmann::json obj;
    std::string problem;
    while (reader.next(obj, problem)) {
        if (!problem.empty()) {
            warn(reader.lineNumber(), problem);
            continue;
        }
        try {
            if (auto sample = parseSample(obj, reader.lineNumber(), options, options.checkImages ? &sizes : nullptr))
                data.mSamples.push_back(std::move(*sample));
        } catch (const Error &e) {
            warn(reader.lineNumber(), e.what());
        }
    }
    const std::size_t lineNumber = reader.lineNumber();
    if (in.bad())
        throw Error("data set " + jsonlPath + ": read error after line " + std::to_string(lineNumber));
    if (suppressed > 0)
        data.mWarnings.push_back({0, std::to_string(suppressed) + " further skipped lines not listed"});
    if (data.mSamples.empty())
        throw Error(noUsableSample(data, options.split));
    return data;
}

const RSRefSegSample &RSRefSegDataset::sample(std::size_t index) const
{
    if (index >= mSamples.size())
        throw Error("data set " + mJsonlPath + ": sample " + std::to_string(index) +
                    " out of range (" + std::to_string(mSamples.size()) + " samples)");
    return mSamples[index];
}

std::string RSRefSegDataset::imagePath(std::size_t index) const
{
    return (fs::path(mImageDir) / sample(index).fileName).string();
}

cv::Mat RSRefSegDataset::loadImage(std::size_t index) const
{
    const RSRefSegSample &s = sample(index);
    cv::Mat image = readRgbImage(imagePath(index));
    if (image.cols != s.imageWidth || image.rows != s.imageHeight)
        throw Error("image " + imagePath(index) + " is " + std::to_string(image.cols) + "x" +
                    std::to_string(image.rows) + " but its segmentation (line " +
                    std::to_string(s.lineNumber) + ") is " + std::to_string(s.imageWidth) +
                    "x" + std::to_string(s.imageHeight));
    return image;
}

cv::Mat RSRefSegDataset::loadMask(std::size_t index) const
{
    return sample(index).mask.decode();
}

cv::Size RSRefSegDataset::readImageSize(const std::string &path)
{
    return RgbImageFile::readSize(path);
}

cv::Mat RSRefSegDataset::readRgbImage(const std::string &path)
{
    return RgbImageFile::readRgb(path);
}

} // namespace rsrefseg
