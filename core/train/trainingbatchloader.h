// TrainingBatchLoader: turns an RSRefSegDataset into model-ready training batches, in a
// deterministic order: epoch e visits the samples in a permutation drawn from (seed, e) alone,
// so a resumed run sees exactly the batches an uninterrupted one would.
//
//   TrainingBatchLoader loader(dataset, tokenizer, /*input size*/ 1024, /*batch*/ 8, /*seed*/ 1);
//   TrainingBatch b = loader.batch(/*epoch*/ 0, /*step in epoch*/ 3);
//   // b.images [U,3,S,S] in [0,1] (U distinct images); b.imageIndex[i]: sample i's image;
//   // b.labels [B,1,S,S] 0/1; b.inputIds[i] [1, L_i]
//
// Samples of a batch that share an image file share one row of `images`, so the image encoders
// run once per image. With groupByImage the epoch permutes images instead of samples and keeps
// the sentences of one image next to each other (so they land in the same batch: the image is
// encoded once for all of them, and the batch holds different targets on the same scene).
//
// As the reference's training pipeline (mmcv Resize keep_ratio=False): the image is resized to
// S x S with OpenCV's bilinear on uint8, the mask with nearest neighbour. Each sentence is
// tokenised on its own (no padding): the model sees every sentence as it does at inference.
// The last batch of an epoch may be smaller. Sentences are tokenised once, up front.
#pragma once

#include "train/rsrefsegdataset.h"

#include <opencv2/core/mat.hpp>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace rsrefseg {

class SiglipTokenizer;

struct TrainingBatch
{
    std::vector<std::size_t> indices;   // into the dataset
    torch::Tensor images;               // [U, 3, S, S] float32 in [0, 1]: each image once
    std::vector<int64_t> imageIndex;    // per sample: its row in `images`
    torch::Tensor labels;               // [B, 1, S, S] float32, 1 = object
    std::vector<torch::Tensor> inputIds; // per sample [1, L_i] int64, ends with EOS

    int64_t size() const { return static_cast<int64_t>(indices.size()); }
};

class TrainingBatchLoader
{
  public:
    // Throws rsrefseg::Error when the data set is empty, an input is out of range, or a
    // sentence produces an id the model's vocabulary (textVocabSize) does not have.
    TrainingBatchLoader(const RSRefSegDataset &data, const SiglipTokenizer &tokenizer, int inputSize,
                        int64_t batchSize, uint64_t seed, int64_t textVocabSize, bool groupByImage = false);

    int64_t stepsPerEpoch() const;
    int64_t batchSize() const { return mBatchSize; }
    int inputSize() const { return mInputSize; }
    std::size_t truncatedSentences() const { return mTruncated; }

    // The visiting order of one epoch (a permutation of 0..N-1).
    std::vector<std::size_t> epochOrder(int64_t epoch) const;
    TrainingBatch batch(int64_t epoch, int64_t stepInEpoch) const;
    // A batch of the given samples (tests use it to train on a fixed batch).
    TrainingBatch load(const std::vector<std::size_t> &indices) const;

    const std::vector<int64_t> &ids(std::size_t index) const { return mIds.at(index); }

    // 8-bit RGB -> [1, 3, size, size] float in [0, 1] (cv::resize INTER_LINEAR, as upstream).
    static torch::Tensor imageTensor(const cv::Mat &rgb, int size);
    // 0/1 mask -> [1, 1, size, size] float (INTER_NEAREST, as mmcv's label resize).
    static torch::Tensor labelTensor(const cv::Mat &mask, int size);

  private:
    const RSRefSegDataset &mData;
    int mInputSize;
    int64_t mBatchSize;
    uint64_t mSeed;
    bool mGroupByImage;
    std::vector<std::vector<std::size_t>> mGroups; // samples per image file, in file order
    std::vector<std::vector<int64_t>> mIds;
    std::size_t mTruncated = 0;
};

} // namespace rsrefseg
