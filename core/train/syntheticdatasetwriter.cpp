#include "train/syntheticdatasetwriter.h"

#include "common/error.h"
#include "geo/rgbimagefile.h"
#include "train/cocorle.h"
#include "train/syntheticscenegenerator.h"

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace fs = std::filesystem;

namespace rsrefseg {

namespace {

void renameInto(const fs::path &temp, const fs::path &target)
{
    std::error_code ec;
    fs::rename(temp, target, ec);
    if (ec) {
        fs::remove(temp, ec);
        throw Error("cannot rename " + temp.string() + " to " + target.string() + ": " +
                    ec.message());
    }
}

void writeFileAtomically(const fs::path &target, const std::vector<std::uint8_t> &bytes)
{
    const fs::path temp = target.string() + ".part";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            std::error_code ec;
            fs::remove(temp, ec);
            throw Error("cannot write " + temp.string());
        }
    }
    renameInto(temp, target);
}

void writePng(const fs::path &target, const cv::Mat &rgb)
{
    cv::Mat bgr;
    cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
    std::vector<std::uint8_t> bytes;
    if (!cv::imencode(".png", bgr, bytes))
        throw Error("cannot encode " + target.string() + " as PNG");
    writeFileAtomically(target, bytes);
}

// 256 m across whatever the pixel count; UTM 33N near Berlin, scenes side by side.
void writeGeoTiff(const fs::path &target, const cv::Mat &rgb, std::uint64_t index)
{
    const double pixel = 256.0 / rgb.cols;
    const double east = 390000.0 + 300.0 * static_cast<double>(index % 64);
    const double north = 5820000.0 - 300.0 * static_cast<double>((index / 64) % 64);
    RgbImageFile::writeGeoTiff(target.string(), rgb, GeoTransform({east, pixel, 0, north, 0, -pixel}), 32633);
}

bool validSplitName(const std::string &s)
{
    if (s.empty() || s.size() > 64)
        return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
            return false;
    return true;
}

int categoryId(SceneObjectClass c)
{
    return static_cast<int>(c);
}

} // namespace

SyntheticDatasetWriter::SyntheticDatasetWriter(Options options)
    : mOptions(std::move(options))
{
    if (mOptions.outDir.empty())
        throw Error("synth: --out must name a folder");
    if (mOptions.count < 1 || mOptions.count > kMaxCount)
        throw Error("synth: --count " + std::to_string(mOptions.count) + " is outside 1.." +
                    std::to_string(kMaxCount));
    if (mOptions.size < SyntheticSceneGenerator::kMinSize ||
        mOptions.size > SyntheticSceneGenerator::kMaxSize)
        throw Error("synth: --size " + std::to_string(mOptions.size) + " is outside " +
                    std::to_string(SyntheticSceneGenerator::kMinSize) + ".." +
                    std::to_string(SyntheticSceneGenerator::kMaxSize));
    if (mOptions.perScene < 1 ||
        mOptions.perScene > SyntheticSceneGenerator::kMaxExpressionsPerScene)
        throw Error("synth: --per-scene " + std::to_string(mOptions.perScene) +
                    " is outside 1.." +
                    std::to_string(SyntheticSceneGenerator::kMaxExpressionsPerScene));
    if (!validSplitName(mOptions.split))
        throw Error("synth: --split \"" + mOptions.split +
                    "\" must be 1-64 letters, digits, '_' or '-'");
}

SyntheticDatasetWriter::Summary SyntheticDatasetWriter::write(
    const std::function<bool(std::uint64_t, std::uint64_t)> &progress) const
{
    const fs::path out(mOptions.outDir);
    const fs::path images = out / "images";
    std::error_code ec;
    fs::create_directories(images, ec);
    if (ec || !fs::is_directory(images))
        throw Error("synth: cannot create " + images.string() +
                    (ec ? ": " + ec.message() : std::string()));

    SyntheticSceneGenerator::Options genOptions;
    genOptions.size = mOptions.size;
    genOptions.expressionsPerScene = mOptions.perScene;
    const SyntheticSceneGenerator generator(mOptions.seed, genOptions);

    Summary summary;
    summary.imageDir = images.string();
    summary.jsonlPath = (out / (mOptions.split + ".jsonl")).string();
    const fs::path jsonlTemp = summary.jsonlPath + ".part";
    std::ofstream jsonl(jsonlTemp, std::ios::binary | std::ios::trunc);
    if (!jsonl)
        throw Error("synth: cannot write " + jsonlTemp.string());
    auto discard = [&] {
        jsonl.close();
        std::error_code ignored;
        fs::remove(jsonlTemp, ignored);
    };

    try {
        const char *extension = mOptions.geotiff ? ".tif" : ".png";
        for (std::uint64_t i = 0; i < mOptions.count; ++i) {
            const SyntheticSample sample = generator.generate(i);
            char name[96];
            std::snprintf(name, sizeof name, "%s_%06llu%s", mOptions.split.c_str(),
                          static_cast<unsigned long long>(i), extension);
            if (mOptions.geotiff)
                writeGeoTiff(images / name, sample.scene.image, i);
            else
                writePng(images / name, sample.scene.image);
            for (std::size_t j = 0; j < sample.referrals.size(); ++j) {
                const SyntheticReferral &r = sample.referrals[j];
                const SceneObject &o = sample.scene.objects[r.objectIndex];
                const CocoRle rle = CocoRle::encode(sample.scene.objectMask(r.objectIndex));
                const auto box = rle.boundingBox();
                nlohmann::json line{
                    {"file_name", name},
                    {"sent", r.sentence},
                    {"segmentation", nlohmann::json::array({rle.toJson()})},
                    {"bbox", {box[0], box[1], box[2], box[3]}},
                    {"area", rle.area()},
                    {"split", mOptions.split},
                    {"category_name", sceneCategoryName(o.objectClass)},
                    {"category_id", categoryId(o.objectClass)},
                    {"image_id", i},
                    {"ann_id", i * static_cast<std::uint64_t>(mOptions.perScene) + j}};
                jsonl << line.dump() << '\n';
                ++summary.sentences;
            }
            ++summary.scenes;
            if (!jsonl)
                throw Error("synth: cannot write " + jsonlTemp.string());
            if (progress && !progress(i + 1, mOptions.count))
                throw CancelledError();
        }
        jsonl.close();
        if (!jsonl)
            throw Error("synth: cannot write " + jsonlTemp.string());
    } catch (...) {
        discard();
        throw;
    }
    renameInto(jsonlTemp, summary.jsonlPath);
    return summary;
}

} // namespace rsrefseg
