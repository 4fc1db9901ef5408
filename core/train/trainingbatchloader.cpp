#include "train/trainingbatchloader.h"

#include "common/error.h"
#include "text/sigliptokenizer.h"

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include <map>
#include <random>

namespace rsrefseg {

namespace {

// Deterministic on every platform: mt19937_64 is specified bit for bit, the bounded draw and
// the shuffle are written out (std::shuffle's algorithm is implementation-defined).
uint64_t boundedDraw(std::mt19937_64 &engine, uint64_t range)
{
    const uint64_t limit = (~uint64_t(0) / range) * range;
    uint64_t v;
    do {
        v = engine();
    } while (v >= limit);
    return v % range;
}

uint64_t mix(uint64_t seed, uint64_t epoch)
{
    uint64_t z = seed * 0x9E3779B97F4A7C15ull + epoch + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

} // namespace

TrainingBatchLoader::TrainingBatchLoader(const RSRefSegDataset &data, const SiglipTokenizer &tokenizer,
                                         int inputSize, int64_t batchSize, uint64_t seed, int64_t textVocabSize,
                                         bool groupByImage)
    : mData(data)
    , mInputSize(inputSize)
    , mBatchSize(batchSize)
    , mSeed(seed)
    , mGroupByImage(groupByImage)
{
    if (data.size() == 0)
        throw Error("training data '" + data.jsonlPath() + "' has no usable sample");
    if (inputSize < 16 || inputSize > 8192)
        throw Error("invalid model input size " + std::to_string(inputSize));
    if (batchSize < 1)
        throw Error("invalid batch size " + std::to_string(batchSize));
    mIds.reserve(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
        SiglipTokenizer::Encoding e = tokenizer.encode(data.sample(i).sentence);
        if (e.truncated)
            ++mTruncated;
        for (int64_t id : e.ids)
            if (id < 0 || id >= textVocabSize)
                throw Error(data.jsonlPath() + ": line " + std::to_string(data.sample(i).lineNumber) +
                            ": the tokenizer produced id " + std::to_string(id) + ", outside the text model's vocabulary of " +
                            std::to_string(textVocabSize) + " (tokenizer and model do not belong together)");
        mIds.push_back(std::move(e.ids));
    }
    std::map<std::string, std::size_t> groupOf;
    for (std::size_t i = 0; i < data.size(); ++i) {
        auto it = groupOf.emplace(data.sample(i).fileName, mGroups.size()).first;
        if (it->second == mGroups.size())
            mGroups.emplace_back();
        mGroups[it->second].push_back(i);
    }
}

int64_t TrainingBatchLoader::stepsPerEpoch() const
{
    const auto n = static_cast<int64_t>(mData.size());
    return (n + mBatchSize - 1) / mBatchSize;
}

std::vector<std::size_t> TrainingBatchLoader::epochOrder(int64_t epoch) const
{
    const std::size_t n = mGroupByImage ? mGroups.size() : mData.size();
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i)
        order[i] = i;
    std::mt19937_64 engine(mix(mSeed, static_cast<uint64_t>(epoch)));
    for (std::size_t i = n; i > 1; --i)
        std::swap(order[i - 1], order[boundedDraw(engine, i)]);
    if (!mGroupByImage)
        return order;
    std::vector<std::size_t> samples;
    samples.reserve(mData.size());
    for (std::size_t g : order)
        samples.insert(samples.end(), mGroups[g].begin(), mGroups[g].end());
    return samples;
}

TrainingBatch TrainingBatchLoader::batch(int64_t epoch, int64_t stepInEpoch) const
{
    if (stepInEpoch < 0 || stepInEpoch >= stepsPerEpoch())
        throw Error("batch " + std::to_string(stepInEpoch) + " is outside the epoch's " +
                    std::to_string(stepsPerEpoch()) + " batches");
    const std::vector<std::size_t> order = epochOrder(epoch);
    const auto begin = static_cast<std::size_t>(stepInEpoch * mBatchSize);
    const std::size_t end = std::min(order.size(), begin + static_cast<std::size_t>(mBatchSize));
    return load(std::vector<std::size_t>(order.begin() + static_cast<std::ptrdiff_t>(begin),
                                         order.begin() + static_cast<std::ptrdiff_t>(end)));
}

TrainingBatch TrainingBatchLoader::load(const std::vector<std::size_t> &indices) const
{
    if (indices.empty())
        throw Error("an empty training batch was requested");
    TrainingBatch b;
    b.indices = indices;
    std::vector<torch::Tensor> images, labels;
    std::map<std::string, int64_t> rowOf;
    for (std::size_t index : indices) {
        if (index >= mData.size())
            throw Error("training sample " + std::to_string(index) + " does not exist");
        const auto [it, added] = rowOf.emplace(mData.sample(index).fileName, static_cast<int64_t>(images.size()));
        if (added)
            images.push_back(imageTensor(mData.loadImage(index), mInputSize));
        b.imageIndex.push_back(it->second);
        labels.push_back(labelTensor(mData.loadMask(index), mInputSize));
        const std::vector<int64_t> &ids = mIds[index];
        b.inputIds.push_back(torch::tensor(ids, torch::kInt64).unsqueeze(0));
    }
    b.images = torch::cat(images, 0);
    b.labels = torch::cat(labels, 0);
    return b;
}

torch::Tensor TrainingBatchLoader::imageTensor(const cv::Mat &rgb, int size)
{
    if (rgb.empty() || rgb.type() != CV_8UC3)
        throw Error("a training image must be 8-bit RGB");
    cv::Mat resized;
    if (rgb.cols == size && rgb.rows == size)
        resized = rgb.isContinuous() ? rgb : rgb.clone();
    else
        cv::resize(rgb, resized, cv::Size(size, size), 0, 0, cv::INTER_LINEAR);
    const torch::Tensor hwc = torch::from_blob(resized.data, {size, size, 3}, torch::kUInt8);
    return hwc.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32).div_(255.0f).contiguous();
}

torch::Tensor TrainingBatchLoader::labelTensor(const cv::Mat &mask, int size)
{
    if (mask.empty() || mask.type() != CV_8UC1)
        throw Error("a training mask must be 8-bit single-channel");
    cv::Mat resized;
    if (mask.cols == size && mask.rows == size)
        resized = mask.isContinuous() ? mask : mask.clone();
    else
        cv::resize(mask, resized, cv::Size(size, size), 0, 0, cv::INTER_NEAREST);
    const torch::Tensor hw = torch::from_blob(resized.data, {size, size}, torch::kUInt8);
    return hw.gt(0).to(torch::kFloat32).view({1, 1, size, size}).contiguous();
}

} // namespace rsrefseg
