#include "geo/atomicoutput.h"

#include "common/error.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace rsrefseg {

namespace fs = std::filesystem;

AtomicOutput::AtomicOutput(const std::string &finalPath, bool overwrite)
    : mFinalPath(finalPath)
    , mOverwrite(overwrite)
{
    static std::atomic<int> counter{0};
    const fs::path target(finalPath);
    if (target.filename().empty())
        throw Error("output path '" + finalPath + "' has no file name");
    std::error_code ec;
    fs::path dir = target.parent_path();
    if (dir.empty())
        dir = ".";
    if (!fs::is_directory(dir, ec))
        throw Error("cannot write '" + finalPath + "': folder '" + dir.string() + "' does not exist");
    if (fs::is_directory(target, ec))
        throw Error("cannot write '" + finalPath + "': it is a directory");
    if (fs::exists(target, ec) && !overwrite)
        throw Error("'" + finalPath + "' already exists (use --overwrite to replace it)");
    if (::access(dir.c_str(), W_OK) != 0)
        throw Error("cannot write '" + finalPath + "': folder '" + dir.string() + "' is not writable");

    const fs::path tempDir =
        dir / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    if (!fs::create_directory(tempDir, ec))
        throw Error("cannot write '" + finalPath + "': cannot create temporary folder '" + tempDir.string() +
                    "': " + ec.message());
    mTempDir = tempDir.string();
    mTempPath = (tempDir / target.filename()).string();
}

AtomicOutput::~AtomicOutput()
{
    if (!mCommitted && !mTempDir.empty()) {
        std::error_code ec;
        fs::remove_all(mTempDir, ec);
    }
}

void AtomicOutput::commit()
{
    if (mCommitted)
        return;
    std::error_code ec;
    const fs::path finalDir = fs::path(mFinalPath).parent_path().empty() ? fs::path(".") : fs::path(mFinalPath).parent_path();
    std::vector<fs::path> produced;
    for (const auto &entry : fs::directory_iterator(mTempDir, ec))
        produced.push_back(entry.path());
    if (ec || produced.empty())
        throw Error("cannot write '" + mFinalPath + "': the writer produced no file");
    // Check every name first so that a clash leaves nothing half-moved.
    if (!mOverwrite)
        for (const fs::path &p : produced)
            if (fs::exists(finalDir / p.filename(), ec))
                throw Error("'" + (finalDir / p.filename()).string() + "' already exists (use --overwrite to replace it)");
    // Move the main file last, so that its presence means the family is complete.
    const std::string mainName = fs::path(mTempPath).filename().string();
    std::stable_partition(produced.begin(), produced.end(),
                          [&](const fs::path &p) { return p.filename().string() != mainName; });
    for (const fs::path &p : produced) {
        fs::rename(p, finalDir / p.filename(), ec);
        if (ec)
            throw Error("cannot write '" + (finalDir / p.filename()).string() + "': " + ec.message());
    }
    fs::remove_all(mTempDir, ec);
    mCommitted = true;
}

} // namespace rsrefseg
