// EmbeddingCache: image features of tiles and text features of queries, computed once and
// reused by every later query (the interactive loop's speed: ARCHITECTURE.md, Flows).
//
// Image features: an in-memory LRU bounded by a budget in MB, plus an optional folder of
// safetensors files (one per tile) that survives restarts and may be shared by several
// processes (files are written to a temporary name and renamed). Keys name everything the
// features depend on: the raster's identity (canonical path, size, modification time), the
// pixel window and read size, bands and stretch, the model id, dtype and input size.
// Text features: in memory, per model and query string. Counters are exposed for tests,
// logs and the tile inspector.
//
//   EmbeddingCache cache({512, "/var/cache/rsrefseg"});
//   EmbeddingCache::Source src;
//   FeaturesPtr f = cache.findImage(key, &src);        // nullptr: a miss (counted)
//   if (!f) { f = model.encodeImages({rgb})[0]; cache.noteImageEncoderRun(1); cache.storeImage(key, f); }
//
// Thread-safe. A damaged or foreign cache file is a miss (counted in diskErrors) and is
// replaced; a failed cache write never fails the job (counted, the features stay in memory).
#pragma once

#include "engine/segmentationmodel.h"
#include "geo/pixelwindow.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

namespace rsrefseg {

struct CacheCounters
{
    uint64_t memoryHits = 0;
    uint64_t diskHits = 0;
    uint64_t misses = 0;            // image lookups that found nothing
    uint64_t imageEncoderRuns = 0;  // tiles that went through the image encoder
    uint64_t imageEncoderCalls = 0; // encoder calls (batches)
    uint64_t textHits = 0;
    uint64_t textMisses = 0;        // = text encoder runs
    uint64_t diskWrites = 0;
    uint64_t diskErrors = 0;        // unreadable/foreign files and failed writes
    uint64_t evictions = 0;         // entries dropped from memory by the budget

    CacheCounters operator-(const CacheCounters &before) const;
    nlohmann::json toJson() const;
};

// What image features depend on; toString() is the cache key.
struct ImageKey
{
    std::string raster;   // EmbeddingCache::rasterIdentity(path)
    PixelWindow window;   // source pixels read
    int readWidth = 0;    // size they were read at (native: window size)
    int readHeight = 0;
    std::string bands;    // "1,2,3"
    std::string stretch;  // mode and the per-band ranges actually used
    std::string modelId;
    std::string dtype;
    int inputSize = 0;
    std::string toString() const;
};

class EmbeddingCache
{
  public:
    struct Options
    {
        size_t memoryBudgetMb = 512; // 0: no image features kept in memory (full model: 7.5 MB/tile)
        std::string diskDir;          // empty: no disk cache; created if missing
        size_t textEntries = 512;
    };
    enum class Source { None, Memory, Disk };

    EmbeddingCache();
    explicit EmbeddingCache(const Options &options);

    // "<canonical path>|<bytes>|<mtime ns>"; throws Error when the file cannot be stat'ed.
    static std::string rasterIdentity(const std::string &path);
    // Disk file name for a key (16 hex digits of its FNV-1a hash + ".safetensors").
    static std::string fileNameFor(const std::string &key);

    FeaturesPtr findImage(const std::string &key, Source *source = nullptr);
    void storeImage(const std::string &key, const FeaturesPtr &features);
    void noteImageEncoderRun(uint64_t tiles);

    FeaturesPtr findText(const std::string &key);
    void storeText(const std::string &key, const FeaturesPtr &features);

    CacheCounters counters() const;
    size_t memoryBytes() const;
    size_t memoryEntries() const;
    void clearMemory();
    const Options &options() const { return mOptions; }

  private:
    struct Entry
    {
        std::string key;
        FeaturesPtr features;
        size_t bytes = 0;
    };
    void insertMemoryLocked(const std::string &key, const FeaturesPtr &features);
    FeaturesPtr readDisk(const std::string &key);
    void writeDisk(const std::string &key, const FeaturesPtr &features);

    Options mOptions;
    mutable std::mutex mMutex;
    std::list<Entry> mLru; // front: most recently used
    std::unordered_map<std::string, std::list<Entry>::iterator> mIndex;
    size_t mBytes = 0;
    std::list<std::pair<std::string, FeaturesPtr>> mTextLru;
    std::unordered_map<std::string, std::list<std::pair<std::string, FeaturesPtr>>::iterator> mTextIndex;
    CacheCounters mCounters;
};

} // namespace rsrefseg
