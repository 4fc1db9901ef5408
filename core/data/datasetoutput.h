// DatasetOutput: where a converter's JSONL goes. checkTarget() runs before any work (an existing
// file is replaced only when asked; the folder must exist), write() puts the whole file in place
// atomically (writeTextFileAtomically): a conversion that fails half-way leaves nothing.
//
//   DatasetOutput::checkTarget("rrsisd.jsonl", overwrite);
//   ... convert into `text` ...
//   DatasetOutput::write("rrsisd.jsonl", text);
#pragma once

#include "common/atomictextfile.h"
#include "common/error.h"

#include <filesystem>
#include <string>

namespace rsrefseg {

class DatasetOutput
{
  public:
    static void checkTarget(const std::string &path, bool overwrite)
    {
        namespace fs = std::filesystem;
        if (path.empty())
            throw Error("no output file given");
        std::error_code ec;
        if (fs::exists(path, ec) && !overwrite)
            throw Error(path + " exists (pass --overwrite to replace it)");
        if (fs::is_directory(path, ec))
            throw Error(path + " is a folder, not a file");
        const fs::path parent = fs::path(path).parent_path();
        if (!parent.empty() && !fs::is_directory(parent, ec))
            throw Error("the folder of " + path + " does not exist");
    }

    static void write(const std::string &path, const std::string &text) { writeTextFileAtomically(path, text); }
};

} // namespace rsrefseg
