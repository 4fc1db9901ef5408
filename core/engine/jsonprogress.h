// JsonProgress: progress of a job as JSON Lines, for programs that run rsrefseg (the QGIS
// Processing provider in app/qgis, scripts, schedulers). One JSON object per line, flushed at
// once, on the stream it is given (the command line: standard error, `--progress jsonl`):
//
//   {"type":"progress","stage":"tiles","done":12,"total":144,"unit":"tiles","fraction":0.075,"eta_s":41.2}
//   {"type":"message","level":"info|warning","text":"..."}
//   {"type":"result", ...}          the command's result (e.g. the outputs), last on success
//   {"type":"error","text":"..."}   last line of a failed run (exit status 1 or 2)
//   {"type":"cancelled"}            last line of a run stopped by SIGINT or SIGTERM (exit 130)
//
// Every counted progress step (each tile) gives a line; uncounted stages (post-processing,
// polygons) give a line when the stage changes or the fraction has grown by 1 %. "fraction" is
// of the whole job (0..1, never decreasing); "eta_s" is the seconds left estimated from the
// elapsed time and the fraction, null until something is done.
//
//   JsonProgress progress(std::cerr);
//   progress.attach(feedback);               // sets feedback.onProgress, onMessage, onWarning
//   SegmentationResult r = engine.run(request, &feedback);
//   progress.result({{"outputs", ...}});
#pragma once

#include "engine/feedback.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

namespace rsrefseg {

class JsonProgress
{
  public:
    enum class Level { Info, Warning };

    explicit JsonProgress(std::ostream &out);

    void attach(Feedback &feedback);

    // `now`: seconds on any monotonic clock (tests pass their own); < 0: the steady clock.
    // `etaSeconds`: the job's own estimate; empty: from the elapsed time and the fraction.
    void update(const ProgressInfo &info, double now = -1.0, std::optional<double> etaSeconds = std::nullopt);
    void message(Level level, const std::string &text);
    void result(const nlohmann::json &fields);
    void error(const std::string &text);
    void cancelled();

    static std::string levelName(Level level);

  private:
    double clock() const;
    void write(const nlohmann::ordered_json &line);

    std::ostream &mOut;
    std::chrono::steady_clock::time_point mEpoch;
    double mStart = -1.0; // the clock at the first progress update
    double mFraction = 0.0;
    double mLastFraction = -1.0;
    std::string mLastStage;
    int64_t mLastDone = -1;
    int64_t mLastTotal = -1;
};

} // namespace rsrefseg
