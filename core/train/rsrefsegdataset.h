// RSRefSegDataset: a referring-segmentation data set in the RSRefSeg JSONL layout (what
// RSRefSeg's tools_RSRefSeg/convert_data_to_jsonl.py makes from RRSIS-D) plus its image folder.
// One JSON object per line:
//   {"file_name": "02934.jpg", "sent": "the baseball field on the top",
//    "segmentation": [{"size": [800, 800], "counts": "<pycocotools string>"}],
//    "bbox": [...], "split": "train", "category_name": "baseballfield", "image_id": 2934, ...}
// "segmentation" may be one RLE object, a list of RLE objects (their union; RRSIS-D has exactly
// one, which upstream reads as segmentation[0]), RLE with uncompressed integer counts, or COCO
// polygons [[x1,y1,x2,y2,...], ...] rasterised at the image size (see CocoRle::fromPolygons).
// "file_name" is relative to the image folder. Other fields are optional and kept as given
// ("bbox" is not interpreted: RRSIS-D's converter copies its own box convention).
//
//   RSRefSegDataset::Options options;            // options.split = "val" keeps only val lines
//   RSRefSegDataset data = RSRefSegDataset::load("rrsisd_val.jsonl", "images/", options);
//   for (std::size_t i = 0; i < data.size(); ++i) {
//       cv::Mat rgb = data.loadImage(i);          // CV_8UC3, RGB order
//       cv::Mat mask = data.loadMask(i);          // CV_8UC1, 0/1, same size as the image
//       data.sample(i).sentence;
//   }
//   for (const auto &w : data.warnings()) ...     // skipped lines, each with its line number
//
// Unusable lines (malformed JSON, missing or wrong-typed fields, missing or unreadable images,
// an RLE whose size differs from the image, an empty sentence, a line over maxLineBytes or
// nested deeper than maxJsonDepth, an unsafe file name) are skipped with a warning naming the
// line. load() throws rsrefseg::Error when the file cannot be read or no usable sample remains.
#pragma once

#include "train/cocorle.h"

#include <nlohmann/json_fwd.hpp>
#include <opencv2/core/mat.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

struct RSRefSegSample
{
    std::size_t lineNumber = 0; // 1-based line in the JSONL file
    std::string fileName;       // as in the file, relative to the image folder
    std::string sentence;       // "sent", surrounding white space removed
    std::string split;          // "" when absent
    std::string categoryName;   // "" when absent
    std::optional<std::int64_t> imageId;
    std::optional<std::int64_t> annId;
    std::optional<std::array<double, 4>> bbox; // as given in the file
    CocoRle mask;               // the object, at the image's size
    int imageWidth = 0;
    int imageHeight = 0;
};

struct DatasetWarning
{
    std::size_t lineNumber = 0; // 0 when the warning is not about one line
    std::string message;
};

class RSRefSegDataset
{
  public:
    struct Options
    {
        std::string split;                        // keep only lines of this split ("" = all)
        std::size_t maxLineBytes = 16u << 20;     // longer lines are skipped
        int maxJsonDepth = 16;                    // deeper nesting is skipped unparsed
        bool checkImages = true;                  // open every image header (size, existence)
    };

    // Reads the whole JSONL file. With checkImages == false images are not opened: an RLE
    // gives the image size, and polygon lines (which need it) are skipped with a warning.
    static RSRefSegDataset load(const std::string &jsonlPath, const std::string &imageDir,
                                const Options &options);
    static RSRefSegDataset load(const std::string &jsonlPath, const std::string &imageDir)
    {
        return load(jsonlPath, imageDir, Options());
    }

    std::size_t size() const { return mSamples.size(); }
    const RSRefSegSample &sample(std::size_t index) const;
    const std::vector<RSRefSegSample> &samples() const { return mSamples; }
    const std::vector<DatasetWarning> &warnings() const { return mWarnings; }
    // Lines that were skipped (blank lines and lines of another split are not counted).
    std::size_t skippedLines() const { return mSkippedLines; }
    const std::string &jsonlPath() const { return mJsonlPath; }
    const std::string &imageDir() const { return mImageDir; }
    std::string imagePath(std::size_t index) const;

    // The image as 8-bit RGB (1 band: grey replicated; 2 bands: grey + alpha; 3+: the first
    // three). Throws rsrefseg::Error naming the file when it cannot be read or is not 8-bit.
    cv::Mat loadImage(std::size_t index) const;
    // The object mask, CV_8UC1 with values 0/1.
    cv::Mat loadMask(std::size_t index) const;

    // Reads an image file as 8-bit RGB (the rules of loadImage) and its size from the header
    // alone. Both throw rsrefseg::Error naming the file.
    static cv::Mat readRgbImage(const std::string &path);
    static cv::Size readImageSize(const std::string &path);

    // A "segmentation" value as the lines hold it (one RLE, a list of RLEs = their union, or
    // polygons, which need the image size). Throws rsrefseg::Error naming the problem.
    static CocoRle parseSegmentation(const nlohmann::json &segmentation, std::optional<cv::Size> imageSize);
    // A "file_name" that stays inside the image folder: relative, no "..", no NUL.
    static bool isSafeRelativePath(const std::string &name);

  private:
    std::string mJsonlPath;
    std::string mImageDir;
    std::vector<RSRefSegSample> mSamples;
    std::vector<DatasetWarning> mWarnings;
    std::size_t mSkippedLines = 0;
};

} // namespace rsrefseg
