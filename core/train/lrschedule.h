// LrSchedule: the learning rate of every optimizer step, as the reference's mmengine schedulers
// (LinearLR start_factor 0.01 for the warm-up, then CosineAnnealingLR with eta_min_ratio 0.001),
// both counted in steps here:
//   step s < W:  lr * (f + (1 - f) * s / W)                       (f = warm-up start factor)
//   step s >= W: lr * (m + (1 - m) * (1 + cos(pi * (s - W) / (T - 1 - W))) / 2)  (m = min ratio)
// so the first step runs at f * lr, step W at lr and the last step T - 1 at m * lr.
//
//   LrSchedule schedule(1e-4, /*warmup*/ 500, /*total*/ 20000, 0.01, 0.001);
//   double lr = schedule.rate(step);   // step = 0-based index of the optimizer step
#pragma once

#include <cstdint>

namespace rsrefseg {

class LrSchedule
{
  public:
    LrSchedule(double baseLr, int64_t warmupSteps, int64_t totalSteps, double warmupStartFactor,
               double minLrRatio);

    double rate(int64_t step) const;

    double baseLr() const { return mBaseLr; }
    int64_t warmupSteps() const { return mWarmup; }
    int64_t totalSteps() const { return mTotal; }

  private:
    double mBaseLr;
    int64_t mWarmup;
    int64_t mTotal;
    double mStartFactor;
    double mMinRatio;
};

} // namespace rsrefseg
