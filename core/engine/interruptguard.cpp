#include "engine/interruptguard.h"

#include <csignal>

namespace rsrefseg {

namespace {

std::atomic<bool> gFlag{false};
std::atomic<int> gSignal{0};
struct sigaction gOldInt;
struct sigaction gOldTerm;

extern "C" void onSignal(int sig)
{
    if (gFlag.load()) {
        // Second signal: stop now.
        std::signal(sig, SIG_DFL);
        std::raise(sig);
        return;
    }
    gSignal.store(sig);
    gFlag.store(true);
}

} // namespace

InterruptGuard::InterruptGuard()
{
    static_assert(std::atomic<bool>::is_always_lock_free, "signal-safe flag");
    gFlag.store(false);
    gSignal.store(0);
    struct sigaction sa
    {
    };
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, &gOldInt);
    sigaction(SIGTERM, &sa, &gOldTerm);
}

InterruptGuard::~InterruptGuard()
{
    sigaction(SIGINT, &gOldInt, nullptr);
    sigaction(SIGTERM, &gOldTerm, nullptr);
}

const std::atomic<bool> &InterruptGuard::flag()
{
    return gFlag;
}

int InterruptGuard::signalNumber()
{
    return gSignal.load();
}

} // namespace rsrefseg
