// SafetensorsWriter: writes named tensors (+ string metadata) as a .safetensors file.
//
//   std::map<std::string, torch::Tensor> tensors = {{"w", w}, {"b", b}};
//   rsrefseg::SafetensorsWriter::write("out.safetensors", tensors, {{"format", "pt"}});
//
// Layout (the one the golden generator writes, see tests/data/golden/README.md §2): u64 LE
// header length, compact JSON with every object's keys sorted (so "__metadata__" and the
// tensor names in byte order, and per tensor data_offsets, dtype, shape), padded with spaces to
// a multiple of 8; then each tensor's bytes (contiguous, CPU, little-endian) in name order.
// The file is written to "<path>.tmp-<pid>" and renamed on success; on failure the temporary
// file is removed and an Error naming the path (and tensor) is thrown.
#pragma once

#include <torch/types.h>

#include <map>
#include <string>

namespace rsrefseg {

class SafetensorsWriter
{
  public:
    static void write(const std::string &path, const std::map<std::string, torch::Tensor> &tensors,
                      const std::map<std::string, std::string> &metadata = {});

    // The bytes write() puts in the file, for in-memory use and tests.
    static std::string serialize(const std::map<std::string, torch::Tensor> &tensors,
                                 const std::map<std::string, std::string> &metadata = {},
                                 const std::string &sourceName = "safetensors");
};

} // namespace rsrefseg
