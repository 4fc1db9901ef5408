#include "modelhub/bundlesummary.h"

#include <filesystem>
#include <fstream>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

// The limits of ModelBundle::open (core/model/rsrefseg/modelbundle.cpp): a manifest is small,
// and deep nesting would overflow the stack when the value is copied or printed.
constexpr uintmax_t kMaxManifestBytes = 4 << 20;
constexpr int kMaxManifestDepth = 64;

using Problem = BundleSummary::Problem;
using ReadError = BundleSummary::ReadError;

ReadError fieldError(const std::string &file, const std::string &message)
{
    return ReadError(Problem::InvalidField, file, message, file + ": " + message);
}

// A field that must be there with this type.
template <typename T> T required(const nlohmann::json &j, const char *key, const std::string &file)
{
    if (!j.contains(key))
        throw fieldError(file, std::string("missing field '") + key + "'");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception &) {
        throw fieldError(file, std::string("field '") + key + "' has the wrong type");
    }
}

// A field that may be missing (then `fallback`), but never of the wrong type.
template <typename T> T optional(const nlohmann::json &j, const char *key, const T &fallback, const std::string &file)
{
    if (!j.contains(key) || j.at(key).is_null())
        return fallback;
    return required<T>(j, key, file);
}

nlohmann::json parseManifest(const std::string &dir, const std::string &file)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw ReadError(Problem::NoManifest, file, "", "model bundle '" + dir + "' is not a folder");
    if (!fs::is_regular_file(file, ec))
        throw ReadError(Problem::NoManifest, file, "", "model bundle '" + dir + "' has no manifest.json");
    if (fs::file_size(file, ec) > kMaxManifestBytes)
        throw fieldError(file, "the manifest is larger than 4 MiB");
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw ReadError(Problem::NoManifest, file, "", "cannot read " + file);
    try {
        return nlohmann::json::parse(in, [&](int depth, nlohmann::json::parse_event_t, nlohmann::json &) {
            if (depth > kMaxManifestDepth)
                throw fieldError(file, "JSON nested deeper than " + std::to_string(kMaxManifestDepth) + " levels");
            return true;
        });
    } catch (const nlohmann::json::exception &e) {
        throw ReadError(Problem::InvalidJson, file, e.what(), file + ": invalid JSON (" + e.what() + ")");
    }
}

// The size of a weights file named inside the bundle (0 for anything else: display only).
uint64_t weightsSize(const std::string &dir, const std::string &name)
{
    const fs::path rel(name);
    if (name.empty() || rel.has_root_path())
        return 0;
    for (const auto &part : rel)
        if (part == "..")
            return 0;
    std::error_code ec;
    const uintmax_t n = fs::file_size(fs::path(dir) / rel, ec);
    return ec ? 0 : static_cast<uint64_t>(n);
}

} // namespace

BundleSummary BundleSummary::read(const std::string &dir)
{
    const std::string file = (fs::path(dir) / "manifest.json").string();
    const nlohmann::json json = parseManifest(dir, file);
    if (!json.is_object())
        throw fieldError(file, "the manifest is not a JSON object");
    // Checked in ModelBundle's order, with its words, so that a broken bundle gets the same
    // message whether it is only shown or loaded.
    if (required<std::string>(json, "format", file) != "rsrefseg-bundle")
        throw fieldError(file, "not an RSRefSeg model bundle manifest (field 'format')");
    required<int>(json, "format_version", file);
    BundleSummary s;
    s.dir = dir;
    s.modelId = required<std::string>(json, "model_id", file);
    s.name = optional<std::string>(json, "name", "", file);
    if (s.name.empty())
        s.name = fs::path(dir).lexically_normal().filename().string();
    if (s.name.empty())
        s.name = fs::path(dir).lexically_normal().parent_path().filename().string();
    s.description = optional<std::string>(json, "description", "", file);
    s.trained = required<bool>(json, "trained", file);
    s.architecture = optional<std::string>(json, "architecture", "rsrefseg", file);
    if (s.architecture.empty())
        throw fieldError(file, "field 'architecture' is empty");
    s.parameterCount = optional<int64_t>(json, "parameter_count", 0, file);
    const nlohmann::json weights = optional<nlohmann::json>(json, "weights", nlohmann::json::object(), file);
    if (!weights.is_object())
        throw fieldError(file, "field 'weights' has the wrong type");
    s.weightsFile = optional<std::string>(weights, "file", "", file);
    s.weightsDtype = optional<std::string>(weights, "dtype", "", file);
    s.weightsBytes = weightsSize(dir, s.weightsFile);
    s.provenance = optional<nlohmann::json>(json, "provenance", nlohmann::json::object(), file);
    return s;
}

std::string BundleSummary::untrainedWarning() const
{
    if (trained)
        return {};
    return "model '" + dir + "' is marked untrained: its masks are not meaningful";
}

nlohmann::json BundleSummary::toJson() const
{
    return {{"dir", dir},
            {"name", name},
            {"model_id", modelId},
            {"architecture", architecture},
            {"description", description},
            {"trained", trained},
            {"parameter_count", parameterCount},
            {"weights", {{"file", weightsFile}, {"dtype", weightsDtype}, {"bytes", weightsBytes}}},
            {"provenance", provenance}};
}

} // namespace rsrefseg
