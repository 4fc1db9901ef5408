// WeightFile: reads every tensor of a checkpoint, whatever its container.
//
//   auto tensors = rsrefseg::WeightFile::readAll("model.safetensors");   // or .pth, or a folder
//   auto hf = rsrefseg::WeightFile::readHfFolder("siglip-so400m-patch14-384/");
//
// readAll() looks at the content, not the extension: a zip is a torch.save checkpoint
// (PthReader::readStateDict), anything else must be safetensors; a directory goes to
// readHfFolder(). readHfFolder() reads a Hugging Face model folder: the shards listed in
// model.safetensors.index.json (every shard must exist inside the folder, every tensor must be
// where the index says and appear once), else model.safetensors, else pytorch_model.bin.
// Errors name the file and tensor at fault.
#pragma once

#include <torch/types.h>

#include <map>
#include <string>

namespace rsrefseg {

class WeightFile
{
  public:
    static std::map<std::string, torch::Tensor> readAll(const std::string &path);
    static std::map<std::string, torch::Tensor> readHfFolder(const std::string &dir);
    // True when the file starts like a zip archive (torch.save format).
    static bool isZip(const std::string &path);
};

} // namespace rsrefseg
