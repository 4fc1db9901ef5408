// JsonLineReader: the lines of a JSONL file as JSON objects, with the bounds every reader of
// untrusted data sets keeps: a line longer than maxLineBytes is skipped whole (a file without
// newlines cannot make it allocate without bound), nesting deeper than maxJsonDepth is refused
// before parsing, a UTF-8 byte order mark on line 1 is dropped, blank lines are passed over.
// Used by RSRefSegDataset and DatasetChecker (core/data).
//
//   std::ifstream in(path, std::ios::binary);
//   JsonLineReader reader(in, JsonLineReader::Options());
//   nlohmann::json object;
//   std::string problem;
//   while (reader.next(object, problem)) {
//       if (!problem.empty()) { warn(reader.lineNumber(), problem); continue; }
//       use(object);                               // always a JSON object
//   }
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <istream>
#include <string>

namespace rsrefseg {

class JsonLineReader
{
  public:
    struct Options
    {
        std::size_t maxLineBytes = 16u << 20;
        int maxJsonDepth = 16;
    };

    JsonLineReader(std::istream &in, const Options &options);

    // The next non-blank line: true with `object` set and `problem` empty, or true with
    // `problem` saying why the line is unusable (too long, too deep, malformed JSON, not an
    // object); false at the end of the file.
    bool next(nlohmann::json &object, std::string &problem);
    // 1-based number of the line next() returned last.
    std::size_t lineNumber() const { return mLineNumber; }

    static std::string trim(const std::string &s);

  private:
    bool nextLine(std::string &line, bool &tooLong);

    std::istream &mIn;
    Options mOptions;
    std::size_t mLineNumber = 0;
    char mBuffer[1 << 16];
    std::size_t mPos = 0;
    std::size_t mEnd = 0;
};

} // namespace rsrefseg
