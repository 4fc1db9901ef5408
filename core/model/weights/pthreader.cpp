#include "model/weights/pthreader.h"

#include "common/error.h"

#include <caffe2/serialize/inline_container.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <fstream>
#include <limits>
#include <vector>

#include <sys/stat.h>

namespace rsrefseg {

namespace {

torch::ScalarType storageType(const std::string &storageClass, const std::string &path)
{
    static const std::map<std::string, torch::ScalarType> types = {
        {"FloatStorage", torch::kFloat32}, {"HalfStorage", torch::kFloat16},
        {"BFloat16Storage", torch::kBFloat16}, {"DoubleStorage", torch::kFloat64},
        {"LongStorage", torch::kInt64}, {"IntStorage", torch::kInt32},
        {"ShortStorage", torch::kInt16}, {"CharStorage", torch::kInt8},
        {"ByteStorage", torch::kUInt8}, {"BoolStorage", torch::kBool}};
    const auto it = types.find(storageClass);
    if (it == types.end()) {
        throw Error(path + ": unsupported storage type torch." + storageClass);
    }
    return it->second;
}

uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

// The uncompressed size of every entry of a zip archive, by name without its first folder
// (the archive's top folder, as PyTorchStreamReader names records), read from the central
// directory (zip64 included). The zip reader allocates a record's uncompressed size before it
// reads a byte, so a header claiming 10^15 bytes must be refused here: a stored entry cannot
// be larger than the file, a deflated one not larger than deflate's maximum ratio (1032:1)
// allows.
std::map<std::string, uint64_t> zipRecordSizes(const std::string &path, uint64_t fileSize)
{
    auto bad = [&](const std::string &why) { return Error(path + ": cannot read the zip archive: " + why); };
    std::ifstream in(path, std::ios::binary);
    auto readAt = [&](uint64_t offset, size_t n) {
        if (offset > fileSize || n > fileSize - offset)
            throw bad("a directory record lies outside the file");
        std::vector<unsigned char> buf(n);
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(reinterpret_cast<char *>(buf.data()), static_cast<std::streamsize>(n));
        if (static_cast<size_t>(in.gcount()) != n)
            throw bad("cannot read the directory");
        return buf;
    };
    // End of central directory: 22 bytes plus a comment of up to 65535 bytes, at the end.
    const uint64_t tailSize = std::min<uint64_t>(fileSize, 22 + 65535);
    const std::vector<unsigned char> tail = readAt(fileSize - tailSize, static_cast<size_t>(tailSize));
    size_t eocd = std::string::npos;
    for (size_t i = tail.size() >= 22 ? tail.size() - 22 + 1 : 0; i-- > 0;)
        if (le(&tail[i], 4) == 0x06054b50) {
            eocd = i;
            break;
        }
    if (eocd == std::string::npos)
        throw bad("no end of central directory record");
    uint64_t entries = le(&tail[eocd + 10], 2);
    uint64_t dirSize = le(&tail[eocd + 12], 4);
    uint64_t dirOffset = le(&tail[eocd + 16], 4);
    const uint64_t eocdOffset = fileSize - tailSize + eocd;
    if (entries == 0xffff || dirSize == 0xffffffffu || dirOffset == 0xffffffffu) {
        if (eocdOffset < 20)
            throw bad("zip64 locator missing");
        const std::vector<unsigned char> loc = readAt(eocdOffset - 20, 20);
        if (le(&loc[0], 4) != 0x07064b50)
            throw bad("zip64 locator missing");
        const std::vector<unsigned char> z = readAt(le(&loc[8], 8), 56);
        if (le(&z[0], 4) != 0x06064b50)
            throw bad("zip64 end of central directory missing");
        entries = le(&z[32], 8);
        dirSize = le(&z[40], 8);
        dirOffset = le(&z[48], 8);
    }
    if (entries > dirSize / 46)
        throw bad("more entries than the directory holds");
    const std::vector<unsigned char> dir = readAt(dirOffset, static_cast<size_t>(dirSize));
    std::map<std::string, uint64_t> sizes;
    std::string top;                  // the first entry's folder: the archive name
    // method, crc, size, local offset, compressed size, flags, external attributes
    std::map<std::string, std::array<uint64_t, 7>> stored;
    size_t pos = 0;
    for (uint64_t e = 0; e < entries; ++e) {
        if (pos + 46 > dir.size() || le(&dir[pos], 4) != 0x02014b50)
            throw bad("bad central directory entry");
        const uint64_t method = le(&dir[pos + 10], 2);
        uint64_t compressed = le(&dir[pos + 20], 4);
        uint64_t size = le(&dir[pos + 24], 4);
        const size_t nameLen = le(&dir[pos + 28], 2);
        const size_t extraLen = le(&dir[pos + 30], 2);
        const size_t commentLen = le(&dir[pos + 32], 2);
        const uint64_t crc = le(&dir[pos + 16], 4);
        uint64_t localOffset = le(&dir[pos + 42], 4);
        if (pos + 46 + nameLen + extraLen + commentLen > dir.size())
            throw bad("bad central directory entry");
        std::string name(reinterpret_cast<const char *>(&dir[pos + 46]), nameLen);
        // Zip64 extended information: the 8-byte values replace the saturated 4-byte ones.
        for (size_t x = pos + 46 + nameLen; x + 4 <= pos + 46 + nameLen + extraLen;) {
            const uint64_t id = le(&dir[x], 2);
            const size_t len = le(&dir[x + 2], 2);
            if (x + 4 + len > pos + 46 + nameLen + extraLen)
                break;
            if (id == 0x0001) {
                size_t f = x + 4;
                auto take = [&](uint64_t &value) {
                    if (value == 0xffffffffu && f + 8 <= x + 4 + len) {
                        value = le(&dir[f], 8);
                        f += 8;
                    }
                };
                take(size);
                take(compressed);
                take(localOffset);
            }
            x += 4 + len;
        }
        const uint64_t limit = method == 0 ? fileSize : compressed * 1032 + 1024;
        if (compressed > fileSize || size > limit)
            throw Error(path + ": zip entry '" + name + "' claims " + std::to_string(size) +
                        " bytes, more than a file of " + std::to_string(fileSize) +
                        " bytes can hold (refused before reading)");
        const size_t slash = name.find('/');
        if (e == 0) {
            if (slash == std::string::npos)
                throw bad("its first entry '" + name + "' is not in a folder");
            top = name.substr(0, slash + 1);
        }
        sizes[slash == std::string::npos ? name : name.substr(slash + 1)] = size;
        if (name.compare(0, top.size(), top) == 0)
            stored[name.substr(top.size())] = {method, crc, size, localOffset, compressed,
                                               le(&dir[pos + 8], 2), le(&dir[pos + 38], 4)};
        pos += 46 + nameLen + extraLen + commentLen;
    }
    if (entries == 0)
        throw bad("it holds no files");

    // The version record, checked as PyTorchStreamReader's constructor checks it: that
    // constructor leaks the zip reader's state when it throws (LibTorch 1.13), so every input
    // it would throw for is refused here first. torch.save stores it uncompressed.
    auto version = stored.find(".data/version");
    if (version == stored.end())
        version = stored.find("version");
    if (version == stored.end())
        throw bad("no version record (not a torch.save checkpoint)");
    const auto &v = version->second;
    // The zip reader reads an entry flagged as a directory (DOS attribute 0x10) or encrypted
    // as empty or not at all; stored entries have equal sizes.
    if (v[0] != 0 || v[2] > 32 || v[4] != v[2] || (v[5] & 0x2061) != 0 || (v[6] & 0x10) != 0)
        throw bad("the version record is compressed, too long, encrypted, patched or marked as a folder");
    const std::vector<unsigned char> header = readAt(v[3], 30);
    if (le(&header[0], 4) != 0x04034b50)
        throw bad("the version record's local header is missing");
    const std::vector<unsigned char> text =
        readAt(v[3] + 30 + le(&header[26], 2) + le(&header[28], 2), static_cast<size_t>(v[2]));
    uint32_t crc = 0xffffffffu;
    for (unsigned char c : text) {
        crc ^= c;
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    if ((~crc) != v[1])
        throw bad("the version record fails its CRC check");
    const std::string digits(text.begin(), text.end());
    size_t end = 0;
    while (end < digits.size() && std::isdigit(static_cast<unsigned char>(digits[end])))
        ++end;
    const bool blankAfter = digits.find_first_not_of(" \t\r\n", end) == std::string::npos;
    if (end == 0 || end > 9 || !blankAfter || std::stoul(digits.substr(0, end)) < 1 ||
        std::stoul(digits.substr(0, end)) > 10)
        throw Error(path + ": unsupported torch.save format version '" + digits.substr(0, 16) + "'");
    return sizes;
}

std::string readRecordText(caffe2::serialize::PyTorchStreamReader &reader, const std::string &name)
{
    at::DataPtr data;
    size_t size = 0;
    std::tie(data, size) = reader.getRecord(name);
    return std::string(static_cast<const char *>(data.get()), size);
}

} // namespace

void PthReader::checkRecordSize(const std::string &record) const
{
    // zipRecordSizes() refused every implausible size; a record the zip reader finds under a
    // name this scan did not see (it should not happen) is refused rather than trusted.
    if (mRecordSizes->find(record) == mRecordSizes->end())
        throw Error(mPath + ": record '" + record + "' is not in the zip directory");
}

PthReader PthReader::open(const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        throw Error(path + ": cannot open: " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        throw Error(path + ": not a regular file");
    }
    {
        // The zip reader's own message for a non-zip is obscure; say what the file is not.
        char magic[4] = {0, 0, 0, 0};
        std::ifstream in(path, std::ios::binary);
        in.read(magic, 4);
        if (in.gcount() < 4 || std::memcmp(magic, "PK\x03\x04", 4) != 0) {
            if (in.gcount() >= 2 && static_cast<unsigned char>(magic[0]) == 0x80) {
                throw Error(path + ": a legacy (pre-1.6, non-zip) torch.save file; re-save it with a "
                                   "current torch or convert it to safetensors");
            }
            throw Error(path + ": not a torch.save zip archive");
        }
    }

    PthReader pth;
    pth.mPath = path;
    pth.mStorages = std::make_shared<std::map<std::string, torch::Tensor>>();
    pth.mRecordSizes =
        std::make_shared<std::map<std::string, uint64_t>>(zipRecordSizes(path, static_cast<uint64_t>(st.st_size)));
    try {
        pth.mReader = std::make_shared<caffe2::serialize::PyTorchStreamReader>(path);
        if (!pth.mReader->hasRecord("data.pkl")) {
            throw Error(path + ": the archive has no data.pkl (not a torch.save checkpoint; a "
                               "TorchScript archive?)");
        }
        if (pth.mReader->hasRecord("byteorder")) {
            pth.checkRecordSize("byteorder");
            const std::string order = readRecordText(*pth.mReader, "byteorder");
            if (order != "little") {
                throw Error(path + ": storages are stored in '" + order + "' byte order; only little-endian is supported");
            }
        }
        at::DataPtr data;
        size_t size = 0;
        pth.checkRecordSize("data.pkl");
        std::tie(data, size) = pth.mReader->getRecord("data.pkl");
        pth.mPickle = std::make_shared<PickleReader>(PickleReader::parse(data.get(), size, path));
    } catch (const Error &) {
        throw;
    } catch (const c10::Error &e) {
        throw Error(path + ": cannot read the zip archive: " + e.what_without_backtrace());
    } catch (const std::bad_alloc &) {
        throw Error(path + ": out of memory reading the archive (a corrupt size?)");
    } catch (const std::exception &e) {
        // E.g. std::out_of_range from the zip reader's own number parsing.
        throw Error(path + ": cannot read the zip archive: " + e.what());
    }
    return pth;
}

std::map<std::string, torch::Tensor> PthReader::readStateDict(const std::string &path)
{
    return open(path).stateDict();
}

torch::Tensor PthReader::storage(const PickleReader::Object &object) const
{
    const torch::ScalarType type = storageType(object.text, mPath);
    const auto cached = mStorages->find(object.key);
    if (cached != mStorages->end()) {
        // Bounds are checked against the persistent id's numel, so a second reference to the
        // same storage must agree with the first on both type and size.
        if (cached->second.scalar_type() != type || cached->second.numel() != object.numel) {
            throw Error(mPath + ": storage '" + object.key + "' is referenced with different types or sizes");
        }
        return cached->second;
    }
    const std::string record = "data/" + object.key;
    at::DataPtr data;
    size_t size = 0;
    try {
        if (!mReader->hasRecord(record)) {
            throw Error(mPath + ": storage '" + record + "' is missing from the archive");
        }
        checkRecordSize(record);
        std::tie(data, size) = mReader->getRecord(record);
    } catch (const Error &) {
        throw;
    } catch (const c10::Error &e) {
        throw Error(mPath + ": cannot read storage '" + record + "': " + e.what_without_backtrace());
    } catch (const std::bad_alloc &) {
        throw Error(mPath + ": out of memory reading storage '" + record + "'");
    }
    const uint64_t itemSize = c10::elementSize(type);
    uint64_t expected = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(object.numel), itemSize, &expected) || expected != size) {
        throw Error(mPath + ": storage '" + record + "' has " + std::to_string(size) + " bytes, its " +
                    object.text + " of " + std::to_string(object.numel) + " elements needs " +
                    std::to_string(object.numel) + " x " + std::to_string(itemSize));
    }
    if (type == torch::kBool) {
        // torch expects bool bytes to be 0 or 1.
        auto *bytes = static_cast<uint8_t *>(data.get());
        for (size_t i = 0; i < size; ++i) {
            bytes[i] = bytes[i] != 0;
        }
    }
    // The tensor owns the record's memory through the deleter.
    auto owner = std::make_shared<at::DataPtr>(std::move(data));
    void *raw = owner->get();
    torch::Tensor tensor;
    if (object.numel == 0) {
        tensor = torch::empty({0}, type);
    } else {
        tensor = torch::from_blob(
            raw, {object.numel}, [owner](void *) mutable { owner.reset(); }, torch::TensorOptions().dtype(type));
    }
    mStorages->emplace(object.key, tensor);
    return tensor;
}

