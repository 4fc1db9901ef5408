#include "model/rsrefseg/bundlefiles.h"

#include "common/error.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {
constexpr size_t kMaxManifestBytes = 4 << 20;
// Copying and printing a JSON value recurses once per level: without a bound, a 40 kB
// manifest of nested arrays overflowed the stack (found while fuzzing ModelBundle::open).
constexpr int kMaxManifestDepth = 64;
} // namespace

nlohmann::json BundleFiles::readManifest(const std::string &dir)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error("model bundle '" + dir + "' is not a folder");
    const std::string manifestPath = (fs::path(dir) / "manifest.json").string();
    if (!fs::is_regular_file(manifestPath, ec))
        throw Error("model bundle '" + dir + "' has no manifest.json");
    if (fs::file_size(manifestPath, ec) > kMaxManifestBytes)
        throw Error(manifestPath + ": the manifest is larger than 4 MiB");
    std::ifstream in(manifestPath);
    try {
        // The parser itself does not recurse; the callback refuses deep nesting before any
        // deep value exists.
        return nlohmann::json::parse(in, [&](int depth, nlohmann::json::parse_event_t, nlohmann::json &) {
            if (depth > kMaxManifestDepth)
                throw Error(manifestPath + ": JSON nested deeper than " + std::to_string(kMaxManifestDepth) +
                            " levels");
            return true;
        });
    } catch (const nlohmann::json::exception &e) {
        throw Error(manifestPath + ": invalid JSON (" + e.what() + ")");
    }
}

std::string BundleFiles::resolve(const std::string &dir, const std::string &fileName, const char *field)
{
    const std::string source = (fs::path(dir) / "manifest.json").string();
    const fs::path rel(fileName);
    if (fileName.empty() || rel.is_absolute() || rel.has_root_path())
        throw Error(source + ": '" + field + "' must be a file name inside the bundle, got '" + fileName + "'");
    for (const auto &part : rel)
        if (part == "..")
            throw Error(source + ": '" + field + "' points outside the bundle folder ('" + fileName + "')");
    std::error_code ec;
    const fs::path base = fs::canonical(dir, ec);
    const fs::path full = fs::weakly_canonical(fs::path(dir) / rel, ec);
    const std::string b = base.string() + "/";
    if (ec || full.string().compare(0, b.size(), b) != 0)
        throw Error(source + ": '" + field + "' points outside the bundle folder ('" + fileName + "')");
    if (!fs::is_regular_file(full, ec))
        throw Error(source + ": '" + field + "' names '" + fileName + "', which is missing from the bundle");
    return full.string();
}

std::map<std::string, torch::Tensor> BundleFiles::tensorsOf(const torch::nn::Module &module,
                                                            torch::ScalarType storeType, int64_t &parameters)
{
    std::map<std::string, torch::Tensor> tensors;
    parameters = 0;
    torch::NoGradGuard noGrad;
    for (const auto &p : module.named_parameters(true)) {
        tensors[p.key()] = p.value().detach().to(torch::kCPU, storeType).contiguous();
        parameters += p.value().numel();
    }
    for (const auto &b : module.named_buffers(true)) {
        const torch::Tensor v = b.value().detach().to(torch::kCPU);
        tensors[b.key()] = v.is_floating_point() ? v.to(storeType).contiguous() : v.contiguous();
    }
    return tensors;
}

void BundleFiles::writeAtomically(const std::string &dir, bool overwrite,
                                  const std::function<void(const std::string &tempDir)> &fill)
{
    std::error_code ec;
    const fs::path target(dir);
    if (fs::exists(target, ec) && !overwrite)
        throw Error("'" + dir + "' already exists (use --overwrite to replace it)");
    const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(parent, ec))
        throw Error("cannot write bundle '" + dir + "': folder '" + parent.string() + "' does not exist");

    const fs::path temp = parent / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()));
    fs::remove_all(temp, ec);
    if (!fs::create_directory(temp, ec))
        throw Error("cannot create '" + temp.string() + "': " + ec.message());
    struct Cleanup
    {
        fs::path path;
        bool keep = false;
        ~Cleanup()
        {
            std::error_code e;
            if (!keep)
                fs::remove_all(path, e);
        }
    } cleanup{temp};
    fill(temp.string());

    // Swap into place: the old bundle (if replacing) is removed only after the new one is there.
    const fs::path old = parent / ("." + target.filename().string() + ".old-" + std::to_string(::getpid()));
    const bool replacing = fs::exists(target, ec);
    if (replacing) {
        fs::rename(target, old, ec);
        if (ec)
            throw Error("cannot replace '" + dir + "': " + ec.message());
    }
    fs::rename(temp, target, ec);
    if (ec) {
        if (replacing)
            fs::rename(old, target, ec);
        throw Error("cannot write bundle '" + dir + "': " + ec.message());
    }
    cleanup.keep = true;
    if (replacing)
        fs::remove_all(old, ec);
}

void BundleFiles::writeJson(const std::string &path, const nlohmann::json &json)
{
    std::ofstream out(path);
    out << json.dump(2) << "\n";
    out.flush();
    if (!out)
        throw Error("cannot write '" + path + "' (disk full?)");
}

} // namespace rsrefseg
