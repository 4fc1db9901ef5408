// Feedback: progress and cancellation between a running job and whoever started it (QGIS's
// QgsFeedback idea). Core code calls setProgress()/reportTile() and polls isCancelled(); the
// caller sets the callbacks and may call cancel() from any thread. Callbacks run on the job's
// thread: a GUI must hand the values over to its own thread (queued signals).
//
//   Feedback fb;
//   fb.onProgress = [](const ProgressInfo &p) { std::cerr << p.done << "/" << p.total << "\n"; };
//   fb.onTile = [](const TileReport &t, const cv::Mat &probability) { inspector.add(t); };
//   std::thread worker([&] { engine.run(request, &fb); });   // ... fb.cancel();
#pragma once

#include "engine/tilereport.h"

#include <opencv2/core/mat.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace rsrefseg {

struct ProgressInfo
{
    double fraction = 0.0; // 0..1 of the whole job
    std::string stage;     // "tiles", "post-processing", "polygons", "batch", ...
    int64_t done = 0;      // units done in this stage
    int64_t total = 0;     // units in this stage (0: unknown)
    std::string unit;      // "tiles", "rows", "items"
    std::string detail;    // free text (current file, query)
};

class Feedback
{
  public:
    Feedback() = default;
    virtual ~Feedback() = default;
    Feedback(const Feedback &) = delete;
    Feedback &operator=(const Feedback &) = delete;

    // Any thread.
    void cancel() { mCancelled.store(true); }
    bool isCancelled() const;
    // Also cancelled when *flag becomes true (e.g. InterruptGuard's signal flag).
    void linkCancelFlag(const std::atomic<bool> *flag) { mLinked = flag; }
    // Also cancelled when `parent` is (a job's feedback inside a batch's).
    void linkParent(const Feedback *parent) { mParent = parent; }
    ProgressInfo progress() const;

    // Job side.
    void throwIfCancelled() const; // throws CancelledError
    void setProgress(const ProgressInfo &info);
    void reportTile(const TileReport &report, const cv::Mat &probability);
    // Finished output rows of query `queryIndex` (probability CV_32F, validity CV_8U 0/255),
    // in the output grid's row order.
    void reportRows(int queryIndex, int y, const cv::Mat &probability, const cv::Mat &valid);
    void message(const std::string &text);
    // Something the user should act on (a clipped region, a tile left out, a truncated query):
    // onWarning when set, else onMessage.
    void warning(const std::string &text);

    // Callbacks (optional), called from the job's thread.
    std::function<void(const ProgressInfo &)> onProgress;
    std::function<void(const TileReport &, const cv::Mat &probability)> onTile;
    std::function<void(int queryIndex, int y, const cv::Mat &probability, const cv::Mat &valid)> onRows;
    std::function<void(const std::string &)> onMessage;
    std::function<void(const std::string &)> onWarning;

  private:
    std::atomic<bool> mCancelled{false};
    const std::atomic<bool> *mLinked = nullptr;
    const Feedback *mParent = nullptr;
    mutable std::mutex mMutex;
    ProgressInfo mProgress;
};

} // namespace rsrefseg
