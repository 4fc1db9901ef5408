#include "model/weights/weightfile.h"

#include "common/error.h"
#include "model/weights/pthreader.h"
#include "model/weights/safetensorsfile.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace rsrefseg {

namespace {

// The index is small (names -> shard); anything this large is not an index.
constexpr std::uintmax_t kMaxIndexBytes = 64u << 20;

bool isInside(const fs::path &dir, const fs::path &file)
{
    // Compare canonical paths so that "../x" and symbolic links pointing outside are caught.
    std::error_code ec;
    const fs::path base = fs::weakly_canonical(dir, ec);
    if (ec) {
        return false;
    }
    const fs::path target = fs::weakly_canonical(file, ec);
    if (ec) {
        return false;
    }
    auto b = base.begin();
    auto t = target.begin();
    for (; b != base.end(); ++b, ++t) {
        if (t == target.end() || *b != *t) {
            return false;
        }
    }
    return t != target.end();
}

std::map<std::string, torch::Tensor> readIndex(const fs::path &dir, const fs::path &indexPath)
{
    const std::string indexName = indexPath.string();
    std::error_code ec;
    const auto size = fs::file_size(indexPath, ec);
    if (ec || size > kMaxIndexBytes) {
        throw Error(indexName + ": cannot read the index (missing or larger than 64 MiB)");
    }
    std::ifstream in(indexPath, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
        throw Error(indexName + ": cannot read the index");
    }

    std::set<std::string> seen;
    std::string duplicate;
    nlohmann::json index;
    try {
        index = nlohmann::json::parse(text.str(), [&](int depth, nlohmann::json::parse_event_t event,
                                                      nlohmann::json &parsed) {
            // depth 2 keys are the tensor names inside "weight_map" (or "metadata")
            if (depth == 2 && event == nlohmann::json::parse_event_t::key && parsed.is_string()) {
                if (!seen.insert(parsed.get<std::string>()).second && duplicate.empty()) {
                    duplicate = parsed.get<std::string>();
                }
            }
            if (depth == 1 && event == nlohmann::json::parse_event_t::key) {
                seen.clear(); // each object at depth 1 has its own key space
            }
            return true;
        });
    } catch (const nlohmann::json::exception &e) {
        throw Error(indexName + ": invalid JSON: " + e.what());
    }
    if (!duplicate.empty()) {
        throw Error(indexName + ": tensor '" + duplicate + "' is listed twice");
    }
    if (!index.is_object() || !index.contains("weight_map") || !index["weight_map"].is_object()) {
        throw Error(indexName + ": no \"weight_map\" object");
    }

    // shard file -> names the index puts there
    std::map<std::string, std::set<std::string>> byShard;
    for (auto it = index["weight_map"].begin(); it != index["weight_map"].end(); ++it) {
        if (!it.value().is_string()) {
            throw Error(indexName + ": the shard of tensor '" + it.key() + "' is not a string");
        }
        byShard[it.value().get<std::string>()].insert(it.key());
    }
    if (byShard.empty()) {
        throw Error(indexName + ": the weight_map is empty");
    }

    // Check every shard path before reading any shard: a missing or escaping shard is the
    // first thing a user needs to hear about.
    std::map<std::string, fs::path> shardPaths;
    for (const auto &shard : byShard) {
        const fs::path relative(shard.first);
        if (shard.first.empty() || relative.is_absolute() || !isInside(dir, dir / relative)) {
            throw Error(indexName + ": shard '" + shard.first + "' is not inside the folder");
        }
        const fs::path shardPath = dir / relative;
        if (!fs::is_regular_file(shardPath, ec)) {
            throw Error(indexName + ": shard '" + shard.first + "' does not exist");
        }
        shardPaths[shard.first] = shardPath;
    }
    std::map<std::string, SafetensorsFile> files;
    for (const auto &shard : byShard) {
        const SafetensorsFile file = SafetensorsFile::open(shardPaths.at(shard.first).string());
        for (const std::string &name : shard.second) {
            if (!file.contains(name)) {
                throw Error(file.path() + ": missing tensor '" + name + "' (the index puts it in this shard)");
            }
        }
        files.emplace(shard.first, file);
    }
    std::map<std::string, std::string> shardOf; // tensor -> shard that holds it
    for (const auto &shard : files) {
        for (const std::string &name : shard.second.names()) {
            const auto other = shardOf.find(name);
            if (other != shardOf.end()) {
                throw Error(shard.second.path() + ": tensor '" + name + "' is also in shard '" + other->second + "'");
            }
            if (!byShard.at(shard.first).count(name)) {
                throw Error(shard.second.path() + ": tensor '" + name + "' is not listed for this shard in " +
                            indexName);
            }
            shardOf[name] = shard.first;
        }
    }
    std::map<std::string, torch::Tensor> tensors;
    for (const auto &shard : files) {
        for (const std::string &name : shard.second.names()) {
            tensors.emplace(name, shard.second.tensor(name));
        }
    }
    return tensors;
}

} // namespace

bool WeightFile::isZip(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    char magic[4] = {0, 0, 0, 0};
    in.read(magic, 4);
    return in.gcount() == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

std::map<std::string, torch::Tensor> WeightFile::readAll(const std::string &path)
{
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        return readHfFolder(path);
    }
    if (!fs::exists(path, ec)) {
        throw Error(path + ": no such file");
    }
    if (isZip(path)) {
        return PthReader::readStateDict(path);
    }
    return SafetensorsFile::open(path).tensors();
}

std::map<std::string, torch::Tensor> WeightFile::readHfFolder(const std::string &dirName)
{
    const fs::path dir(dirName);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        throw Error(dirName + ": not a folder");
    }
    const fs::path index = dir / "model.safetensors.index.json";
    if (fs::exists(index, ec)) {
        return readIndex(dir, index);
    }
    const fs::path single = dir / "model.safetensors";
    if (fs::exists(single, ec)) {
        return SafetensorsFile::open(single.string()).tensors();
    }
    const fs::path bin = dir / "pytorch_model.bin";
    if (fs::exists(bin, ec)) {
        return PthReader::readStateDict(bin.string());
    }
    throw Error(dirName + ": no model.safetensors.index.json, model.safetensors or pytorch_model.bin");
}

} // namespace rsrefseg
