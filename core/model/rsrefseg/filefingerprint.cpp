#include "model/rsrefseg/filefingerprint.h"

#include "common/error.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <vector>

namespace rsrefseg {

namespace {
constexpr uint64_t kOffset = 14695981039346656037ULL;
constexpr uint64_t kPrime = 1099511628211ULL;

uint64_t update(uint64_t h, const unsigned char *data, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        h ^= data[i];
        h *= kPrime;
    }
    return h;
}

std::string hex(uint64_t h)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}
} // namespace

std::string FileFingerprint::ofFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot read '" + path + "' to fingerprint it");
    std::vector<char> buf(size_t(1) << 20);
    uint64_t h = kOffset;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        h = update(h, reinterpret_cast<const unsigned char *>(buf.data()), static_cast<size_t>(in.gcount()));
    }
    if (in.bad())
        throw Error("cannot read '" + path + "' to fingerprint it");
    return hex(h);
}

std::string FileFingerprint::ofBytes(const std::string &bytes)
{
    return hex(update(kOffset, reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size()));
}

} // namespace rsrefseg