torch::Tensor PthReader::tensor(size_t objectIndex) const
{
    const PickleReader::Object &object = mPickle->object(objectIndex);
    if (object.kind != PickleReader::Kind::Tensor) {
        throw Error(mPath + ": object " + std::to_string(objectIndex) + " is not a tensor");
    }
    const PickleReader::Object &storageObject = mPickle->object(object.storage);
    const torch::Tensor base = storage(storageObject);
    const int64_t storageNumel = storageObject.numel;

    // Bounds: offset + sum((size_i - 1) * stride_i) must lie inside the storage.
    if (object.offset < 0) {
        throw Error(mPath + ": tensor with a negative storage offset");
    }
    bool empty = false;
    for (size_t i = 0; i < object.size.size(); ++i) {
        if (object.size[i] < 0 || object.stride[i] < 0) {
            throw Error(mPath + ": tensor with a negative size or stride");
        }
        empty = empty || object.size[i] == 0;
    }
    if (empty) {
        return torch::empty(object.size, base.scalar_type());
    }
    int64_t last = object.offset;
    for (size_t i = 0; i < object.size.size(); ++i) {
        int64_t step = 0;
        if (__builtin_mul_overflow(object.size[i] - 1, object.stride[i], &step) ||
            __builtin_add_overflow(last, step, &last)) {
            throw Error(mPath + ": tensor size/stride overflow");
        }
    }
    if (last >= storageNumel) {
        throw Error(mPath + ": tensor needs element " + std::to_string(last) + " of storage '" +
                    storageObject.key + "', which has " + std::to_string(storageNumel));
    }
    try {
        return base.as_strided(object.size, object.stride, object.offset);
    } catch (const c10::Error &e) {
        throw Error(mPath + ": cannot view storage '" + storageObject.key + "': " + e.what_without_backtrace());
    }
}

