// InterruptGuard: turns SIGINT and SIGTERM into a cancel flag that jobs poll (through
// Feedback::linkCancelFlag), so that Ctrl-C, `kill`, Slurm's or Kubernetes' termination
// signal stop a job between tiles and leave every output and the batch manifest consistent.
// A second signal terminates at once (default action). Restores the previous handlers when
// destroyed. One guard at a time per process.
//
//   InterruptGuard guard;
//   feedback.linkCancelFlag(&InterruptGuard::flag());
//
// Options choose SIGINT alone (the signal stays a plain kill for `rsrefseg train`) and a notice
// written to standard error when the first signal arrives:
//   InterruptGuard guard({/*terminate*/ false, "interrupted, stopping after this step\n"});
#pragma once

#include <atomic>
#include <string>

namespace rsrefseg {

class InterruptGuard
{
  public:
    struct Options
    {
        bool terminate = true; // also catch SIGTERM (SIGINT always)
        std::string notice;    // written to stderr on the first signal (at most 511 bytes kept)
    };

    InterruptGuard();
    explicit InterruptGuard(const Options &options);
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard &) = delete;
    InterruptGuard &operator=(const InterruptGuard &) = delete;

    static const std::atomic<bool> &flag();
    static int signalNumber(); // the signal received, 0 if none

  private:
    bool mTerminate = true;
};

} // namespace rsrefseg
