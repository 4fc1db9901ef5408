#include "model/weights/safetensorswriter.h"

#include "common/error.h"
#include "model/weights/safetensorsfile.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace rsrefseg {

std::string SafetensorsWriter::serialize(const std::map<std::string, torch::Tensor> &tensors,
                                         const std::map<std::string, std::string> &metadata,
                                         const std::string &sourceName)
{
    {
        const uint16_t probe = 1;
        uint8_t first = 0;
        std::memcpy(&first, &probe, 1);
        if (first != 1) {
            throw Error(sourceName + ": writing safetensors needs a little-endian host");
        }
    }
    // nlohmann::json objects are std::maps: keys come out sorted by bytes at every level,
    // exactly as Python's json.dumps(sort_keys=True, separators=(",", ":")) orders them.
    nlohmann::json header = nlohmann::json::object();
    if (!metadata.empty()) {
        header["__metadata__"] = metadata;
    }
    std::vector<torch::Tensor> ordered;
    uint64_t offset = 0;
    for (const auto &entry : tensors) {
        const std::string &name = entry.first;
        if (name == "__metadata__") {
            throw Error(sourceName + ": '__metadata__' cannot be a tensor name");
        }
        if (!entry.second.defined()) {
            throw Error(sourceName + ": tensor '" + name + "' is undefined");
        }
        const auto dtype = SafetensorsFile::dtypeName(entry.second.scalar_type());
        if (!dtype) {
            throw Error(sourceName + ": tensor '" + name + "' has dtype " +
                        c10::toString(entry.second.scalar_type()) + ", which safetensors cannot hold here");
        }
        torch::Tensor data = entry.second.detach().to(torch::kCPU).contiguous();
        const uint64_t bytes = static_cast<uint64_t>(data.nbytes());
        header[name] = {{"dtype", *dtype},
                        {"shape", data.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        ordered.push_back(data);
    }
    std::string json;
    try {
        json = header.dump(); // raw UTF-8, compact separators
    } catch (const nlohmann::json::exception &e) {
        throw Error(sourceName + ": cannot encode the header (names and metadata must be UTF-8): " + e.what());
    }
    json.append((8 - json.size() % 8) % 8, ' ');

    std::string out;
    out.reserve(8 + json.size() + offset);
    uint64_t length = json.size();
    for (int i = 0; i < 8; ++i) {
        out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
    }
    out += json;
    for (const torch::Tensor &data : ordered) {
        out.append(static_cast<const char *>(data.data_ptr()), data.nbytes());
    }
    return out;
}

void SafetensorsWriter::write(const std::string &path, const std::map<std::string, torch::Tensor> &tensors,
                              const std::map<std::string, std::string> &metadata)
{
    // Serialise first so that an invalid tensor leaves no file behind at all.
    const std::string bytes = serialize(tensors, metadata, path);

    const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw Error(path + ": cannot create " + temporary + ": " + std::strerror(errno));
    }
    const auto failAndRemove = [&](const std::string &what) {
        const std::string reason = std::strerror(errno);
        ::close(fd);
        ::unlink(temporary.c_str());
        return Error(path + ": " + what + ": " + reason);
    };
    size_t written = 0;
    while (written < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw failAndRemove("cannot write " + temporary);
        }
        written += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        throw failAndRemove("cannot flush " + temporary);
    }
    if (::close(fd) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw Error(path + ": cannot close " + temporary + ": " + reason);
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temporary.c_str());
        throw Error(path + ": cannot rename " + temporary + " into place: " + reason);
    }
}

} // namespace rsrefseg
