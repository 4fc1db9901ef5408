#include "engine/interruptguard.h"

#include <algorithm>
#include <csignal>
#include <cstring>

#include <unistd.h>

namespace rsrefseg {

namespace {

std::atomic<bool> gFlag{false};
std::atomic<int> gSignal{0};
struct sigaction gOldInt;
struct sigaction gOldTerm;
// The notice, copied before the handler is installed: the handler only reads it.
char gNotice[512];
std::size_t gNoticeLength = 0;

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
    if (gNoticeLength > 0) {
        const ssize_t ignored = ::write(2, gNotice, gNoticeLength); // async-signal-safe
        (void)ignored;
    }
}

} // namespace

InterruptGuard::InterruptGuard()
    : InterruptGuard(Options())
{
}

InterruptGuard::InterruptGuard(const Options &options)
    : mTerminate(options.terminate)
{
    static_assert(std::atomic<bool>::is_always_lock_free, "signal-safe flag");
    gFlag.store(false);
    gSignal.store(0);
    gNoticeLength = std::min(options.notice.size(), sizeof gNotice - 1);
    std::memcpy(gNotice, options.notice.data(), gNoticeLength);
    struct sigaction sa
    {
    };
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, &gOldInt);
    if (mTerminate)
        sigaction(SIGTERM, &sa, &gOldTerm);
}

InterruptGuard::~InterruptGuard()
{
    sigaction(SIGINT, &gOldInt, nullptr);
    if (mTerminate)
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
