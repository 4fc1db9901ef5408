// Small raw benchmark data sets in their distributed layouts, written by the tests themselves
// (README, "Benchmark data"): RRSIS-D (refs(unc).p as a Python 2 protocol-2 pickle with the real
// field names, instances.json with RLE and polygon annotations, JPEG images), RefSegRS and
// RISBench (phrase lists, images, mask images).
//
//   benchfix::Rrsisd raw = benchfix::writeRrsisd(dir);   // raw.refs, raw.instances, raw.images
//   benchfix::writePhraseList(dir, PhraseListConverter::refSegRs());
#pragma once

#include "core/data/picklewriter.h"
#include "train/cocorle.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace benchfix {

namespace fs = std::filesystem;
using pickletest::Py;

inline void writeFile(const fs::path &path, const std::string &bytes)
{
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

// A textured 8-bit RGB image (any extension OpenCV writes: .jpg, .png, .tif).
inline void writeImage(const fs::path &path, int width, int height, int seed)
{
    fs::create_directories(path.parent_path());
    cv::Mat image(height, width, CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>((x * 7 + seed) & 255),
                                                  static_cast<uchar>((y * 5 + seed * 3) & 255), 128);
    cv::imwrite(path.string(), image);
}

// The RRSIS-D fixture: two 40 x 30 images, three annotations (RLE, polygons, RLE), three refs
// (the second with two sentences), boxes stored as x1, y1, x2, y2 like RRSIS-D's.
struct Rrsisd
{
    std::string refs;
    std::string instances;
    std::string images;
    static constexpr int kWidth = 40;
    static constexpr int kHeight = 30;
    // The masks, at the image size.
    cv::Mat rectangleMask;                       // annotation 10 (RLE)
    std::vector<std::vector<double>> polygons;   // annotation 11
    cv::Mat secondMask;                          // annotation 12 (RLE, uncompressed counts)
};

inline Py refEntry(int refId, int annId, int imageId, int categoryId, const char *split, const char *fileName,
                   std::vector<std::pair<int, std::string>> sentences)
{
    std::vector<Py> list;
    std::vector<Py> ids;
    for (const auto &[sentId, sent] : sentences) {
        list.push_back(Py::dict({{"tokens", Py::list({Py::str("the")})},
                                 {"raw", Py::str(sent)},
                                 {"sent_id", Py::integer(sentId)},
                                 {"sent", Py::unicode(sent)}}));
        ids.push_back(Py::integer(sentId));
    }
    return Py::dict({{"image_id", Py::integer(imageId)},
                     {"split", Py::str(split)},
                     {"sentences", Py::list(list)},
                     {"file_name", Py::str(fileName)},
                     {"category_id", Py::integer(categoryId)},
                     {"ann_id", Py::integer(annId)},
                     {"sent_ids", Py::list(ids)},
                     {"ref_id", Py::integer(refId)}});
}

inline nlohmann::json cornersBox(const cv::Mat &mask)
{
    const cv::Rect r = cv::boundingRect(mask);
    return {r.x, r.y, r.x + r.width, r.y + r.height};
}

inline Rrsisd writeRrsisd(const fs::path &dir)
{
    Rrsisd raw;
    raw.refs = (dir / "refs(unc).p").string();
    raw.instances = (dir / "instances.json").string();
    raw.images = (dir / "JPEGImages").string();
    writeImage(dir / "JPEGImages" / "02934.jpg", Rrsisd::kWidth, Rrsisd::kHeight, 1);
    writeImage(dir / "JPEGImages" / "06000.jpg", Rrsisd::kWidth, Rrsisd::kHeight, 2);

    raw.rectangleMask = cv::Mat::zeros(Rrsisd::kHeight, Rrsisd::kWidth, CV_8UC1);
    raw.rectangleMask(cv::Rect(5, 3, 10, 8)).setTo(1);
    raw.polygons = {{20.5, 4.25, 36.75, 9.5, 30.25, 26.5, 18.5, 21.75}};
    raw.secondMask = cv::Mat::zeros(Rrsisd::kHeight, Rrsisd::kWidth, CV_8UC1);
    cv::circle(raw.secondMask, {12, 18}, 7, cv::Scalar(1), cv::FILLED);

    const rsrefseg::CocoRle second = rsrefseg::CocoRle::encode(raw.secondMask);
    nlohmann::json uncompressed = {{"size", {Rrsisd::kHeight, Rrsisd::kWidth}}, {"counts", second.counts()}};
    const rsrefseg::CocoRle polygonMask =
        rsrefseg::CocoRle::fromPolygons(raw.polygons, Rrsisd::kHeight, Rrsisd::kWidth);
    const nlohmann::json instances = {
        {"categories", {{{"name", "airplane"}, {"id", 2}}, {{"name", "vehicle"}, {"id", 18}}}},
        {"images",
         {{{"file_name", "02934.jpg"}, {"height", 30}, {"width", 40}, {"id", 2934}},
          {{"file_name", "06000.jpg"}, {"height", 30}, {"width", 40}, {"id", 6000}}}},
        {"annotations",
         {{{"bbox", cornersBox(raw.rectangleMask)}, {"categories_id", 2}, {"id", 10}, {"image_id", 2934},
           {"segmentation", {rsrefseg::CocoRle::encode(raw.rectangleMask).toJson()}}, {"area", 80}},
          {{"bbox", cornersBox(polygonMask.decode())}, {"categories_id", 18}, {"id", 11}, {"image_id", 2934},
           {"segmentation", raw.polygons}, {"area", 123.5}},
          {{"bbox", cornersBox(raw.secondMask)}, {"categories_id", 2}, {"id", 12}, {"image_id", 6000},
           {"segmentation", {uncompressed}}, {"area", 150}}}}};
    writeFile(raw.instances, instances.dump());

    const Py refs = Py::list({refEntry(100, 10, 2934, 2, "train", "02934.jpg", {{500, "The plane on the left"}}),
                              refEntry(101, 11, 2934, 18, "val", "02934.jpg",
                                       {{501, "the vehicle on the right"}, {502, "a car at the right"}}),
                              refEntry(102, 12, 6000, 2, "test", "06000.jpg", {{503, "the round plane"}})});
    writeFile(raw.refs, pickletest::dumps(refs));
    return raw;
}

// A phrase-list data set in the layout of RefSegRS (ids without extension, .tif files in
// images/ and masks/) or RISBench (ids with extension, img_rgb/ and mask/): two train lines on
// one image, one val line, one test line; masks are 0/255.
struct PhraseList
{
    std::vector<cv::Mat> masks; // per image, 0/1
};

inline PhraseList writePhraseList(const fs::path &root, bool risbench)
{
    const std::string imageFolder = risbench ? "img_rgb" : "images";
    const std::string maskFolder = risbench ? "mask" : "masks";
    const std::string ext = risbench ? ".png" : ".tif";
    const std::vector<std::string> ids = risbench ? std::vector<std::string>{"a1.png", "b2.png", "c3.png"}
                                                  : std::vector<std::string>{"11", "12", "13"};
    PhraseList out;
    fs::create_directories(root / maskFolder);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const std::string file = risbench ? ids[i] : ids[i] + ext;
        writeImage(root / imageFolder / file, 24, 16, static_cast<int>(i));
        cv::Mat mask = cv::Mat::zeros(16, 24, CV_8UC1);
        mask(cv::Rect(static_cast<int>(2 + 3 * i), 4, 6, 5)).setTo(255);
        cv::imwrite((root / maskFolder / file).string(), mask);
        out.masks.push_back(mask / 255);
    }
    writeFile(root / "output_phrase_train.txt",
              ids[0] + " the red roof on the left\n" + ids[0] + "  two  spaces kept\n");
    writeFile(root / "output_phrase_val.txt", "\n" + ids[1] + " a road\n");
    writeFile(root / "output_phrase_test.txt", ids[2] + " the building\n");
    return out;
}

} // namespace benchfix
