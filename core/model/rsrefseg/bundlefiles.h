// BundleFiles: the file handling every model bundle shares, whatever its architecture
// (ModelBundle for RSRefSeg, RSRefSeg2Bundle): reading manifest.json with size and depth limits,
// resolving a manifest's file names strictly inside the folder, collecting a module's tensors
// for storage, and writing a bundle folder atomically.
//
//   nlohmann::json j = BundleFiles::readManifest(dir);                 // Error naming the file
//   std::string w = BundleFiles::resolve(dir, "model.safetensors", "weights.file");
//   BundleFiles::writeAtomically(dir, overwrite, [&](const std::string &temp) { ...write files... });
#pragma once

#include <nlohmann/json.hpp>
#include <torch/nn/module.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace rsrefseg {

class BundleFiles
{
  public:
    // manifest.json of `dir`, parsed; Errors name the folder or the file (missing, > 4 MiB,
    // nested deeper than 64 levels, not JSON).
    static nlohmann::json readManifest(const std::string &dir);
    // The full path of `fileName` inside `dir`; absolute names, `..` and links leaving the folder
    // and missing files are Errors naming the manifest `field`.
    static std::string resolve(const std::string &dir, const std::string &fileName, const char *field);
    // Parameters (converted to `storeType`) and buffers (floating ones converted) on the CPU,
    // contiguous; `parameters` receives the parameter count.
    static std::map<std::string, torch::Tensor> tensorsOf(const torch::nn::Module &module, torch::ScalarType storeType,
                                                          int64_t &parameters);
    // Fills a temporary sibling folder through `fill` and renames it to `dir` (the old bundle,
    // when `overwrite`, is removed only after the new one is in place); on any failure nothing
    // is left behind.
    static void writeAtomically(const std::string &dir, bool overwrite,
                                const std::function<void(const std::string &tempDir)> &fill);
    // Writes `json` (indented) to `path`; an Error when the disk refuses.
    static void writeJson(const std::string &path, const nlohmann::json &json);
};

} // namespace rsrefseg
