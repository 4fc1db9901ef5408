// PickleParser: the opcode interpreter behind PickleReader (picklereader.h says what is read and
// what is refused). It reads one pickle into PickleReader's object arena: an input cursor with
// bounds checks, the stack with its MARKs, the memo, and the opcodes in four groups (framing and
// memo, plain values, containers, calls). Internal to core/model/weights.
//
//   std::vector<PickleReader::Object> objects;
//   size_t root = PickleParser(data, size, "model.pth", limits, objects).run();
//   PickleParser(data, size, "refs(unc).p", limits, objects, PickleReader::Profile::PlainData).run();
#pragma once

#include "common/error.h"
#include "model/weights/picklereader.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace rsrefseg {

class PickleParser
{
  public:
    PickleParser(const uint8_t *data, size_t size, const std::string &source, const PickleReader::Limits &limits,
           std::vector<PickleReader::Object> &objects,
           PickleReader::Profile profile = PickleReader::Profile::Checkpoint)
        : mData(data)
        , mSize(size)
        , mSource(source)
        , mLimits(limits)
        , mObjects(objects)
        , mProfile(profile)
    {
    }

    size_t run();

  private:
    using Object = PickleReader::Object;
    using Kind = PickleReader::Kind;

    Error fail(const std::string &what) const
    {
        return Error(mSource + ": " + what + " (pickle byte " + std::to_string(mOpPos) + ")");
    }

    // --- input -------------------------------------------------------------------------
    const uint8_t *take(size_t n)
    {
        if (n > mSize - mPos) {
            throw fail("truncated pickle");
        }
        const uint8_t *p = mData + mPos;
        mPos += n;
        return p;
    }
    uint64_t readLE(size_t n)
    {
        const uint8_t *p = take(n);
        uint64_t value = 0;
        for (size_t i = n; i-- > 0;) {
            value = (value << 8) | p[i];
        }
        return value;
    }
    std::string readBytes(uint64_t n)
    {
        // Lengths come from the file: check them against what is left before allocating.
        if (n > mSize - mPos) {
            throw fail("string of " + std::to_string(n) + " bytes runs past the end of the pickle");
        }
        const uint8_t *p = take(static_cast<size_t>(n));
        return std::string(reinterpret_cast<const char *>(p), static_cast<size_t>(n));
    }
    std::string readLine()
    {
        constexpr size_t kMaxLine = 256;
        std::string line;
        while (true) {
            const uint8_t c = *take(1);
            if (c == '\n') {
                return line;
            }
            if (line.size() >= kMaxLine) {
                throw fail("GLOBAL name longer than " + std::to_string(kMaxLine) + " bytes");
            }
            line.push_back(static_cast<char>(c));
        }
    }

    // --- objects and stack ----------------------------------------------------------------
    size_t make(Object object)
    {
        if (mObjects.size() >= mLimits.maxObjects) {
            throw fail("more than " + std::to_string(mLimits.maxObjects) + " objects");
        }
        mObjects.push_back(std::move(object));
        return mObjects.size() - 1;
    }
    size_t makeKind(Kind kind)
    {
        Object object;
        object.kind = kind;
        return make(std::move(object));
    }
    void push(size_t index)
    {
        if (mStack.size() >= mLimits.maxStack) {
            throw fail("stack deeper than " + std::to_string(mLimits.maxStack));
        }
        mStack.push_back(index);
    }
    size_t stackFloor() const { return mMarks.empty() ? 0 : mMarks.back(); }
    size_t pop()
    {
        if (mStack.size() <= stackFloor()) {
            throw fail("stack underflow");
        }
        const size_t index = mStack.back();
        mStack.pop_back();
        return index;
    }
    size_t top() const
    {
        if (mStack.size() <= stackFloor()) {
            throw fail("stack underflow");
        }
        return mStack.back();
    }
    // Everything above the last MARK; the MARK is removed.
    std::vector<size_t> popMark()
    {
        if (mMarks.empty()) {
            throw fail("no MARK on the stack");
        }
        const size_t mark = mMarks.back();
        mMarks.pop_back();
        std::vector<size_t> items(mStack.begin() + static_cast<std::ptrdiff_t>(mark), mStack.end());
        mStack.resize(mark);
        return items;
    }
    Object &at(size_t index) { return mObjects[index]; }
    Object &expect(size_t index, Kind kind, const char *what)
    {
        if (mObjects[index].kind != kind) {
            throw fail(std::string(what));
        }
        return mObjects[index];
    }
    void memoPut(uint64_t key, size_t index)
    {
        if (mMemo.size() >= mLimits.maxMemo && !mMemo.count(key)) {
            throw fail("memo larger than " + std::to_string(mLimits.maxMemo) + " entries");
        }
        mMemo[key] = index;
    }
    size_t memoGet(uint64_t key) const
    {
        const auto it = mMemo.find(key);
        if (it == mMemo.end()) {
            throw fail("memo entry " + std::to_string(key) + " is not defined");
        }
        return it->second;
    }

    // --- semantics -------------------------------------------------------------------------
    static bool isAllowedGlobal(const std::string &name);
    size_t global(const std::string &module, const std::string &name)
    {
        const std::string full = module + "." + name;
        if (mProfile == PickleReader::Profile::PlainData) {
            throw Error(mSource + ": refusing to load global '" + full +
                        "': a data pickle may hold only dicts, lists, tuples, strings, bytes, numbers, "
                        "None and booleans (pickle byte " + std::to_string(mOpPos) + ")");
        }
        if (!isAllowedGlobal(full)) {
            throw Error(mSource + ": refusing to load global '" + full +
                        "': only tensors, storages and OrderedDict may appear in a checkpoint");
        }
        Object object;
        object.kind = Kind::Global;
        object.text = full;
        return make(std::move(object));
    }
    int64_t intArg(size_t index, const char *what)
    {
        const Object &o = at(index);
        if (o.kind != Kind::Int) {
            throw fail(std::string(what) + " is not an int");
        }
        return o.intValue;
    }
    std::vector<int64_t> intTuple(size_t index, const char *what)
    {
        const Object &o = at(index);
        if (o.kind != Kind::Tuple) {
            throw fail(std::string(what) + " is not a tuple");
        }
        if (o.items.size() > mLimits.maxDims) {
            throw fail(std::string(what) + " has more than " + std::to_string(mLimits.maxDims) + " entries");
        }
        std::vector<int64_t> values;
        for (size_t item : o.items) {
            values.push_back(intArg(item, what));
        }
        return values;
    }
    size_t reduce(size_t callable, size_t args);
    size_t persistentLoad(size_t pid);

    // One opcode each; false when the opcode is not of the group.
    bool frameOp(uint8_t op);
    bool valueOp(uint8_t op);
    bool containerOp(uint8_t op);
    bool callOp(uint8_t op);

    const uint8_t *mData;
    size_t mSize;
    size_t mPos = 0;
    size_t mOpPos = 0;
    std::string mSource;
    PickleReader::Limits mLimits;
    std::vector<PickleReader::Object> &mObjects;
    PickleReader::Profile mProfile;
    std::vector<size_t> mStack;
    std::vector<size_t> mMarks;
    std::unordered_map<uint64_t, size_t> mMemo;
    // Shared immutable singletons keep None/True/False from filling the arena.
    size_t mNone = 0;
    size_t mTrue = 0;
    size_t mFalse = 0;
};

} // namespace rsrefseg
