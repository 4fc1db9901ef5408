// ProgressReporter: how a long-running command (segment, batch, train, eval) tells its caller
// what happens, chosen with `--progress text|jsonl`. Text: ConsoleProgress (a bar on a terminal,
// plain lines in a log) and "rsrefseg: warning: ..." lines. jsonl: JsonProgress, one JSON object
// per line on standard error for programs that run rsrefseg (the QGIS provider, app/qgis), and
// the command's end as a line of its own: "result", "error" or "cancelled" (README, Command line).
//
//   ProgressReporter reporter(a.progress, "segment", a.quiet);
//   reporter.run([&] {
//       Feedback feedback;
//       reporter.attach(feedback);
//       SegmentationResult r = engine.run(request, &feedback);
//       reporter.result(r.toJson(false));
//   });   // jsonl: an exception becomes an "error"/"cancelled" line and a ReportedExit
#pragma once

#include "engine/consoleprogress.h"
#include "engine/jsonprogress.h"
#include "modelhub/modelhub.h"

#include <functional>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace rsrefseg::cli {

// The exit status of a run whose end was already reported as a JSON line; main returns it
// without printing anything more.
struct ReportedExit
{
    int status = 1;
};

class ProgressReporter
{
  public:
    // Adds `--progress text|jsonl` to `cmd`, stored in `format`.
    static void addOption(CLI::App *cmd, std::string &format);

    ProgressReporter(const std::string &format, std::string label, bool quiet);

    bool jsonl() const { return mJsonl; }
    // Sets the feedback's progress, message and warning callbacks.
    void attach(Feedback &feedback);
    void progress(const ProgressInfo &info, std::optional<double> etaSeconds = std::nullopt);
    void info(const std::string &text);
    void warning(const std::string &text);
    void notice(const Notice &notice);
    // The command's result (jsonl only; text mode prints its own summary on standard output).
    void result(const nlohmann::json &fields);
    // Closes an open progress line (text on a terminal).
    void finish();

    // Runs `body`. In jsonl mode an exception ends the stream with an "error" line (exit 1) or,
    // for CancelledError, a "cancelled" line (exit 130), and is replaced by ReportedExit. Text
    // mode lets exceptions pass to main, which prints them.
    void run(const std::function<void()> &body);

  private:
    bool mJsonl = false;
    bool mQuiet = false;
    std::string mLabel;
    ConsoleProgress mConsole;
    JsonProgress mJson;
};

} // namespace rsrefseg::cli
