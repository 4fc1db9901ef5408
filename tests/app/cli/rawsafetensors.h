// A .safetensors file read with nothing but its documented layout (u64 header length, JSON
// header, raw little-endian data), independent of the product's reader: what the CLI tests
// compare the program's outputs and the golden fixtures with.
#pragma once

#include <nlohmann/json.hpp>

#include <QString>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace clitest {

struct RawSafetensors
{
    std::string bytes;
    nlohmann::json header;
    uint64_t headerLength = 0;

    explicit RawSafetensors(const QString &path)
    {
        std::ifstream in(path.toStdString(), std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        if (bytes.size() >= 8)
            std::memcpy(&headerLength, bytes.data(), 8);
        header = bytes.size() >= 8 + headerLength ? nlohmann::json::parse(bytes.substr(8, headerLength), nullptr, false)
                                                  : nlohmann::json();
    }
    const char *data(const std::string &name) const
    {
        return bytes.data() + 8 + headerLength + header[name]["data_offsets"][0].get<size_t>();
    }
    std::vector<float> f32(const std::string &name) const
    {
        if (!header.contains(name) || header[name]["dtype"] != "F32")
            return {};
        const auto &o = header[name]["data_offsets"];
        std::vector<float> v((o[1].get<size_t>() - o[0].get<size_t>()) / 4);
        std::memcpy(v.data(), data(name), v.size() * 4);
        return v;
    }
    std::vector<int64_t> shape(const std::string &name) const
    {
        return header.contains(name) ? header[name]["shape"].get<std::vector<int64_t>>() : std::vector<int64_t>{};
    }
};

} // namespace clitest
