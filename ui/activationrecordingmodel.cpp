#include "ui/activationrecordingmodel.h"

#include "common/error.h"

namespace rsrefseg {

ActivationRecordingModel::ActivationRecordingModel(std::shared_ptr<SegmentationModel> model)
    : mModel(std::move(model))
{
    if (!mModel)
        throw Error("ActivationRecordingModel: no model");
}

std::vector<FeaturesPtr> ActivationRecordingModel::encodeImages(const std::vector<cv::Mat> &rgb)
{
    return mModel->encodeImages(rgb);
}

FeaturesPtr ActivationRecordingModel::encodeText(const std::string &query)
{
    return mModel->encodeText(query);
}

ModelOutput ActivationRecordingModel::decode(const FeaturesPtr &image, const FeaturesPtr &text)
{
    ModelOutput out = mModel->decode(image, text);
    std::lock_guard<std::mutex> lock(mMutex);
    mLastActivation = out.activation.clone();
    return out;
}

cv::Mat ActivationRecordingModel::lastActivation() const
{
    std::lock_guard<std::mutex> lock(mMutex);
    return mLastActivation.clone();
}

} // namespace rsrefseg
