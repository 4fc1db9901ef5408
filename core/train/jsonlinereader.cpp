#include "train/jsonlinereader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

namespace rsrefseg {

namespace {

// Deepest nesting of arrays/objects in a JSON text, without parsing it (strings skipped).
int jsonDepth(const std::string &text, int limit)
{
    int depth = 0, deepest = 0;
    bool inString = false, escaped = false;
    for (char ch : text) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                inString = false;
            continue;
        }
        if (ch == '"') {
            inString = true;
        } else if (ch == '[' || ch == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > limit)
                return deepest;
        } else if (ch == ']' || ch == '}') {
            --depth;
        }
    }
    return deepest;
}

} // namespace

JsonLineReader::JsonLineReader(std::istream &in, const Options &options)
    : mIn(in)
    , mOptions(options)
{
}

std::string JsonLineReader::trim(const std::string &s)
{
    const char *ws = " \t\r\n\f\v";
    const auto begin = s.find_first_not_of(ws);
    if (begin == std::string::npos)
        return {};
    const auto end = s.find_last_not_of(ws);
    return s.substr(begin, end - begin + 1);
}

bool JsonLineReader::next(nlohmann::json &object, std::string &problem)
{
    std::string line;
    bool tooLong = false;
    while (nextLine(line, tooLong)) {
        ++mLineNumber;
        problem.clear();
        if (tooLong) {
            problem = "line is longer than " + std::to_string(mOptions.maxLineBytes) + " bytes";
            return true;
        }
        if (mLineNumber == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0)
            line.erase(0, 3); // UTF-8 byte order mark
        if (trim(line).empty())
            continue;
        if (jsonDepth(line, mOptions.maxJsonDepth) > mOptions.maxJsonDepth) {
            problem = "JSON nested deeper than " + std::to_string(mOptions.maxJsonDepth);
            return true;
        }
        try {
            object = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception &e) {
            problem = std::string("malformed JSON: ") + e.what();
            return true;
        }
        if (!object.is_object())
            problem = "not a JSON object";
        return true;
    }
    return false;
}

// Reads lines of at most maxLineBytes; longer lines are reported as too long (line empty).
bool JsonLineReader::nextLine(std::string &line, bool &tooLong)
{
    line.clear();
    tooLong = false;
    bool any = false;
    for (;;) {
        if (mPos == mEnd) {
            mIn.read(mBuffer, sizeof mBuffer);
            mEnd = static_cast<std::size_t>(mIn.gcount());
            mPos = 0;
            if (mEnd == 0)
                return any;
        }
        any = true;
        const char *begin = mBuffer + mPos;
        const char *end = mBuffer + mEnd;
        const char *newline = static_cast<const char *>(std::memchr(begin, '\n', end - begin));
        const char *stop = newline ? newline : end;
        if (!tooLong) {
            const std::size_t n = static_cast<std::size_t>(stop - begin);
            if (line.size() + n > mOptions.maxLineBytes) {
                tooLong = true;
                line.clear();
                line.shrink_to_fit();
            } else {
                line.append(begin, n);
            }
        }
        mPos = static_cast<std::size_t>(stop - mBuffer);
        if (newline) {
            ++mPos;
            return true;
        }
    }
}

} // namespace rsrefseg
