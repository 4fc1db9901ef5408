#include "train/referringevaluator.h"

#include "common/atomictextfile.h"
#include "common/error.h"
#include "text/sigliptokenizer.h"
#include "train/autocastguard.h"
#include "train/trainingbatchloader.h"

#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

// One group of consecutive samples that share an image.
struct ImageGroup
{
    std::string fileName;
    std::vector<std::size_t> samples;
};

cv::Mat toMask(const torch::Tensor &binary)
{
    const torch::Tensor t = binary.to(torch::kCPU, torch::kUInt8).contiguous();
    cv::Mat view(static_cast<int>(t.size(0)), static_cast<int>(t.size(1)), CV_8UC1, t.data_ptr());
    return view.clone();
}

} // namespace

ReferringEvaluator::ReferringEvaluator(RSRefSegModel model, const SiglipTokenizer &tokenizer)
    : mModel(std::move(model))
    , mTokenizer(tokenizer)
{
}

EvaluationResult ReferringEvaluator::evaluate(const RSRefSegDataset &data, const Options &options)
{
    const auto start = std::chrono::steady_clock::now();
    const std::size_t total = options.limit > 0 ? std::min(options.limit, data.size()) : data.size();
    std::vector<ImageGroup> groups;
    for (std::size_t i = 0; i < total; ++i) {
        const std::string &file = data.sample(i).fileName;
        if (groups.empty() || groups.back().fileName != file)
            groups.push_back({file, {}});
        groups.back().samples.push_back(i);
    }

    const RSRefSegConfig &config = mModel->config();
    const int size = static_cast<int>(config.imageSize());
    const torch::Device device = mModel->logitScale.device();
    const int64_t maxPositions = config.siglip.text.maxPositionEmbeddings;
    const int64_t vocab = config.siglip.text.vocabSize;
    const int64_t imageBatch = std::max<int64_t>(1, options.imageBatch);

    torch::NoGradGuard noGrad;
    EvaluationResult result;
    SegmentationMetrics metrics;
    CategoryMetrics categoryMetrics;
    result.samples.reserve(total);
    std::size_t done = 0;
    for (std::size_t g0 = 0; g0 < groups.size(); g0 += static_cast<std::size_t>(imageBatch)) {
        const std::size_t g1 = std::min(groups.size(), g0 + static_cast<std::size_t>(imageBatch));
        std::vector<torch::Tensor> inputs;
        std::vector<cv::Size> sizes;
        for (std::size_t g = g0; g < g1; ++g) {
            const cv::Mat rgb = data.loadImage(groups[g].samples.front());
            sizes.push_back(rgb.size());
            inputs.push_back(TrainingBatchLoader::imageTensor(rgb, size));
        }
        AutocastGuard autocast(device.type(), options.bf16);
        const ImageFeatures all = mModel->encodeImage(torch::cat(inputs, 0).to(device));
        for (std::size_t g = g0; g < g1; ++g) {
            const auto row = static_cast<int64_t>(g - g0);
            const ImageFeatures one{all.samEmbeddings.narrow(0, row, 1), all.siglipFeatures.narrow(0, row, 1)};
            for (std::size_t index : groups[g].samples) {
                const RSRefSegSample &s = data.sample(index);
                SiglipTokenizer::Encoding e = mTokenizer.encode(s.sentence);
                for (int64_t id : e.ids)
                    if (id >= vocab)
                        throw Error(data.jsonlPath() + ": line " + std::to_string(s.lineNumber) + ": token id " +
                                    std::to_string(id) + " is outside the model's vocabulary (" + std::to_string(vocab) +
                                    "): the tokenizer does not belong to this model");
                if (maxPositions > 0 && static_cast<int64_t>(e.ids.size()) > maxPositions)
                    throw Error("sentence longer than the text tower on line " + std::to_string(s.lineNumber));
                const torch::Tensor ids = torch::tensor(e.ids, torch::kInt64).unsqueeze(0).to(device);
                const TextFeatures text = mModel->encodeText(ids, torch::ones_like(ids));
                const DecodeOutput out = mModel->decode(one, text);
                const torch::Tensor logits =
                    mModel->upsampleLogits(out.lowResLogits, sizes[g - g0].height, sizes[g - g0].width);
                const cv::Mat predicted =
                    toMask(torch::sigmoid(logits.to(torch::kFloat32))[0][0].gt(config.maskThreshold));
                const cv::Mat truth = data.loadMask(index);

                EvaluationSample r;
                r.index = index;
                r.lineNumber = s.lineNumber;
                r.fileName = s.fileName;
                r.sentence = s.sentence;
                r.categoryName = s.categoryName;
                r.iou = metrics.addSample(predicted, truth);
                categoryMetrics.add(s.categoryName, r.iou);
                r.predictedArea = static_cast<uint64_t>(cv::countNonZero(predicted));
                r.truthArea = static_cast<uint64_t>(cv::countNonZero(truth));
                r.iouPrediction = out.iouPrediction.to(torch::kFloat32).reshape({-1})[0].item<double>();
                r.relevance = torch::sigmoid(out.globalActivationLogit.to(torch::kFloat32)).max().item<double>();
                if (options.keepPredictions)
                    r.prediction = CocoRle::encode(predicted);
                result.samples.push_back(std::move(r));
                ++done;
            }
        }
        if (options.progress && !options.progress(done, total))
            throw CancelledError();
    }
    result.report = metrics.report();
    result.categories = categoryMetrics.report();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

std::vector<cv::Mat> ReferringEvaluator::predict(const cv::Mat &rgb, const std::vector<std::string> &sentences)
{
    const RSRefSegConfig &config = mModel->config();
    const torch::Device device = mModel->logitScale.device();
    torch::NoGradGuard noGrad;
    const ImageFeatures image =
        mModel->encodeImage(TrainingBatchLoader::imageTensor(rgb, static_cast<int>(config.imageSize())).to(device));
    std::vector<cv::Mat> masks;
    for (const std::string &sentence : sentences) {
        const SiglipTokenizer::Encoding e = mTokenizer.encode(sentence);
        const torch::Tensor ids = torch::tensor(e.ids, torch::kInt64).unsqueeze(0).to(device);
        const DecodeOutput out = mModel->decode(image, mModel->encodeText(ids, torch::ones_like(ids)));
        const torch::Tensor logits = mModel->upsampleLogits(out.lowResLogits, rgb.rows, rgb.cols);
        masks.push_back(toMask(torch::sigmoid(logits)[0][0].gt(config.maskThreshold)));
    }
    return masks;
}

std::string ReferringEvaluator::table(const SegmentationReport &r)
{
    std::ostringstream s;
    s << std::fixed << std::setprecision(2);
    s << std::setw(8) << "samples";
    for (double t : SegmentationReport::kThresholds) {
        std::ostringstream h;
        h << "Pr@" << std::setprecision(1) << std::fixed << t;
        s << std::setw(8) << h.str();
    }
    s << std::setw(8) << "oIoU" << std::setw(8) << "mIoU" << "\n";
    s << std::setw(8) << r.samples;
    for (double p : r.precisionAt)
        s << std::setw(8) << 100.0 * p;
    s << std::setw(8) << 100.0 * r.cIoU << std::setw(8) << 100.0 * r.gIoU << "\n";
    return s.str();
}

void ReferringEvaluator::writeResults(const std::string &dir, const EvaluationResult &result, const nlohmann::json &info)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir, ec))
        throw Error("cannot create the results folder '" + dir + "'");
    std::ostringstream lines;
    for (const EvaluationSample &s : result.samples) {
        nlohmann::json j = {{"line", s.lineNumber},
                            {"file_name", s.fileName},
                            {"sent", s.sentence},
                            {"category_name", s.categoryName},
                            {"iou", s.iou.iou},
                            {"intersection", s.iou.intersection},
                            {"union", s.iou.unionArea},
                            {"pred_area", s.predictedArea},
                            {"gt_area", s.truthArea},
                            {"iou_prediction", s.iouPrediction},
                            {"relevance", s.relevance}};
        if (s.prediction.height() > 0)
            j["prediction"] = s.prediction.toJson();
        lines << j.dump() << "\n";
    }
    writeTextFileAtomically(fs::path(dir) / "results.jsonl", lines.str());
    nlohmann::json metrics = info.is_object() ? info : nlohmann::json::object();
    metrics["metrics"] = result.report.toJson();
    metrics["per_category"] = result.categories.toJson();
    metrics["seconds"] = result.seconds;
    writeTextFileAtomically(fs::path(dir) / "metrics.json", metrics.dump(2) + "\n");
}

} // namespace rsrefseg
