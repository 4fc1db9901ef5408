#include "train/lrschedule.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>

namespace rsrefseg {

LrSchedule::LrSchedule(double baseLr, int64_t warmupSteps, int64_t totalSteps, double warmupStartFactor,
                       double minLrRatio)
    : mBaseLr(baseLr)
    , mWarmup(std::max<int64_t>(0, warmupSteps))
    , mTotal(std::max<int64_t>(1, totalSteps))
    , mStartFactor(warmupStartFactor)
    , mMinRatio(minLrRatio)
{
    if (!(baseLr > 0.0))
        throw Error("learning-rate schedule: the base learning rate must be positive");
    // A warm-up longer than the run is cut short: the cosine part then never starts.
    mWarmup = std::min(mWarmup, mTotal);
}

double LrSchedule::rate(int64_t step) const
{
    step = std::clamp<int64_t>(step, 0, mTotal - 1);
    if (step < mWarmup) {
        const double t = static_cast<double>(step) / static_cast<double>(mWarmup);
        return mBaseLr * (mStartFactor + (1.0 - mStartFactor) * t);
    }
    const int64_t span = mTotal - mWarmup;
    const double t = span > 1 ? static_cast<double>(step - mWarmup) / static_cast<double>(span - 1) : 0.0;
    constexpr double kPi = 3.14159265358979323846;
    return mBaseLr * (mMinRatio + (1.0 - mMinRatio) * 0.5 * (1.0 + std::cos(kPi * t)));
}

} // namespace rsrefseg
