#include "modelhub/bundledmodels.h"

#include "common/error.h"

#include <filesystem>
#include <system_error>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

// <exe dir>/../share/rsrefseg/models: the installed layout (bin/ next to share/), which the
// build tree mirrors for the programs in build/bin.
fs::path installedModelsRoot()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec)
        return {};
    return exe.parent_path().parent_path() / "share" / "rsrefseg" / "models";
}

} // namespace

std::vector<std::string> BundledModels::candidates()
{
    const fs::path installed = installedModelsRoot();
    std::vector<fs::path> paths;
    if (!installed.empty())
        paths.push_back(installed / "demo");
#ifdef RSREFSEG_SOURCE_RESOURCES_DIR
    paths.push_back(fs::path(RSREFSEG_SOURCE_RESOURCES_DIR) / "models" / "demo");
#endif
    if (!installed.empty())
        paths.push_back(installed / "golden-tiny");
#ifdef RSREFSEG_BUILD_MODELS_DIR
    paths.push_back(fs::path(RSREFSEG_BUILD_MODELS_DIR) / "golden-tiny");
#endif
    std::vector<std::string> out;
    for (const fs::path &p : paths) {
        const std::string s = p.lexically_normal().string();
        bool seen = false;
        for (const std::string &o : out)
            seen = seen || o == s;
        if (!seen)
            out.push_back(s);
    }
    return out;
}

std::string BundledModels::find()
{
    return find(candidates());
}

std::string BundledModels::find(const std::vector<std::string> &places)
{
    for (const std::string &dir : places) {
        std::error_code ec;
        if (fs::is_regular_file(fs::path(dir) / "manifest.json", ec))
            return dir;
    }
    return {};
}

std::string BundledModels::resolve(const std::string &chosen)
{
    return chosen.empty() ? resolve(chosen, candidates()) : chosen;
}

std::string BundledModels::resolve(const std::string &chosen, const std::vector<std::string> &places)
{
    if (!chosen.empty())
        return chosen;
    const std::string dir = find(places);
    if (!dir.empty())
        return dir;
    std::string list;
    for (size_t i = 0; i < places.size(); ++i)
        list += (i == 0 ? "" : i + 1 == places.size() ? " or " : ", ") + places[i];
    throw Error("no --model given and no bundled model in " + list +
                "; give --model BUNDLE ('rsrefseg model import' makes one)");
}

} // namespace rsrefseg
