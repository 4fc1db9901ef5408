#include "engine/embeddingcache.h"

#include "common/error.h"
#include "engine/featuremap.h"
#include "model/weights/safetensorsfile.h"
#include "model/weights/safetensorswriter.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <system_error>

#include <sys/stat.h>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

const char *kFormat = "rsrefseg-embedding-1";

uint64_t fnv1a(const std::string &s)
{
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

} // namespace

CacheCounters CacheCounters::operator-(const CacheCounters &b) const
{
    CacheCounters d;
    d.memoryHits = memoryHits - b.memoryHits;
    d.diskHits = diskHits - b.diskHits;
    d.misses = misses - b.misses;
    d.imageEncoderRuns = imageEncoderRuns - b.imageEncoderRuns;
    d.imageEncoderCalls = imageEncoderCalls - b.imageEncoderCalls;
    d.textHits = textHits - b.textHits;
    d.textMisses = textMisses - b.textMisses;
    d.diskWrites = diskWrites - b.diskWrites;
    d.diskErrors = diskErrors - b.diskErrors;
    d.evictions = evictions - b.evictions;
    return d;
}

nlohmann::json CacheCounters::toJson() const
{
    return {{"memory_hits", memoryHits},
            {"disk_hits", diskHits},
            {"misses", misses},
            {"image_encoder_runs", imageEncoderRuns},
            {"image_encoder_calls", imageEncoderCalls},
            {"text_hits", textHits},
            {"text_encoder_runs", textMisses},
            {"disk_writes", diskWrites},
            {"disk_errors", diskErrors},
            {"evictions", evictions}};
}

std::string ImageKey::toString() const
{
    std::ostringstream s;
    s << "raster=" << raster << ";window=" << window.x << "," << window.y << "," << window.width << ","
      << window.height << ";read=" << readWidth << "x" << readHeight << ";bands=" << bands << ";stretch=" << stretch
      << ";model=" << modelId << ";dtype=" << dtype << ";input=" << inputSize;
    return s.str();
}

EmbeddingCache::EmbeddingCache()
    : EmbeddingCache(Options())
{
}

EmbeddingCache::EmbeddingCache(const Options &options)
    : mOptions(options)
{
    if (!options.diskDir.empty()) {
        std::error_code ec;
        fs::create_directories(options.diskDir, ec);
        if (!fs::is_directory(options.diskDir, ec))
            throw Error("cannot use cache folder '" + options.diskDir + "': it cannot be created");
    }
}

std::string EmbeddingCache::rasterIdentity(const std::string &path)
{
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(path, ec), ec);
    if (ec)
        canonical = path;
    struct stat st
    {
    };
    if (::stat(canonical.c_str(), &st) != 0)
        return canonical.string() + "|?|?"; // GDAL virtual paths: the path alone
    const long long ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    return canonical.string() + "|" + std::to_string(static_cast<long long>(st.st_size)) + "|" + std::to_string(ns);
}

std::string EmbeddingCache::fileNameFor(const std::string &key)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a(key)));
    return std::string(buf) + ".safetensors";
}

void EmbeddingCache::insertMemoryLocked(const std::string &key, const FeaturesPtr &features)
{
    const size_t budget = mOptions.memoryBudgetMb * 1024ULL * 1024ULL;
    const size_t bytes = features->bytes();
    auto it = mIndex.find(key);
    if (it != mIndex.end()) {
        mBytes -= it->second->bytes;
        mLru.erase(it->second);
        mIndex.erase(it);
    }
    if (bytes > budget)
        return;
    while (mBytes + bytes > budget && !mLru.empty()) {
        mBytes -= mLru.back().bytes;
        mIndex.erase(mLru.back().key);
        mLru.pop_back();
        ++mCounters.evictions;
    }
    mLru.push_front({key, features, bytes});
    mIndex[key] = mLru.begin();
    mBytes += bytes;
}

FeaturesPtr EmbeddingCache::findImage(const std::string &key, Source *source)
{
    {
        std::lock_guard<std::mutex> lock(mMutex);
        auto it = mIndex.find(key);
        if (it != mIndex.end()) {
            mLru.splice(mLru.begin(), mLru, it->second);
            ++mCounters.memoryHits;
            if (source)
                *source = Source::Memory;
            return it->second->features;
        }
    }
    if (!mOptions.diskDir.empty()) {
        FeaturesPtr f = readDisk(key);
        if (f) {
            std::lock_guard<std::mutex> lock(mMutex);
            ++mCounters.diskHits;
            insertMemoryLocked(key, f);
            if (source)
                *source = Source::Disk;
            return f;
        }
    }
    std::lock_guard<std::mutex> lock(mMutex);
    ++mCounters.misses;
    if (source)
        *source = Source::None;
    return nullptr;
}

