// InterruptGuard: turns SIGINT and SIGTERM into a cancel flag that jobs poll (through
// Feedback::linkCancelFlag), so that Ctrl-C, `kill`, Slurm's or Kubernetes' termination
// signal stop a job between tiles and leave every output and the batch manifest consistent.
// A second signal terminates at once (default action). Restores the previous handlers when
// destroyed. One guard at a time per process.
//
//   InterruptGuard guard;
//   feedback.linkCancelFlag(&InterruptGuard::flag());
#pragma once

#include <atomic>

namespace rsrefseg {

class InterruptGuard
{
  public:
    InterruptGuard();
    ~InterruptGuard();
    InterruptGuard(const InterruptGuard &) = delete;
    InterruptGuard &operator=(const InterruptGuard &) = delete;

    static const std::atomic<bool> &flag();
    static int signalNumber(); // the signal received, 0 if none
};

} // namespace rsrefseg
