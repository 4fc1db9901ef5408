#include "model/weights/safetensorsfile.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rsrefseg {

namespace {

// The same limit the reference implementation (safetensors, Rust) uses: a header this large is
// a broken or hostile file, and refusing it early keeps us from allocating on its word.
constexpr uint64_t kMaxHeaderBytes = 100000000;

bool hostIsLittleEndian()
{
    const uint16_t probe = 1;
    uint8_t first = 0;
    std::memcpy(&first, &probe, 1);
    return first == 1;
}

std::string shapeText(const std::vector<int64_t> &shape)
{
    std::string text = "[";
    for (size_t i = 0; i < shape.size(); ++i) {
        text += (i ? ", " : "") + std::to_string(shape[i]);
    }
    return text + "]";
}

} // namespace

struct SafetensorsFile::Mapping
{
    void *address = nullptr;
    size_t size = 0;
    ~Mapping()
    {
        if (address) {
            munmap(address, size);
        }
    }
    const uint8_t *bytes() const { return static_cast<const uint8_t *>(address); }
};

std::optional<torch::ScalarType> SafetensorsFile::scalarType(const std::string &dtype)
{
    static const std::map<std::string, torch::ScalarType> types = {
        {"F64", torch::kFloat64}, {"F32", torch::kFloat32}, {"F16", torch::kFloat16},
        {"BF16", torch::kBFloat16}, {"I64", torch::kInt64}, {"I32", torch::kInt32},
        {"I16", torch::kInt16}, {"I8", torch::kInt8}, {"U8", torch::kUInt8},
        {"BOOL", torch::kBool}};
    const auto it = types.find(dtype);
    if (it == types.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::string> SafetensorsFile::dtypeName(torch::ScalarType type)
{
    switch (type) {
    case torch::kFloat64: return std::string("F64");
    case torch::kFloat32: return std::string("F32");
    case torch::kFloat16: return std::string("F16");
    case torch::kBFloat16: return std::string("BF16");
    case torch::kInt64: return std::string("I64");
    case torch::kInt32: return std::string("I32");
    case torch::kInt16: return std::string("I16");
    case torch::kInt8: return std::string("I8");
    case torch::kUInt8: return std::string("U8");
    case torch::kBool: return std::string("BOOL");
    default: return std::nullopt;
    }
}

SafetensorsFile SafetensorsFile::open(const std::string &path)
{
    if (!hostIsLittleEndian()) {
        throw Error(path + ": safetensors files are little-endian; this host is not");
    }
    SafetensorsFile file;
    file.mPath = path;
    const auto fail = [&path](const std::string &what) { return Error(path + ": " + what); };

    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        throw fail(std::string("cannot open: ") + std::strerror(errno));
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw fail("not a regular file");
    }
    const uint64_t fileSize = static_cast<uint64_t>(st.st_size);
    if (fileSize < 8) {
        ::close(fd);
        throw fail("not a safetensors file (" + std::to_string(fileSize) +
                   " bytes, too short for the header length)");
    }
    auto mapping = std::make_shared<Mapping>();
    void *address = mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd); // the mapping keeps the file alive
    if (address == MAP_FAILED) {
        throw fail(std::string("cannot map the file: ") + std::strerror(errno));
    }
    mapping->address = address;
    mapping->size = fileSize;
    file.mMapping = mapping;
    const uint8_t *bytes = mapping->bytes();

    uint64_t headerSize = 0;
    for (int i = 7; i >= 0; --i) {
        headerSize = (headerSize << 8) | bytes[i];
    }
    if (headerSize > kMaxHeaderBytes) {
        throw fail("header length " + std::to_string(headerSize) + " exceeds the limit of " +
                   std::to_string(kMaxHeaderBytes) + " bytes (not a safetensors file?)");
    }
    if (headerSize > fileSize - 8) {
        throw fail("header length " + std::to_string(headerSize) + " runs past the end of the file (" +
                   std::to_string(fileSize) + " bytes): truncated or not a safetensors file");
    }
    if (headerSize < 2 || bytes[8] != '{') {
        throw fail("not a safetensors file (the header is not a JSON object)");
    }
    const uint64_t dataBegin = 8 + headerSize;
    const uint64_t dataSize = fileSize - dataBegin;

    // A duplicate key would silently hide a tensor; nlohmann keeps the last one, so count keys.
    std::set<std::string> seenKeys;
    std::string duplicate;
    nlohmann::json header;
    try {
        const char *begin = reinterpret_cast<const char *>(bytes + 8);
        header = nlohmann::json::parse(
            begin, begin + headerSize,
            [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json &parsed) {
                if (depth == 1 && event == nlohmann::json::parse_event_t::key && parsed.is_string()) {
                    if (!seenKeys.insert(parsed.get<std::string>()).second && duplicate.empty()) {
                        duplicate = parsed.get<std::string>();
                    }
                }
                return true;
            });
    } catch (const nlohmann::json::exception &e) {
        throw fail(std::string("invalid JSON header: ") + e.what());
    }
    if (!header.is_object()) {
        throw fail("the header is not a JSON object");
    }
    if (!duplicate.empty()) {
        throw fail("tensor '" + duplicate + "' appears twice in the header");
    }

    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string &name = it.key();
        const nlohmann::json &value = it.value();
        if (name == "__metadata__") {
            if (!value.is_object()) {
                throw fail("__metadata__ is not an object");
            }
            for (auto m = value.begin(); m != value.end(); ++m) {
                if (!m.value().is_string()) {
                    throw fail("__metadata__ entry '" + m.key() + "' is not a string");
                }
                file.mMetadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const auto tensorFail = [&](const std::string &what) {
            return fail("tensor '" + name + "': " + what);
        };
        if (!value.is_object()) {
            throw tensorFail("entry is not an object");
        }
        for (auto f = value.begin(); f != value.end(); ++f) {
            if (f.key() != "dtype" && f.key() != "shape" && f.key() != "data_offsets") {
                throw tensorFail("unknown field '" + f.key() + "'");
            }
        }
        TensorInfo info;
        info.name = name;
        const auto dtype = value.find("dtype");
        if (dtype == value.end() || !dtype->is_string()) {
            throw tensorFail("missing or non-string dtype");
        }
        info.dtype = dtype->get<std::string>();
        const auto type = scalarType(info.dtype);
        if (!type) {
            throw tensorFail("unsupported dtype '" + info.dtype + "'");
        }
        const auto shape = value.find("shape");
        if (shape == value.end() || !shape->is_array()) {
            throw tensorFail("missing or non-array shape");
        }
        // numel is computed without overflow; zero dims are skipped in the product so that
        // even an empty tensor cannot carry dims whose product overflows int64.
        uint64_t numel = 1;
        uint64_t nonZeroProduct = 1;
        bool empty = false;
        for (const auto &dim : *shape) {
            if (!dim.is_number_unsigned()) {
                throw tensorFail("shape entries must be non-negative integers");
            }
            const uint64_t d = dim.get<uint64_t>();
            if (d == 0) {
                empty = true;
                continue;
            }
            if (__builtin_mul_overflow(nonZeroProduct, d, &nonZeroProduct) ||
                nonZeroProduct > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
                throw tensorFail("shape is too large");
            }
            info.shape.push_back(static_cast<int64_t>(d));
        }
        if (empty) {
            numel = 0;
            info.shape.clear();
            for (const auto &dim : *shape) {
                info.shape.push_back(static_cast<int64_t>(dim.get<uint64_t>()));
            }
        } else {
            numel = nonZeroProduct;
        }
        const auto offsets = value.find("data_offsets");
        if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 ||
            !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
            throw tensorFail("data_offsets must be two non-negative integers");
        }
        info.begin = (*offsets)[0].get<uint64_t>();
        info.end = (*offsets)[1].get<uint64_t>();
        if (info.begin > info.end) {
            throw tensorFail("data_offsets [" + std::to_string(info.begin) + ", " +
                             std::to_string(info.end) + "] are reversed");
        }
        if (info.end > dataSize) {
            throw tensorFail("data_offsets [" + std::to_string(info.begin) + ", " +
                             std::to_string(info.end) + "] run past the data section (" +
                             std::to_string(dataSize) + " bytes): truncated file?");
        }
        const uint64_t itemSize = c10::elementSize(*type);
        uint64_t bytesNeeded = 0;
        const bool overflow = __builtin_mul_overflow(numel, itemSize, &bytesNeeded);
        if (overflow || bytesNeeded != info.end - info.begin) {
            throw tensorFail("shape " + shapeText(info.shape) + " of " + info.dtype + " needs " +
                             (overflow ? std::string("more than 2^64") : std::to_string(bytesNeeded)) +
                             " bytes, data_offsets give " + std::to_string(info.end - info.begin));
        }
        file.mInfos.emplace(name, std::move(info));
    }

    // Overlap check over byte ranges sorted by start; empty tensors occupy no bytes.
    std::vector<const TensorInfo *> byOffset;
    for (const auto &entry : file.mInfos) {
        byOffset.push_back(&entry.second);
    }
    std::sort(byOffset.begin(), byOffset.end(), [](const TensorInfo *a, const TensorInfo *b) {
        return a->begin != b->begin ? a->begin < b->begin : a->name < b->name;
    });
    const TensorInfo *previous = nullptr;
    for (const TensorInfo *info : byOffset) {
        if (info->begin == info->end) {
            continue;
        }
        if (previous && info->begin < previous->end) {
            throw fail("tensors '" + previous->name + "' and '" + info->name + "' overlap");
        }
        previous = info;
    }
    for (const TensorInfo *info : byOffset) {
        file.mOrder.push_back(info->name);
    }
    file.mDataOffset = dataBegin;
    return file;
}

