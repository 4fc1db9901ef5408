#include "engine/consoleprogress.h"

#include <cmath>
#include <cstdio>

#include <unistd.h>

namespace rsrefseg {

ConsoleProgress::ConsoleProgress(std::ostream &out, bool terminal, std::string label)
    : mOut(out)
    , mTerminal(terminal)
    , mLabel(std::move(label))
    , mEpoch(std::chrono::steady_clock::now())
{
}

bool ConsoleProgress::stderrIsTerminal()
{
    return ::isatty(STDERR_FILENO) == 1;
}

void ConsoleProgress::attach(Feedback &feedback)
{
    feedback.onProgress = [this](const ProgressInfo &p) { update(p); };
    feedback.onMessage = [this](const std::string &m) { message(m); };
}

double ConsoleProgress::clock() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - mEpoch).count();
}

std::string ConsoleProgress::formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        return "?";
    const long s = std::lround(seconds);
    char buf[32];
    if (s < 60)
        std::snprintf(buf, sizeof buf, "%lds", s);
    else if (s < 3600)
        std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    return buf;
}

std::string ConsoleProgress::bar(double fraction, int width)
{
    const double f = std::min(1.0, std::max(0.0, fraction));
    const int filled = static_cast<int>(std::floor(f * width + 1e-9));
    return "[" + std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.') +
           "]";
}

std::string ConsoleProgress::describe(const ProgressInfo &info, double elapsed)
{
    char buf[256];
    std::string out;
    if (info.total > 0) {
        std::snprintf(buf, sizeof buf, "%lld/%lld %s", static_cast<long long>(info.done),
                      static_cast<long long>(info.total), info.unit.c_str());
        out = buf;
        if (info.done > 0 && elapsed > 0) {
            const double rate = static_cast<double>(info.done) / elapsed;
            std::snprintf(buf, sizeof buf, "  %.2f %s/s  ETA %s", rate, info.unit.c_str(),
                          formatDuration(static_cast<double>(info.total - info.done) / rate).c_str());
            out += buf;
        }
    } else {
        out = info.stage;
    }
    std::snprintf(buf, sizeof buf, "  (%d%%)", static_cast<int>(std::floor(info.fraction * 100.0 + 1e-9)));
    out += buf;
    if (!info.detail.empty())
        out += "  " + info.detail;
    return out;
}

void ConsoleProgress::update(const ProgressInfo &info, double now)
{
    const double t = now >= 0.0 ? now : clock();
    if (info.stage != mStage) {
        mStage = info.stage;
        mStageStart = t;
    }
    const std::string text = mLabel + ": " + describe(info, t - mStageStart);
    const bool final = info.fraction >= 1.0;
    if (mTerminal) {
        if (!final && t - mLastPrint < 0.1)
            return;
        mLastPrint = t;
        mLastLine = bar(info.fraction, 24) + " " + text;
        mOut << "\r" << mLastLine << "\x1b[K" << std::flush;
        mLineOpen = true;
        return;
    }
    // Plain lines: every 10 % of the job or every 10 s, and the end.
    const int decile = static_cast<int>(std::floor(info.fraction * 10.0 + 1e-9));
    if (!final && decile == mLastDecile && t - mLastPrint < 10.0)
        return;
    if (final && mLastDecile == 10)
        return;
    mLastDecile = decile;
    mLastPrint = t;
    mOut << text << "\n" << std::flush;
}

void ConsoleProgress::message(const std::string &text)
{
    if (mTerminal && mLineOpen) {
        mOut << "\r\x1b[K" << mLabel << ": " << text << "\n" << mLastLine << std::flush;
        return;
    }
    mOut << mLabel << ": " << text << "\n" << std::flush;
}

void ConsoleProgress::finish()
{
    if (mTerminal && mLineOpen) {
        mOut << "\n" << std::flush;
        mLineOpen = false;
    }
}

} // namespace rsrefseg
