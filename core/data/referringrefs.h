// ReferringRefs: the refs of a RefCOCO-style `refs(...).p` pickle (RRSIS-D's "refs(unc).p"),
// read with the restricted unpickler in plain-data mode (PickleReader::parseData): nothing in the
// file is ever executed, and a pickle naming any global (os.system, builtins.eval, ...) is refused.
//
//   std::vector<ReferringRef> refs = ReferringRefs::read("rrsisd/refs(unc).p");
//   for (const ReferringRef &ref : refs) ref.annId; ref.sentences[0].sent;
//
// The file is a list of dicts, one per referred object, with the fields RRSIS-D has (README,
// "Benchmark data"): ref_id, ann_id, image_id, category_id (ints), split, file_name (strings),
// sentences (a list of dicts with sent_id and sent; raw when sent is missing) and sent_ids.
// Python 2 str and unicode are both read; text that is not UTF-8 is read as Latin-1 (what Python
// 3 does with encoding="latin1"). Errors are rsrefseg::Error naming the file and the ref
// ("refs(unc).p: ref 12 (ref_id 2934): \"ann_id\" is missing").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rsrefseg {

struct RefSentence
{
    std::int64_t sentId = 0;
    std::string sent;
};

struct ReferringRef
{
    std::size_t index = 0; // position in the pickle's list, from 0
    std::int64_t refId = 0;
    std::int64_t annId = 0;
    std::int64_t imageId = 0;
    std::int64_t categoryId = 0;
    std::string split;
    std::string fileName;
    std::vector<RefSentence> sentences;

    // "ref 12 (ref_id 2934)": how errors name this ref.
    std::string label() const;
};

class ReferringRefs
{
  public:
    // Files larger than this are refused before they are read.
    static constexpr std::uint64_t kMaxFileBytes = std::uint64_t(1) << 31;

    static std::vector<ReferringRef> read(const std::string &path);
    // `sourceName` names the bytes in errors.
    static std::vector<ReferringRef> parse(const void *data, std::size_t size, const std::string &sourceName);

    // `text` when it is valid UTF-8, else `text` read as Latin-1 and written as UTF-8.
    static std::string toUtf8(const std::string &text);
};

} // namespace rsrefseg