const std::string &SafetensorsFile::path() const
{
    return mPath;
}

std::vector<std::string> SafetensorsFile::names() const
{
    return mOrder;
}

bool SafetensorsFile::contains(const std::string &name) const
{
    return mInfos.count(name) != 0;
}

const TensorInfo &SafetensorsFile::info(const std::string &name) const
{
    const auto it = mInfos.find(name);
    if (it == mInfos.end()) {
        throw Error(mPath + ": no tensor '" + name + "'");
    }
    return it->second;
}

const std::map<std::string, std::string> &SafetensorsFile::metadata() const
{
    return mMetadata;
}

torch::Tensor SafetensorsFile::tensor(const std::string &name) const
{
    const TensorInfo &i = info(name);
    const torch::ScalarType type = *scalarType(i.dtype);
    const uint8_t *source = mMapping->bytes() + mDataOffset + i.begin;
    const size_t bytes = static_cast<size_t>(i.end - i.begin);
    if (type == torch::kBool) {
        // Any non-zero byte is true; a raw copy could put values other than 0/1 into a bool
        // tensor, which torch does not expect.
        torch::Tensor raw = torch::empty(i.shape, torch::kUInt8);
        if (bytes) {
            std::memcpy(raw.data_ptr(), source, bytes);
        }
        return raw.ne(0);
    }
    // Copy into a fresh (aligned) tensor: the data section has no alignment guarantee.
    torch::Tensor result = torch::empty(i.shape, type);
    if (bytes) {
        std::memcpy(result.data_ptr(), source, bytes);
    }
    return result;
}

torch::Tensor SafetensorsFile::tensor(const std::string &name, torch::ScalarType dtype) const
{
    return tensor(name).to(dtype);
}

std::map<std::string, torch::Tensor> SafetensorsFile::tensors() const
{
    std::map<std::string, torch::Tensor> all;
    for (const auto &name : mOrder) {
        all.emplace(name, tensor(name));
    }
    return all;
}

} // namespace rsrefseg
