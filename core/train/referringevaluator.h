// ReferringEvaluator: runs an RSRefSeg model over a referring-segmentation data set the way the
// reference's test loop does (whole image resized to the model input with OpenCV's bilinear,
// logits resized back to the original image size, sigmoid > the model's mask threshold) and
// scores it with SegmentationMetrics (Pr@0.5..0.9, oIoU = cIoU, mIoU = gIoU) and CategoryMetrics
// (mean IoU per category_name).
//
//   ReferringEvaluator evaluator(model, tokenizer);      // model in eval mode, any device
//   ReferringEvaluator::Options o;  o.keepPredictions = true;
//   EvaluationResult r = evaluator.evaluate(dataset, o);
//   std::cout << ReferringEvaluator::table(r.report);
//   ReferringEvaluator::writeResults("eval-out", r, {{"model", "demo"}});
//   std::vector<cv::Mat> masks = evaluator.predict(rgb, {"the red building", "the white ship"});
//
// Every sentence is encoded on its own (batch 1, as at inference); images are encoded once for
// all the consecutive samples that share them.
#pragma once

#include "model/rsrefseg/rsrefsegmodel.h"
#include "train/categorymetrics.h"
#include "train/cocorle.h"
#include "train/rsrefsegdataset.h"
#include "train/segmentationmetrics.h"

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>

#include <functional>
#include <string>
#include <vector>

namespace rsrefseg {

class SiglipTokenizer;

struct EvaluationSample
{
    std::size_t index = 0;      // into the data set
    std::size_t lineNumber = 0; // in the JSONL file
    std::string fileName;
    std::string sentence;
    std::string categoryName;   // "" when the line has none
    SampleIoU iou;
    uint64_t predictedArea = 0;
    uint64_t truthArea = 0;
    double iouPrediction = 0.0; // the mask decoder's own IoU estimate
    double relevance = 0.0;     // max of sigmoid(global activation): SigLIP's "is it here"
    CocoRle prediction;         // only with Options::keepPredictions
};

struct EvaluationResult
{
    SegmentationReport report;
    CategoryReport categories;  // mean IoU per category_name (CategoryMetrics)
    std::vector<EvaluationSample> samples;
    double seconds = 0.0;
};

class ReferringEvaluator
{
  public:
    struct Options
    {
        int64_t imageBatch = 4;       // distinct images encoded together
        std::size_t limit = 0;        // only the first N samples (0 = all)
        bool keepPredictions = false; // store each predicted mask as RLE
        bool bf16 = false;            // autocast to bfloat16 (GPU mixed precision)
        // Called after each image group; returning false cancels (CancelledError).
        std::function<bool(std::size_t done, std::size_t total)> progress;
    };

    // The model is used as it is (callers put it in eval mode); the tokenizer must outlive this.
    ReferringEvaluator(RSRefSegModel model, const SiglipTokenizer &tokenizer);

    EvaluationResult evaluate(const RSRefSegDataset &data, const Options &options);
    // Masks (CV_8UC1, 0/1, the image's size) for several sentences on one 8-bit RGB image.
    std::vector<cv::Mat> predict(const cv::Mat &rgb, const std::vector<std::string> &sentences);

    // The paper's table (values x 100, two decimals):
    //   samples  Pr@0.5  Pr@0.6  Pr@0.7  Pr@0.8  Pr@0.9  oIoU  mIoU
    static std::string table(const SegmentationReport &report);
    // <dir>/results.jsonl (one line per sample) and <dir>/metrics.json (report, per-category
    // report under "per_category", and `info`), each
    // written to a temporary file and renamed. Creates dir when missing.
    static void writeResults(const std::string &dir, const EvaluationResult &result, const nlohmann::json &info);

  private:
    RSRefSegModel mModel;
    const SiglipTokenizer &mTokenizer;
};

} // namespace rsrefseg
