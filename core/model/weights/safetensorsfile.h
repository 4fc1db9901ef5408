// SafetensorsFile: reads a .safetensors file without copying it (memory-mapped).
//
//   auto file = rsrefseg::SafetensorsFile::open("model.safetensors");
//   for (const auto &name : file.names()) { ... }
//   torch::Tensor w = file.tensor("vision_model.post_layernorm.weight");   // owns its data
//   torch::Tensor all = file.tensor("x", torch::kFloat32);                  // converted
//
// The header (u64 length + JSON) is bounds-checked before anything is allocated; a truncated,
// overlapping or inconsistent file is an Error naming the file and the tensor. Supported
// dtypes: F64 F32 F16 BF16 I64 I32 I16 I8 U8 BOOL.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

struct TensorInfo
{
    std::string name;
    std::string dtype; // as written in the file: "F32", "F16", ...
    std::vector<int64_t> shape;
    uint64_t begin = 0; // byte offsets relative to the data section
    uint64_t end = 0;
};

class SafetensorsFile
{
  public:
    // Maps the file and validates the whole header. Throws rsrefseg::Error.
    static SafetensorsFile open(const std::string &path);

    const std::string &path() const;
    // Tensor names in file order (by data offset; sorted by name when our writer or the
    // golden generator wrote the file).
    std::vector<std::string> names() const;
    bool contains(const std::string &name) const;
    const TensorInfo &info(const std::string &name) const;
    const std::map<std::string, std::string> &metadata() const;

    // A tensor that owns a copy of the bytes (safe after the file object is gone).
    // With a dtype, the tensor is converted to it.
    torch::Tensor tensor(const std::string &name) const;
    torch::Tensor tensor(const std::string &name, torch::ScalarType dtype) const;
    // All tensors, in file order.
    std::map<std::string, torch::Tensor> tensors() const;

    // "F32" <-> torch::kFloat32 etc.; nullopt for a dtype this format (or we) cannot hold.
    static std::optional<torch::ScalarType> scalarType(const std::string &dtype);
    static std::optional<std::string> dtypeName(torch::ScalarType type);

  private:
    struct Mapping;
    std::shared_ptr<Mapping> mMapping;
    std::string mPath;
    std::map<std::string, TensorInfo> mInfos;
    std::vector<std::string> mOrder;
    std::map<std::string, std::string> mMetadata;
    uint64_t mDataOffset = 0; // start of the data section in the file
};

} // namespace rsrefseg
