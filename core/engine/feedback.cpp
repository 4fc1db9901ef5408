#include "engine/feedback.h"

#include "common/error.h"

namespace rsrefseg {

bool Feedback::isCancelled() const
{
    return mCancelled.load() || (mLinked && mLinked->load()) || (mParent && mParent->isCancelled());
}

void Feedback::throwIfCancelled() const
{
    if (isCancelled())
        throw CancelledError();
}

ProgressInfo Feedback::progress() const
{
    std::lock_guard<std::mutex> lock(mMutex);
    return mProgress;
}

void Feedback::setProgress(const ProgressInfo &info)
{
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mProgress = info;
    }
    if (onProgress)
        onProgress(info);
}

void Feedback::reportTile(const TileReport &report, const cv::Mat &probability)
{
    if (onTile)
        onTile(report, probability);
}

void Feedback::reportRows(int queryIndex, int y, const cv::Mat &probability, const cv::Mat &valid)
{
    if (onRows)
        onRows(queryIndex, y, probability, valid);
}

void Feedback::message(const std::string &text)
{
    if (onMessage)
        onMessage(text);
}

void Feedback::warning(const std::string &text)
{
    if (onWarning)
        onWarning(text);
    else if (onMessage)
        onMessage(text);
}

} // namespace rsrefseg
