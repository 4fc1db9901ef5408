// ConsoleProgress: progress of a job on a console. On a terminal: one self-rewriting line with
// a bar, units done/total, rate and ETA ("[#####.....] 12/144 tiles  0.8 tiles/s  ETA 2m45s");
// otherwise (a log file, a pipe, a Slurm job) plain lines at most every few seconds or every
// 10 %, so that logs stay short and readable.
//
//   ConsoleProgress progress(std::cerr, ConsoleProgress::stderrIsTerminal(), "segment");
//   progress.attach(feedback);        // sets feedback.onProgress and onMessage
//   engine.run(request, &feedback);
//   progress.finish();
#pragma once

#include "engine/feedback.h"

#include <chrono>
#include <ostream>
#include <string>

namespace rsrefseg {

class ConsoleProgress
{
  public:
    ConsoleProgress(std::ostream &out, bool terminal, std::string label);

    static bool stderrIsTerminal();
    void attach(Feedback &feedback);

    // `now`: seconds on any monotonic clock (tests pass their own); < 0: the steady clock.
    void update(const ProgressInfo &info, double now = -1.0);
    void message(const std::string &text);
    void finish();

    // The text of one progress line (no bar) for `info` after `elapsed` seconds in its stage.
    static std::string describe(const ProgressInfo &info, double elapsed);
    static std::string formatDuration(double seconds); // "45s", "2m05s", "1h02m"
    static std::string bar(double fraction, int width);

  private:
    double clock() const;

    std::ostream &mOut;
    bool mTerminal;
    std::string mLabel;
    std::chrono::steady_clock::time_point mEpoch;
    std::string mStage;
    double mStageStart = 0.0;
    double mLastPrint = -1e9;
    int mLastDecile = -1;
    bool mLineOpen = false;
    std::string mLastLine;
};

} // namespace rsrefseg
