#include "engine/colourtestmodel.h"

#include "common/error.h"
#include "engine/featuremap.h"
#include "engine/imagepreprocessor.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace rsrefseg {

ColourTestModel::ColourTestModel()
    : ColourTestModel(Options())
{
}

ColourTestModel::ColourTestModel(const Options &options)
    : mOptions(options)
{
    if (options.inputSize < 8 || options.activationGrid < 1 || options.activationGrid > options.inputSize)
        throw Error("ColourTestModel: invalid input size or activation grid");
}

int ColourTestModel::channelFor(const std::string &query)
{
    std::string q = query;
    std::transform(q.begin(), q.end(), q.begin(), [](unsigned char c) { return std::tolower(c); });
    if (q.find("red") != std::string::npos)
        return 0;
    if (q.find("green") != std::string::npos)
        return 1;
    if (q.find("blue") != std::string::npos)
        return 2;
    return -1;
}

std::vector<FeaturesPtr> ColourTestModel::encodeImages(const std::vector<cv::Mat> &rgb)
{
    ++mImageCalls;
    std::vector<FeaturesPtr> out;
    const int s = mOptions.inputSize;
    for (const cv::Mat &img : rgb) {
        const cv::Mat resized = ImagePreprocessor::resize(img, s);
        auto f = std::make_shared<FeatureMap>();
        f->tensors["rgb"] =
            torch::from_blob(const_cast<unsigned char *>(resized.ptr<unsigned char>()), {s, s, 3}, torch::kUInt8).clone();
        out.push_back(std::move(f));
        ++mImages;
    }
    return out;
}

FeaturesPtr ColourTestModel::encodeText(const std::string &query)
{
    if (query.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error("the query is empty");
    ++mTextCalls;
    auto f = std::make_shared<FeatureMap>();
    f->tensors["channel"] = torch::full({1}, static_cast<int64_t>(channelFor(query)), torch::kInt64);
    if (mOptions.warnAfterCharacters > 0 && query.size() > mOptions.warnAfterCharacters)
        f->textWarning = "the query has " + std::to_string(query.size()) + " characters, more than the " +
                         std::to_string(mOptions.warnAfterCharacters) + " this test model reads without a warning";
    return f;
}

ModelOutput ColourTestModel::decode(const FeaturesPtr &image, const FeaturesPtr &text)
{
    ++mDecodeCalls;
    const torch::Tensor rgb = image->at("rgb").to(torch::kCPU).contiguous();
    const int64_t channel = text->at("channel").item<int64_t>();
    const int s = mOptions.inputSize;
    if (rgb.dim() != 3 || rgb.size(0) != s || rgb.size(1) != s || rgb.size(2) != 3)
        throw Error("ColourTestModel: image features of the wrong size");
    const cv::Mat img(s, s, CV_8UC3, const_cast<uint8_t *>(rgb.data_ptr<uint8_t>()));

    ModelOutput out;
    out.logits = cv::Mat(s, s, CV_32FC1);
    double sumProb = 0.0;
    int64_t objects = 0;
    for (int y = 0; y < s; ++y) {
        const auto *p = img.ptr<cv::Vec3b>(y);
        auto *l = out.logits.ptr<float>(y);
        for (int x = 0; x < s; ++x) {
            const double v = channel >= 0 ? p[x][static_cast<int>(channel)] : (p[x][0] + p[x][1] + p[x][2]) / 3.0;
            l[x] = logitFor(v);
            if (l[x] > 0.0f) {
                sumProb += 1.0 / (1.0 + std::exp(-static_cast<double>(l[x])));
                ++objects;
            }
        }
    }
    const int g = mOptions.activationGrid;
    out.activation = cv::Mat(g, g, CV_32FC1);
    float best = -1e30f;
    for (int gy = 0; gy < g; ++gy)
        for (int gx = 0; gx < g; ++gx) {
            const int x0 = gx * s / g;
            const int x1 = (gx + 1) * s / g;
            const int y0 = gy * s / g;
            const int y1 = (gy + 1) * s / g;
            double m = 0.0;
            cv::minMaxLoc(out.logits(cv::Range(y0, y1), cv::Range(x0, x1)), nullptr, &m);
            out.activation.at<float>(gy, gx) = static_cast<float>(m);
            best = std::max(best, static_cast<float>(m));
        }
    out.relevance = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(best))));
    out.iou = objects ? static_cast<float>(sumProb / static_cast<double>(objects)) : 0.0f;
    return out;
}

} // namespace rsrefseg
