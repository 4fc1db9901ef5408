// ActivationRecordingModel: a SegmentationModel decorator that remembers the global
// activation of the last decode() on the calling thread's model, so that the worker can attach
// it to the tile report the engine hands out right after that decode (the tile inspector's
// heat map) without the engine having to carry it. Everything else is forwarded.
//
//   auto recording = std::make_shared<ActivationRecordingModel>(model);
//   SegmentationEngine engine(recording, options);
//   fb.onTile = [&](const TileReport &t, const cv::Mat &p) { cv::Mat a = recording->lastActivation(); };
#pragma once

#include "engine/segmentationmodel.h"

#include <memory>
#include <mutex>

namespace rsrefseg {

class ActivationRecordingModel : public SegmentationModel
{
  public:
    explicit ActivationRecordingModel(std::shared_ptr<SegmentationModel> model);

    int inputSize() const override { return mModel->inputSize(); }
    std::string modelId() const override { return mModel->modelId(); }
    std::string name() const override { return mModel->name(); }
    std::string dtypeName() const override { return mModel->dtypeName(); }
    double maskThreshold() const override { return mModel->maskThreshold(); }
    bool trained() const override { return mModel->trained(); }

    std::vector<FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) override;
    FeaturesPtr encodeText(const std::string &query) override;
    ModelOutput decode(const FeaturesPtr &image, const FeaturesPtr &text) override;
    std::string textWarning(const std::string &query) const override { return mModel->textWarning(query); }

    // A copy of the activation of the last decode() (empty before any).
    cv::Mat lastActivation() const;
    SegmentationModel &inner() { return *mModel; }

  private:
    std::shared_ptr<SegmentationModel> mModel;
    mutable std::mutex mMutex;
    cv::Mat mLastActivation;
};

} // namespace rsrefseg
