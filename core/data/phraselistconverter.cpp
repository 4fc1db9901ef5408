#include "data/phraselistconverter.h"

#include "common/error.h"
#include "data/datasetoutput.h"
#include "geo/rgbimagefile.h"
#include "train/cocorle.h"
#include "train/jsonlinereader.h"
#include "train/rsrefsegdataset.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace rsrefseg {

namespace {

using Ordered = nlohmann::ordered_json;

struct Phrase
{
    std::string split;
    std::string where; // "<file> line <n>"
    std::string id;
    std::string sentence;
};

std::vector<Phrase> readPhrases(const std::string &path, const std::string &split)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("phrase list " + path + " does not exist or cannot be read");
    std::vector<Phrase> phrases;
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        const std::string where = path + " line " + std::to_string(number);
        if (line.size() > PhraseListConverter::kMaxLineBytes)
            throw Error(where + ": longer than " + std::to_string(PhraseListConverter::kMaxLineBytes) + " bytes");
        if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0)
            line.erase(0, 3);
        const std::string text = JsonLineReader::trim(line);
        if (text.empty())
            continue;
        const auto space = text.find_first_of(" \t");
        Phrase p{split, where, text.substr(0, space), ""};
        if (space != std::string::npos)
            p.sentence = JsonLineReader::trim(text.substr(space + 1));
        if (p.sentence.empty())
            throw Error(where + ": no sentence after the image id \"" + p.id + "\"");
        if (!RSRefSegDataset::isSafeRelativePath(p.id))
            throw Error(where + ": image id \"" + p.id + "\" is not a file name inside the image folder");
        phrases.push_back(std::move(p));
    }
    if (in.bad())
        throw Error("read error in " + path);
    return phrases;
}

// A mask image as an object mask: any non-zero pixel in any band.
CocoRle readMask(const std::string &path, const std::string &where)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(where + ": mask " + path + " does not exist");
    const cv::Mat rgb = RgbImageFile::readRgb(path);
    std::vector<cv::Mat> bands;
    cv::split(rgb, bands);
    const cv::Mat any = bands[0] | bands[1] | bands[2];
    return CocoRle::encode(any);
}

cv::Size imageSize(const std::string &path, const std::string &where)
{
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(where + ": image " + path + " does not exist");
    return RgbImageFile::readSize(path);
}

Ordered lineFor(const Phrase &p, const std::string &fileName, const CocoRle &mask)
{
    Ordered rle;
    rle["size"] = {mask.height(), mask.width()};
    rle["counts"] = mask.toString();
    Ordered line;
    line["split"] = p.split;
    line["image_id"] = p.id;
    line["sent"] = p.sentence;
    line["file_name"] = fileName;
    line["segmentation"] = Ordered::array({rle});
    return line;
}

} // namespace

PhraseListConverter::Layout PhraseListConverter::refSegRs()
{
    return {"refsegrs", "images", "masks", ".tif"};
}

PhraseListConverter::Layout PhraseListConverter::risBench()
{
    return {"risbench", "img_rgb", "mask", ""};
}

PhraseListConverter::PhraseListConverter(Layout layout, Options options)
    : mLayout(std::move(layout))
    , mOptions(std::move(options))
{
}

ConversionSummary PhraseListConverter::run(const Progress &progress) const
{
    const Options &o = mOptions;
    DatasetOutput::checkTarget(o.out, o.overwrite);
    const std::string images = o.images.empty() ? (fs::path(o.root) / mLayout.imageFolder).string() : o.images;
    const std::string masks = o.masks.empty() ? (fs::path(o.root) / mLayout.maskFolder).string() : o.masks;
    std::error_code ec;
    for (const std::string &folder : {images, masks})
        if (!fs::is_directory(folder, ec))
            throw Error(mLayout.name + ": folder " + folder + " does not exist");
    if (o.splits.empty())
        throw Error(mLayout.name + ": no split to convert");
    std::vector<Phrase> phrases;
    for (const std::string &split : o.splits) {
        std::vector<Phrase> more =
            readPhrases((fs::path(o.root) / ("output_phrase_" + split + ".txt")).string(), split);
        phrases.insert(phrases.end(), more.begin(), more.end());
    }

    ConversionSummary summary;
    summary.outPath = o.out;
    std::map<std::string, CocoRle> maskCache;
    std::map<std::string, cv::Size> sizeCache;
    std::ostringstream text;
    for (std::size_t i = 0; i < phrases.size(); ++i) {
        const Phrase &p = phrases[i];
        const std::string fileName = p.id + mLayout.idSuffix;
        auto size = sizeCache.find(fileName);
        if (size == sizeCache.end())
            size = sizeCache.emplace(fileName, imageSize((fs::path(images) / fileName).string(), p.where)).first;
        auto mask = maskCache.find(fileName);
        if (mask == maskCache.end())
            mask = maskCache.emplace(fileName, readMask((fs::path(masks) / fileName).string(), p.where)).first;
        if (mask->second.width() != size->second.width || mask->second.height() != size->second.height)
            throw Error(p.where + ": mask " + fileName + " is " + std::to_string(mask->second.width()) + "x" +
                        std::to_string(mask->second.height()) + " but the image is " +
                        std::to_string(size->second.width) + "x" + std::to_string(size->second.height));
        text << lineFor(p, fileName, mask->second).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
             << "\n";
        ++summary.lines;
        ++summary.linesPerSplit[p.split];
        if (progress)
            progress(i + 1, phrases.size());
    }
    if (summary.lines == 0)
        throw Error(mLayout.name + ": the phrase lists in " + o.root + " hold no sample");
    summary.objects = phrases.size();
    summary.images = sizeCache.size();
    DatasetOutput::write(o.out, text.str());
    return summary;
}

} // namespace rsrefseg
