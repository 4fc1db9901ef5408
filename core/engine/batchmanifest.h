// BatchManifest: the batch's record of finished work, as JSON lines (one object per raster x
// query: input, query, status "done" or "failed", outputs, timings, error, ...). Each record
// is appended with one write() and fsync'ed before the next item starts, so a crash or a kill
// loses at most the item in progress and never leaves a half record that hides others (a torn
// last line, e.g. after a power cut, is skipped when reading and closed when appending).
// Shards of one batch write their own files (manifest.shard-K-of-N.jsonl) into the shared
// output folder; --resume reads them all.
//
//   BatchManifest m(outDir + "/" + BatchManifest::fileName(1, 1));   // "manifest.jsonl"
//   m.append({{"input", "a.tif"}, {"query", "ships"}, {"status", "done"}});
//   for (const auto &r : BatchManifest::readFolder(outDir)) ...
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace rsrefseg {

class BatchManifest
{
  public:
    // Opens (creates) the file for appending. Throws Error when it cannot.
    explicit BatchManifest(const std::string &path);
    ~BatchManifest();
    BatchManifest(const BatchManifest &) = delete;
    BatchManifest &operator=(const BatchManifest &) = delete;

    // Throws Error (disk full, I/O error) naming the manifest.
    void append(const nlohmann::json &record);
    const std::string &path() const { return mPath; }

    // "manifest.jsonl" for an unsharded batch, else "manifest.shard-K-of-N.jsonl".
    static std::string fileName(int shardIndex, int shardCount);
    static bool isManifestName(const std::string &name);
    // Records of one file; `torn` counts unreadable lines (skipped).
    static std::vector<nlohmann::json> readFile(const std::string &path, int *torn = nullptr);
    // Records of every manifest file in a folder, files in name order.
    static std::vector<nlohmann::json> readFolder(const std::string &folder, int *torn = nullptr);

  private:
    std::string mPath;
    int mFd = -1;
};

} // namespace rsrefseg
