#include "data/datasetchecker.h"

#include "common/error.h"
#include "geo/rgbimagefile.h"
#include "train/jsonlinereader.h"
#include "train/rsrefsegdataset.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace rsrefseg {

namespace {

using Kind = DatasetDefect::Kind;

// Thrown inside one line's check: the line's defect.
struct LineDefect
{
    Kind kind;
    std::string message;
};

std::string stringField(const nlohmann::json &obj, const char *key)
{
    const auto it = obj.find(key);
    if (it == obj.end())
        throw LineDefect{Kind::Malformed, std::string("\"") + key + "\" is missing"};
    if (!it->is_string())
        throw LineDefect{Kind::Malformed, std::string("\"") + key + "\" is not a string"};
    return it->get<std::string>();
}

std::string optionalString(const nlohmann::json &obj, const char *key, const std::string &absent)
{
    const auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : absent;
}

class Checker
{
  public:
    explicit Checker(DatasetCheckReport &report)
        : mReport(report)
    {
    }

    void add(std::size_t line, Kind kind, const std::string &message)
    {
        ++mReport.defectCounts[kind];
        if (mReport.defects.size() < DatasetCheckReport::kMaxListed)
            mReport.defects.push_back({kind, line, message});
    }

    // One line's checks; throws LineDefect for an unusable line.
    void line(const nlohmann::json &obj, std::size_t number)
    {
        const std::string fileName = stringField(obj, "file_name");
        if (!RSRefSegDataset::isSafeRelativePath(fileName))
            throw LineDefect{Kind::Malformed, "\"file_name\" " + fileName + " is not inside the image folder"};
        const std::string sentence = JsonLineReader::trim(stringField(obj, "sent"));
        if (sentence.empty())
            throw LineDefect{Kind::Malformed, "\"sent\" is empty"};
        if (!obj.contains("segmentation"))
            throw LineDefect{Kind::Malformed, "\"segmentation\" is missing"};
        const cv::Size size = imageSize(fileName);
        CocoRle mask;
        try {
            mask = RSRefSegDataset::parseSegmentation(obj["segmentation"], size);
        } catch (const Error &e) {
            throw LineDefect{Kind::BadSegmentation, e.what()};
        }
        if (mask.width() != size.width || mask.height() != size.height)
            throw LineDefect{Kind::SizeMismatch, "mask is " + std::to_string(mask.width()) + "x" +
                                                     std::to_string(mask.height()) + " but image " + fileName +
                                                     " is " + std::to_string(size.width) + "x" +
                                                     std::to_string(size.height)};
        ++mReport.usable;
        mImages.insert(fileName);
        ++mReport.perSplit[optionalString(obj, "split", "(none)")];
        ++mReport.perCategory[optionalString(obj, "category_name", "(none)")];
        if (mask.area() == 0)
            add(number, Kind::EmptyMask, "the mask is empty");
        const auto [first, inserted] = mSentences.emplace(fileName + '\n' + sentence, number);
        if (!inserted)
            add(number, Kind::DuplicateSentence,
                "\"" + sentence + "\" on " + fileName + " is also line " + std::to_string(first->second));
    }

    std::size_t imageCount() const { return mImages.size(); }

  private:
    cv::Size imageSize(const std::string &fileName)
    {
        const auto cached = mSizes.find(fileName);
        if (cached != mSizes.end()) {
            if (!cached->second.size)
                throw LineDefect{cached->second.kind, cached->second.message};
            return *cached->second.size;
        }
        ImageState state;
        const std::string path = (fs::path(mReport.imageDir) / fileName).string();
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) {
            state = {std::nullopt, Kind::MissingImage, "image " + path + " does not exist"};
        } else {
            try {
                state.size = RgbImageFile::readSize(path);
            } catch (const Error &e) {
                state = {std::nullopt, Kind::UnreadableImage, e.what()};
            }
        }
        mSizes.emplace(fileName, state);
        if (!state.size)
            throw LineDefect{state.kind, state.message};
        return *state.size;
    }

    struct ImageState
    {
        std::optional<cv::Size> size;
        Kind kind = Kind::MissingImage;
        std::string message;
    };
    DatasetCheckReport &mReport;
    std::map<std::string, ImageState> mSizes;
    std::map<std::string, std::size_t> mSentences;
    std::set<std::string> mImages;
};

} // namespace

DatasetCheckReport DatasetChecker::check(const std::string &jsonlPath, const std::string &imageDir)
{
    std::ifstream in(jsonlPath, std::ios::binary);
    if (!in)
        throw Error("data set " + jsonlPath + ": cannot open the file");
    std::error_code ec;
    if (!fs::is_directory(imageDir, ec))
        throw Error("data set " + jsonlPath + ": image folder " + imageDir + " does not exist");
    DatasetCheckReport report;
    report.jsonlPath = jsonlPath;
    report.imageDir = imageDir;
    Checker checker(report);
    JsonLineReader reader(in, JsonLineReader::Options());
    nlohmann::json obj;
    std::string problem;
    while (reader.next(obj, problem)) {
        ++report.lines;
        if (!problem.empty()) {
            checker.add(reader.lineNumber(), Kind::Malformed, problem);
            continue;
        }
        try {
            checker.line(obj, reader.lineNumber());
        } catch (const LineDefect &d) {
            checker.add(reader.lineNumber(), d.kind, d.message);
        }
    }
    if (in.bad())
        throw Error("data set " + jsonlPath + ": read error after line " + std::to_string(reader.lineNumber()));
    report.images = checker.imageCount();
    return report;
}

} // namespace rsrefseg
