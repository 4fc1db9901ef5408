// PickleReader: a restricted, non-executing unpickler for the data.pkl of torch.save archives.
//
//   rsrefseg::PickleReader pickle = rsrefseg::PickleReader::parse(bytes, size, "model.pth");
//   const rsrefseg::PickleReader::Object &root = pickle.object(pickle.root());
//
// It understands the opcode subset that state dicts use (protocol 2..5) and builds a tree of
// plain values (None, bool, int, float, str, bytes, tuple, list, dict) plus two torch-specific
// nodes: Storage (a persistent id ('storage', torch.<X>Storage, key, location, numel)) and
// Tensor (torch._utils._rebuild_tensor_v2 / _rebuild_parameter). Nothing is ever executed:
// GLOBAL / STACK_GLOBAL are checked against an allow-list (collections.OrderedDict,
// torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.<X>Storage) the
// moment they are read, and anything else is an Error naming the global and the source.
// All lengths, the memo, the stack and the object count are bounded; objects live in one arena
// and refer to each other by index, so cycles or deep nesting cannot exhaust the C++ stack.
// This file has no torch dependency: PthReader turns Tensor nodes into torch::Tensors, and it is
// built as its own library (rsrefseg_pickle) so that torch-free code can read data pickles.
//
// parseData() reads a plain-data pickle (the refs(unc).p of RefCOCO-style data sets): only None,
// bools, ints, floats, strings (Python 2 str and unicode), bytes, tuples, lists and dicts; every
// GLOBAL / STACK_GLOBAL (so every REDUCE / BUILD) and persistent id is refused the moment it is
// read, naming the global and the source.
//
//   rsrefseg::PickleReader refs = rsrefseg::PickleReader::parseData(bytes, size, "refs(unc).p");
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rsrefseg {

class PickleReader
{
  public:
    struct Limits
    {
        size_t maxObjects = 16u << 20;   // objects created while reading
        size_t maxMemo = 16u << 20;      // memo entries
        size_t maxStack = 4u << 20;      // values on the stack (all marks together)
        size_t maxMarks = 1u << 16;      // nested MARKs
        size_t maxDims = 64;             // tensor rank
    };

    // What a pickle may hold beyond plain values: Checkpoint = the allow-listed torch globals
    // above; PlainData = no global and no persistent id at all.
    enum class Profile
    {
        Checkpoint,
        PlainData
    };

    enum class Kind
    {
        None,
        Bool,
        Int,
        Float,
        String,
        Bytes,
        Tuple,
        List,
        Dict,
        Global,  // an allowed callable/class, text = "module.name"
        Storage, // text = storage class ("FloatStorage"), key, location, numel
        Tensor   // storage = index of a Storage object, offset, size, stride, requiresGrad
    };

    struct Object
    {
        Kind kind = Kind::None;
        bool boolValue = false;
        int64_t intValue = 0;
        double floatValue = 0.0;
        std::string text;          // String, Bytes, Global, Storage (class name)
        std::vector<size_t> items; // Tuple, List; Dict: key0, value0, key1, value1, ...
        bool orderedDict = false;  // Dict made by collections.OrderedDict()
        // Storage
        std::string key;
        std::string location;
        int64_t numel = 0;
        // Tensor
        size_t storage = 0;
        int64_t offset = 0;
        std::vector<int64_t> size;
        std::vector<int64_t> stride;
        bool requiresGrad = false;
    };

    // Parses a whole pickle (up to and including STOP). Throws rsrefseg::Error naming
    // `sourceName` on anything malformed, truncated, over a limit or not allowed.
    static PickleReader parse(const void *data, size_t size, const std::string &sourceName,
                              const Limits &limits);
    static PickleReader parse(const void *data, size_t size, const std::string &sourceName);
    // A plain-data pickle (Profile::PlainData), same errors.
    static PickleReader parseData(const void *data, size_t size, const std::string &sourceName,
                                  const Limits &limits);
    static PickleReader parseData(const void *data, size_t size, const std::string &sourceName);

    size_t root() const { return mRoot; }
    const Object &object(size_t index) const { return mObjects.at(index); }
    size_t objectCount() const { return mObjects.size(); }

    // For a Dict: the value stored under the string key, or nullptr.
    const Object *dictValue(const Object &dict, const std::string &key) const;

  private:
    static PickleReader parseWith(const void *data, size_t size, const std::string &sourceName,
                                  const Limits &limits, Profile profile);

    std::vector<Object> mObjects;
    size_t mRoot = 0;
};

} // namespace rsrefseg
