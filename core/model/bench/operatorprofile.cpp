#include "model/bench/operatorprofile.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <map>
#include <sstream>

namespace rsrefseg {

namespace {

namespace prof = torch::autograd::profiler;

struct Open
{
    const prof::LegacyEvent *push;
    double childUs = 0;
};

} // namespace

OperatorProfile OperatorProfile::measure(const std::function<void()> &code)
{
    OperatorProfile result;
    std::map<std::string, Entry> byName;
    const auto t0 = std::chrono::steady_clock::now();
    {
        const torch::profiler::impl::ProfilerConfig config(torch::profiler::impl::ProfilerState::CPU);
        prof::TLSLegacyProfilerGuard guard(config, [&](const prof::thread_event_lists &threads) {
            // Per thread, push/pop events nest like a call stack.
            for (const auto &events : threads) {
                std::vector<Open> stack;
                for (const prof::LegacyEvent &e : events) {
                    if (e.kindStr() == "push") {
                        stack.push_back({&e});
                    } else if (e.kindStr() == "pop" && !stack.empty()) {
                        const Open open = stack.back();
                        stack.pop_back();
                        const double us = open.push->cpuElapsedUs(e);
                        Entry &entry = byName[open.push->name()];
                        entry.name = open.push->name();
                        entry.selfMs += (us - open.childUs) / 1000.0;
                        entry.calls += 1;
                        if (stack.empty())
                            entry.totalMs += us / 1000.0;
                        else
                            stack.back().childUs += us;
                    }
                }
            }
        });
        code();
    }
    result.mWallMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    for (auto &kv : byName)
        result.mEntries.push_back(kv.second);
    std::sort(result.mEntries.begin(), result.mEntries.end(),
              [](const Entry &a, const Entry &b) { return a.selfMs > b.selfMs; });
    return result;
}

double OperatorProfile::selfMsSum() const
{
    double sum = 0;
    for (const Entry &e : mEntries)
        sum += e.selfMs;
    return sum;
}

nlohmann::json OperatorProfile::toJson(size_t top) const
{
    const double sum = selfMsSum();
    nlohmann::json ops = nlohmann::json::array();
    for (size_t i = 0; i < std::min(top, mEntries.size()); ++i) {
        const Entry &e = mEntries[i];
        ops.push_back({{"op", e.name},
                       {"self_ms", e.selfMs},
                       {"self_share", sum > 0 ? e.selfMs / sum : 0.0},
                       {"calls", e.calls}});
    }
    return {{"wall_ms", mWallMs}, {"self_ms_sum", sum}, {"operators", ops}};
}

std::string OperatorProfile::toText(size_t top) const
{
    const double sum = selfMsSum();
    std::ostringstream s;
    s.setf(std::ios::fixed);
    for (size_t i = 0; i < std::min(top, mEntries.size()); ++i) {
        const Entry &e = mEntries[i];
        s << "  " << std::setw(32) << std::left << e.name << std::right << std::setprecision(1) << std::setw(10)
          << e.selfMs << " ms " << std::setw(5) << (sum > 0 ? 100.0 * e.selfMs / sum : 0.0) << " % "
          << std::setw(7) << e.calls << " calls\n";
    }
    return s.str();
}

} // namespace rsrefseg
