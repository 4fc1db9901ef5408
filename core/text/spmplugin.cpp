#include "text/spmplugin.h"

#include "common/addresssanitizer.h"
#include "common/error.h"
#include "text/spmpluginfunctions.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

namespace fs = std::filesystem;

namespace rsrefseg {

namespace {

// Opens the plugin file. Normal builds: dlopen with DEEPBIND, so that the plugin (and the
// sentencepiece it pulls in) resolves its own symbols first, never torch's protobuf
// (ARCHITECTURE.md, Platform facts). AddressSanitizer refuses DEEPBIND (same section), so sanitized builds load
// the plugin (built without instrumentation, core/text/spmplugin/CMakeLists.txt) into a link-map
// namespace of its own with dlmopen, which isolates it from torch just as well. Each namespace
// takes static TLS that dlclose never returns (glibc fails the eleventh dlmopen of a process
// that closes its namespaces), so there a namespace is opened once per file and kept.
void *openLibrary(const std::string &path)
{
#ifdef RSREFSEG_ASAN
    static std::mutex mutex;
    static std::map<std::string, void *> namespaces;
    const std::lock_guard<std::mutex> lock(mutex);
    if (auto it = namespaces.find(path); it != namespaces.end())
        return it->second;
    void *library = dlmopen(LM_ID_NEWLM, path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library)
        namespaces.emplace(path, library);
    return library;
#else
    return dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
#endif
}

void closeLibrary(void *library)
{
#ifdef RSREFSEG_ASAN
    (void)library; // kept for the next open (see openLibrary)
#else
    dlclose(library);
#endif
}

fs::path executableDir()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec || exe.empty())
        return {};
    return exe.parent_path();
}

// A folder means "the plugin inside it"; anything else is taken as the plugin file itself.
fs::path pluginFileIn(const fs::path &path)
{
    std::error_code ec;
    if (fs::is_directory(path, ec))
        return path / SpmPlugin::fileName();
    return path;
}

std::string lastDlError()
{
    const char *message = dlerror();
    return message ? message : "unknown dlopen error";
}

} // namespace

std::string SpmPlugin::fileName()
{
    return RSREFSEG_SPM_PLUGIN_FILE;
}

std::vector<std::string> SpmPlugin::searchPaths(const std::string &explicitPath)
{
    std::vector<fs::path> candidates;
    if (!explicitPath.empty()) {
        candidates.push_back(pluginFileIn(explicitPath));
    } else {
        if (const char *dir = std::getenv("RSREFSEG_PLUGIN_DIR"); dir && *dir)
            candidates.push_back(fs::path(dir) / fileName());
        const fs::path exeDir = executableDir();
        if (!exeDir.empty()) {
            candidates.push_back(exeDir / RSREFSEG_SPM_PLUGIN_RELDIR / fileName());
            candidates.push_back(exeDir / fileName());
        }
        candidates.push_back(fs::path(RSREFSEG_SPM_PLUGIN_BUILD_DIR) / fileName());
    }
    std::vector<std::string> paths;
    for (const auto &candidate : candidates) {
        // dlopen searches the library path for a name without a slash: always pass a path.
        std::error_code ec;
        fs::path path = fs::absolute(candidate, ec);
        const std::string text = (ec ? candidate : path).lexically_normal().string();
        if (std::find(paths.begin(), paths.end(), text) == paths.end())
            paths.push_back(text);
    }
    return paths;
}

std::shared_ptr<const SpmPlugin> SpmPlugin::open(const std::string &explicitPath)
{
    std::string tried;
    for (const auto &path : searchPaths(explicitPath)) {
        if (!tried.empty())
            tried += "; ";
        std::error_code ec;
        if (!fs::exists(path, ec)) {
            tried += path + " (missing)";
            continue;
        }
        void *library = openLibrary(path);
        if (!library) {
            tried += path + " (" + lastDlError() + ")";
            continue;
        }
        auto functions = std::make_unique<SpmPluginFunctions>();
        std::string missing;
        const auto resolve = [&](auto &function, const char *name) {
            function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(library, name));
            if (!function)
                missing += std::string(missing.empty() ? "" : ", ") + name;
        };
        resolve(functions->abiVersion, "rsrefseg_spm_abi_version");
        resolve(functions->load, "rsrefseg_spm_load");
        resolve(functions->free, "rsrefseg_spm_free");
        resolve(functions->freeString, "rsrefseg_spm_free_string");
        resolve(functions->encode, "rsrefseg_spm_encode");
        resolve(functions->pieceToId, "rsrefseg_spm_piece_to_id");
        resolve(functions->idToPiece, "rsrefseg_spm_id_to_piece");
        resolve(functions->vocabSize, "rsrefseg_spm_vocab_size");
        resolve(functions->unkId, "rsrefseg_spm_unk_id");
        if (!missing.empty()) {
            closeLibrary(library);
            tried += path + " (not the rsrefseg sentencepiece plugin: lacks " + missing + ")";
            continue;
        }
        if (const int version = functions->abiVersion(); version != RSREFSEG_SPM_ABI_VERSION) {
            closeLibrary(library);
            tried += path + " (plugin ABI version " + std::to_string(version) + ", expected " +
                     std::to_string(RSREFSEG_SPM_ABI_VERSION) + ")";
            continue;
        }
        return std::shared_ptr<const SpmPlugin>(new SpmPlugin(path, library, std::move(functions)));
    }
    throw Error("cannot load the sentencepiece plugin " + fileName() + "; tried: " + tried +
                (explicitPath.empty() ? " (set RSREFSEG_PLUGIN_DIR to the folder that holds it)" : ""));
}

SpmPlugin::SpmPlugin(std::string path, void *library, std::unique_ptr<SpmPluginFunctions> functions)
    : mPath(std::move(path))
    , mLibrary(library)
    , mFunctions(std::move(functions))
{
}

SpmPlugin::~SpmPlugin()
{
    if (mLibrary)
        closeLibrary(mLibrary);
}

SpmModel SpmPlugin::loadModel(const std::string &modelPath, bool disableDummyPrefix) const
{
    std::error_code ec;
    if (!fs::exists(modelPath, ec))
        throw Error("sentencepiece model not found: " + modelPath);
    if (fs::is_directory(modelPath, ec))
        throw Error("sentencepiece model " + modelPath + " is a folder, not a .model file");
    char *error = nullptr;
    rsrefseg_spm_model *handle =
        mFunctions->load(modelPath.c_str(), disableDummyPrefix ? RSREFSEG_SPM_NO_DUMMY_PREFIX : 0u, &error);
    if (!handle) {
        const std::string message = error ? error : "unknown error";
        mFunctions->freeString(error);
        throw Error("cannot load sentencepiece model " + modelPath + ": " + message);
    }
    return SpmModel(shared_from_this(), handle, modelPath);
}

} // namespace rsrefseg
