// writeTextFileAtomically: a small text file (JSON, JSONL) that appears at its final path only
// when complete: written to "<path>.tmp-<pid>" next to it, then renamed (same folder, so the
// rename is atomic). On failure nothing is left and an Error names the file.
#pragma once

#include "common/error.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <unistd.h>

namespace rsrefseg {

inline void writeTextFileAtomically(const std::filesystem::path &path, const std::string &text)
{
    namespace fs = std::filesystem;
    const fs::path temp = path.string() + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            std::error_code ec;
            fs::remove(temp, ec);
            throw Error("cannot write '" + path.string() + "' (disk full or no permission?)");
        }
    }
    std::error_code ec;
    fs::rename(temp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw Error("cannot write '" + path.string() + "': " + ec.message());
    }
}

} // namespace rsrefseg
