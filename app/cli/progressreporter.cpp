#include "progressreporter.h"

#include "common/error.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace rsrefseg::cli {

void ProgressReporter::addOption(CLI::App *cmd, std::string &format)
{
    cmd->add_option("--progress", format,
                    "Progress on standard error: text (a bar on a terminal, plain lines otherwise) or jsonl (one "
                    "JSON object per line: progress, message, result, error, cancelled; for programs)")
        ->check(CLI::IsMember({"text", "jsonl"}))
        ->capture_default_str();
}

ProgressReporter::ProgressReporter(const std::string &format, std::string label, bool quiet)
    : mJsonl(format == "jsonl")
    , mQuiet(quiet)
    , mLabel(std::move(label))
    , mConsole(std::cerr, ConsoleProgress::stderrIsTerminal(), mLabel)
    , mJson(std::cerr)
{
}

void ProgressReporter::attach(Feedback &feedback)
{
    if (mJsonl) {
        mJson.attach(feedback);
        return;
    }
    if (!mQuiet) {
        mConsole.attach(feedback);
        return;
    }
    feedback.onMessage = [](const std::string &m) { std::cerr << "rsrefseg: " << m << "\n"; };
}

void ProgressReporter::progress(const ProgressInfo &info, std::optional<double> etaSeconds)
{
    if (mJsonl)
        mJson.update(info, -1.0, etaSeconds);
    else if (!mQuiet)
        mConsole.update(info);
}

void ProgressReporter::info(const std::string &text)
{
    if (mJsonl)
        mJson.message(JsonProgress::Level::Info, text);
    else
        std::cerr << "rsrefseg: " << text << "\n";
}

void ProgressReporter::warning(const std::string &text)
{
    if (mJsonl)
        mJson.message(JsonProgress::Level::Warning, text);
    else
        std::cerr << "rsrefseg: warning: " << text << "\n";
}

void ProgressReporter::notice(const Notice &notice)
{
    if (mJsonl)
        mJson.message(notice.level == Notice::Level::Warning ? JsonProgress::Level::Warning : JsonProgress::Level::Info,
                      notice.text);
    else
        std::cerr << noticeLine("rsrefseg", notice) << "\n";
}

void ProgressReporter::result(const nlohmann::json &fields)
{
    if (mJsonl)
        mJson.result(fields);
}

void ProgressReporter::finish()
{
    if (!mJsonl)
        mConsole.finish();
}

void ProgressReporter::run(const std::function<void()> &body)
{
    if (!mJsonl) {
        try {
            body();
        } catch (...) {
            finish();
            throw;
        }
        finish();
        return;
    }
    try {
        body();
    } catch (const CancelledError &) {
        mJson.cancelled();
        throw ReportedExit{130};
    } catch (const std::exception &e) {
        mJson.error(e.what());
        throw ReportedExit{1};
    }
}

} // namespace rsrefseg::cli