FeaturesPtr EmbeddingCache::readDisk(const std::string &key)
{
    const fs::path path = fs::path(mOptions.diskDir) / fileNameFor(key);
    std::error_code ec;
    if (!fs::exists(path, ec))
        return nullptr;
    try {
        const SafetensorsFile file = SafetensorsFile::open(path.string());
        const auto &meta = file.metadata();
        const auto k = meta.find("key");
        const auto fmt = meta.find("format");
        if (k == meta.end() || k->second != key || fmt == meta.end() || fmt->second != kFormat)
            throw Error("'" + path.string() + "' holds other features");
        auto f = std::make_shared<FeatureMap>();
        f->tensors = file.tensors();
        if (f->tensors.empty())
            throw Error("'" + path.string() + "' holds no tensors");
        return f;
    } catch (const Error &) {
        // Damaged (a crash while another process wrote it is impossible: writes are renamed into
        // place, but disks fail) or a hash collision: a miss; the file is rewritten on store.
        std::lock_guard<std::mutex> lock(mMutex);
        ++mCounters.diskErrors;
        return nullptr;
    }
}

void EmbeddingCache::writeDisk(const std::string &key, const FeaturesPtr &features)
{
    const fs::path path = fs::path(mOptions.diskDir) / fileNameFor(key);
    try {
        std::map<std::string, torch::Tensor> cpu;
        for (const auto &kv : features->tensors)
            cpu[kv.first] = kv.second.to(torch::kCPU).contiguous();
        SafetensorsWriter::write(path.string(), cpu, {{"key", key}, {"format", kFormat}});
        std::lock_guard<std::mutex> lock(mMutex);
        ++mCounters.diskWrites;
    } catch (const std::exception &) {
        std::lock_guard<std::mutex> lock(mMutex);
        ++mCounters.diskErrors;
    }
}

void EmbeddingCache::storeImage(const std::string &key, const FeaturesPtr &features)
{
    if (!features)
        return;
    {
        std::lock_guard<std::mutex> lock(mMutex);
        insertMemoryLocked(key, features);
    }
    if (!mOptions.diskDir.empty())
        writeDisk(key, features);
}

void EmbeddingCache::noteImageEncoderRun(uint64_t tiles)
{
    std::lock_guard<std::mutex> lock(mMutex);
    mCounters.imageEncoderRuns += tiles;
    ++mCounters.imageEncoderCalls;
}

FeaturesPtr EmbeddingCache::findText(const std::string &key)
{
    std::lock_guard<std::mutex> lock(mMutex);
    auto it = mTextIndex.find(key);
    if (it == mTextIndex.end()) {
        ++mCounters.textMisses;
        return nullptr;
    }
    mTextLru.splice(mTextLru.begin(), mTextLru, it->second);
    ++mCounters.textHits;
    return it->second->second;
}

void EmbeddingCache::storeText(const std::string &key, const FeaturesPtr &features)
{
    std::lock_guard<std::mutex> lock(mMutex);
    if (mOptions.textEntries == 0 || !features)
        return;
    auto it = mTextIndex.find(key);
    if (it != mTextIndex.end()) {
        mTextLru.erase(it->second);
        mTextIndex.erase(it);
    }
    while (mTextLru.size() >= mOptions.textEntries) {
        mTextIndex.erase(mTextLru.back().first);
        mTextLru.pop_back();
    }
    mTextLru.emplace_front(key, features);
    mTextIndex[key] = mTextLru.begin();
}

CacheCounters EmbeddingCache::counters() const
{
    std::lock_guard<std::mutex> lock(mMutex);
    return mCounters;
}

size_t EmbeddingCache::memoryBytes() const
{
    std::lock_guard<std::mutex> lock(mMutex);
    return mBytes;
}

size_t EmbeddingCache::memoryEntries() const
{
    std::lock_guard<std::mutex> lock(mMutex);
    return mLru.size();
}

void EmbeddingCache::clearMemory()
{
    std::lock_guard<std::mutex> lock(mMutex);
    mLru.clear();
    mIndex.clear();
    mBytes = 0;
    mTextLru.clear();
    mTextIndex.clear();
}

} // namespace rsrefseg
