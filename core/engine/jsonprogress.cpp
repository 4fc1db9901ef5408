#include "engine/jsonprogress.h"

#include <algorithm>
#include <cmath>

namespace rsrefseg {

JsonProgress::JsonProgress(std::ostream &out)
    : mOut(out)
    , mEpoch(std::chrono::steady_clock::now())
{
}

void JsonProgress::attach(Feedback &feedback)
{
    feedback.onProgress = [this](const ProgressInfo &p) { update(p); };
    feedback.onMessage = [this](const std::string &m) { message(Level::Info, m); };
    feedback.onWarning = [this](const std::string &m) { message(Level::Warning, m); };
}

double JsonProgress::clock() const
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - mEpoch).count();
}

std::string JsonProgress::levelName(Level level)
{
    return level == Level::Warning ? "warning" : "info";
}

void JsonProgress::write(const nlohmann::ordered_json &line)
{
    // "type" first (ordered_json keeps the order of insertion). One line per object (dump()
    // without indentation never contains a newline: JSON escapes them inside strings), flushed
    // so that a reader sees it at once. Invalid UTF-8 in a message
    // (a file name) is replaced rather than thrown.
    mOut << line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n" << std::flush;
}

void JsonProgress::update(const ProgressInfo &info, double now, std::optional<double> etaSeconds)
{
    const double t = now >= 0.0 ? now : clock();
    if (mStart < 0.0)
        mStart = t;
    mFraction = std::clamp(std::max(info.fraction, mFraction), 0.0, 1.0);
    // Counted steps (tiles): every one. Uncounted stages: a new stage, 1 % more, or the end.
    const bool newStep = info.total > 0
                             ? info.stage != mLastStage || info.done != mLastDone || info.total != mLastTotal
                             : info.stage != mLastStage;
    const bool grown = mFraction >= mLastFraction + 0.01;
    const bool end = mFraction >= 1.0 && mLastFraction < 1.0;
    if (!newStep && !grown && !end)
        return;
    mLastStage = info.stage;
    mLastDone = info.done;
    mLastTotal = info.total;
    mLastFraction = mFraction;

    nlohmann::ordered_json eta = nullptr;
    if (etaSeconds && std::isfinite(*etaSeconds))
        eta = std::max(0.0, *etaSeconds);
    else if (mFraction >= 1.0)
        eta = 0.0;
    else if (mFraction > 0.0 && t > mStart)
        eta = (t - mStart) * (1.0 - mFraction) / mFraction;
    nlohmann::ordered_json line{{"type", "progress"},  {"stage", info.stage}, {"done", info.done},
                        {"total", info.total}, {"unit", info.unit},   {"fraction", mFraction},
                        {"eta_s", eta}};
    if (!info.detail.empty())
        line["detail"] = info.detail;
    write(line);
}

void JsonProgress::message(Level level, const std::string &text)
{
    write({{"type", "message"}, {"level", levelName(level)}, {"text", text}});
}

void JsonProgress::result(const nlohmann::json &fields)
{
    nlohmann::ordered_json line{{"type", "result"}};
    for (const auto &item : fields.items())
        line[item.key()] = item.value();
    write(line);
}

void JsonProgress::error(const std::string &text)
{
    write({{"type", "error"}, {"text", text}});
}

void JsonProgress::cancelled()
{
    write({{"type", "cancelled"}});
}

} // namespace rsrefseg
