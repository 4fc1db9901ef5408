#include "model/weights/pthreader.h"

#include "common/error.h"

#include <caffe2/serialize/inline_container.h>
#include <c10/util/Exception.h>

#include <cstring>
#include <fstream>
#include <limits>

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

std::string readRecordText(caffe2::serialize::PyTorchStreamReader &reader, const std::string &name)
{
    at::DataPtr data;
    size_t size = 0;
    std::tie(data, size) = reader.getRecord(name);
    return std::string(static_cast<const char *>(data.get()), size);
}

} // namespace

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
    try {
        pth.mReader = std::make_shared<caffe2::serialize::PyTorchStreamReader>(path);
        if (!pth.mReader->hasRecord("data.pkl")) {
            throw Error(path + ": the archive has no data.pkl (not a torch.save checkpoint; a "
                               "TorchScript archive?)");
        }
        if (pth.mReader->hasRecord("byteorder")) {
            const std::string order = readRecordText(*pth.mReader, "byteorder");
            if (order != "little") {
                throw Error(path + ": storages are stored in '" + order + "' byte order; only little-endian is supported");
            }
        }
        at::DataPtr data;
        size_t size = 0;
        std::tie(data, size) = pth.mReader->getRecord("data.pkl");
        pth.mPickle = std::make_shared<PickleReader>(PickleReader::parse(data.get(), size, path));
    } catch (const Error &) {
        throw;
    } catch (const c10::Error &e) {
        throw Error(path + ": cannot read the zip archive: " + e.what_without_backtrace());
    } catch (const std::bad_alloc &) {
        throw Error(path + ": out of memory reading the archive (a corrupt size?)");
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
    for (const char *wrapper : {"state_dict", "module"}) {
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
