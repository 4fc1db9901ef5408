// PthReader: reads checkpoints written by torch.save (zip format, torch >= 1.6) without
// executing anything, unlike torch::pickle_load (ARCHITECTURE.md, Platform facts: checkpoints).
//
//   auto tensors = rsrefseg::PthReader::readStateDict("model.pth");   // name -> tensor
//
//   rsrefseg::PthReader pth = rsrefseg::PthReader::open("model.pth");
//   const rsrefseg::PickleReader &pickle = pth.pickle();              // the whole object tree
//   torch::Tensor t = pth.tensor(someTensorObjectIndex);
//
// The archive holds "<top>/data.pkl" and "<top>/data/<key>" storages; <top> differs between
// torch versions (file stem, "archive") and is found from the archive, not assumed. The pickle
// goes through PickleReader's allow-list. stateDict() accepts a bare (Ordered)dict of tensors or
// one wrapped under "state_dict", "module" or "model" (mmengine / DeepSpeed / SAM 2.1 .pt); entries that
// are not tensors ("meta", nested dicts, numbers) are ignored. Every offset/size/stride is
// checked against its storage before a tensor is made. Errors name the file (and tensor).
#pragma once

#include "model/weights/picklereader.h"

#include <torch/types.h>

#include <map>
#include <memory>
#include <string>

namespace caffe2 {
namespace serialize {
class PyTorchStreamReader;
}
} // namespace caffe2

namespace rsrefseg {

class PthReader
{
  public:
    // Opens the archive and parses data.pkl (storages are read on demand). Throws rsrefseg::Error.
    static PthReader open(const std::string &path);
    // open(path).stateDict()
    static std::map<std::string, torch::Tensor> readStateDict(const std::string &path);

    const std::string &path() const { return mPath; }
    const PickleReader &pickle() const { return *mPickle; }

    // The tensor of a PickleReader Tensor object (a view of its storage, like torch.load).
    torch::Tensor tensor(size_t objectIndex) const;
    // The state dict found in the top-level object (see above). Throws if there is none.
    std::map<std::string, torch::Tensor> stateDict() const;

  private:
    torch::Tensor storage(const PickleReader::Object &storage) const;
    // Throws unless the record's size in the zip directory is plausible for this file (checked
    // before the zip reader allocates that many bytes).
    void checkRecordSize(const std::string &record) const;

    std::string mPath;
    std::shared_ptr<caffe2::serialize::PyTorchStreamReader> mReader;
    std::shared_ptr<PickleReader> mPickle;
    std::shared_ptr<std::map<std::string, torch::Tensor>> mStorages; // by key, read once
    // Uncompressed size of each record (name without the archive's top folder), from the
    // central directory, already checked against the file size.
    std::shared_ptr<std::map<std::string, uint64_t>> mRecordSizes;
};

} // namespace rsrefseg
