#include "engine/workfolder.h"

#include "common/error.h"

#include <atomic>
#include <filesystem>
#include <system_error>

#include <unistd.h>

namespace rsrefseg {

namespace fs = std::filesystem;

WorkFolder::WorkFolder(const std::string &parent)
{
    static std::atomic<int> counter{0};
    std::error_code ec;
    const fs::path dir = parent.empty() ? fs::path(".") : fs::path(parent);
    if (!fs::is_directory(dir, ec))
        throw Error("cannot write to '" + dir.string() + "': the folder does not exist");
    const fs::path p = dir / (".rsrefseg-work-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(p, ec);
    if (!fs::create_directory(p, ec))
        throw Error("cannot write to '" + dir.string() + "': " +
                    (ec ? ec.message() : std::string("cannot create a scratch folder")));
    mPath = p.string();
}

WorkFolder::~WorkFolder()
{
    std::error_code ec;
    fs::remove_all(mPath, ec);
}

bool WorkFolder::isWorkFolderName(const std::string &name)
{
    return name.rfind(".rsrefseg-work-", 0) == 0;
}

} // namespace rsrefseg