std::map<std::string, torch::Tensor> PthReader::stateDict() const
{
    using Kind = PickleReader::Kind;
    const PickleReader &pickle = *mPickle;
    const PickleReader::Object *dict = &pickle.object(pickle.root());
    if (dict->kind != Kind::Dict) {
        throw Error(mPath + ": the checkpoint is not a dict, so it holds no state dict");
    }
    for (const char *wrapper : {"state_dict", "module", "model"}) {
        const PickleReader::Object *inner = pickle.dictValue(*dict, wrapper);
        if (inner && inner->kind == Kind::Dict) {
            dict = inner;
            break;
        }
    }
    std::map<std::string, torch::Tensor> tensors;
    for (size_t i = 0; i + 1 < dict->items.size(); i += 2) {
        const PickleReader::Object &key = pickle.object(dict->items[i]);
        const PickleReader::Object &value = pickle.object(dict->items[i + 1]);
        if (value.kind != Kind::Tensor) {
            continue; // "meta", hyper-parameters, nested dicts
        }
        if (key.kind != Kind::String) {
            throw Error(mPath + ": a tensor is stored under a key that is not a string");
        }
        try {
            tensors[key.text] = tensor(dict->items[i + 1]);
        } catch (const Error &e) {
            throw Error(std::string(e.what()) + " (tensor '" + key.text + "')");
        }
    }
    if (tensors.empty()) {
        throw Error(mPath + ": no tensors found (expected a state dict, possibly under 'state_dict' or 'module')");
    }
    return tensors;
}

} // namespace rsrefseg
