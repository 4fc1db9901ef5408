#include "data/referringrefs.h"

#include "common/error.h"
#include "model/weights/picklereader.h"

#include <filesystem>
#include <fstream>
#include <iterator>

namespace rsrefseg {

namespace {

using Object = PickleReader::Object;
using Kind = PickleReader::Kind;

bool isUtf8(const std::string &text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 9;
        if (extra == 9 || c == 0xC0 || c == 0xC1 || c > 0xF4 || extra > text.size() - i - 1)
            return false;
        for (std::size_t k = 1; k <= extra; ++k)
            if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2)
                return false;
        i += extra + 1;
    }
    return true;
}

// Reads one ref's fields; every error names the ref.
class RefFields
{
  public:
    RefFields(const PickleReader &pickle, const Object &dict, std::string label)
        : mPickle(pickle)
        , mDict(dict)
        , mLabel(std::move(label))
    {
    }

    Error error(const std::string &what) const { return Error(mLabel + ": " + what); }

    const Object &field(const Object &dict, const char *key) const
    {
        const Object *value = mPickle.dictValue(dict, key);
        if (!value)
            throw error(std::string("\"") + key + "\" is missing");
        return *value;
    }
    std::int64_t integer(const Object &dict, const char *key) const
    {
        const Object &value = field(dict, key);
        if (value.kind != Kind::Int)
            throw error(std::string("\"") + key + "\" is not an integer");
        return value.intValue;
    }
    std::string text(const Object &dict, const char *key) const
    {
        const Object &value = field(dict, key);
        if (value.kind != Kind::String && value.kind != Kind::Bytes)
            throw error(std::string("\"") + key + "\" is not a string");
        return ReferringRefs::toUtf8(value.text);
    }
    const Object &list(const Object &dict, const char *key) const
    {
        const Object &value = field(dict, key);
        if (value.kind != Kind::List && value.kind != Kind::Tuple)
            throw error(std::string("\"") + key + "\" is not a list");
        return value;
    }

    std::vector<RefSentence> sentences() const
    {
        std::vector<RefSentence> out;
        for (std::size_t item : list(mDict, "sentences").items) {
            const Object &sentence = mPickle.object(item);
            if (sentence.kind != Kind::Dict)
                throw error("an entry of \"sentences\" is not a dict");
            RefSentence s;
            s.sentId = integer(sentence, "sent_id");
            s.sent = mPickle.dictValue(sentence, "sent") ? text(sentence, "sent") : text(sentence, "raw");
            out.push_back(std::move(s));
        }
        if (out.empty())
            throw error("\"sentences\" is empty");
        return out;
    }

  private:
    const PickleReader &mPickle;
    const Object &mDict;
    std::string mLabel;
};

ReferringRef readRef(const PickleReader &pickle, std::size_t index, const std::string &sourceName)
{
    const Object &dict = pickle.object(pickle.object(pickle.root()).items[index]);
    std::string label = sourceName + ": ref " + std::to_string(index);
    if (dict.kind != Kind::Dict)
        throw Error(label + " is not a dict");
    ReferringRef ref;
    ref.index = index;
    {
        RefFields probe(pickle, dict, label);
        ref.refId = probe.integer(dict, "ref_id");
    }
    label += " (ref_id " + std::to_string(ref.refId) + ")";
    RefFields fields(pickle, dict, label);
    ref.annId = fields.integer(dict, "ann_id");
    ref.imageId = fields.integer(dict, "image_id");
    ref.categoryId = fields.integer(dict, "category_id");
    ref.split = fields.text(dict, "split");
    ref.fileName = fields.text(dict, "file_name");
    ref.sentences = fields.sentences();
    return ref;
}

} // namespace

std::string ReferringRef::label() const
{
    return "ref " + std::to_string(index) + " (ref_id " + std::to_string(refId) + ")";
}

std::string ReferringRefs::toUtf8(const std::string &text)
{
    if (isUtf8(text))
        return text;
    std::string out;
    out.reserve(text.size() * 2);
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x80) {
            out.push_back(ch);
        } else {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

std::vector<ReferringRef> ReferringRefs::parse(const void *data, std::size_t size, const std::string &sourceName)
{
    const PickleReader pickle = PickleReader::parseData(data, size, sourceName);
    const Object &root = pickle.object(pickle.root());
    if (root.kind != Kind::List && root.kind != Kind::Tuple)
        throw Error(sourceName + ": expected a list of refs at the top of the pickle");
    if (root.items.empty())
        throw Error(sourceName + ": the pickle holds no refs");
    std::vector<ReferringRef> refs;
    refs.reserve(root.items.size());
    for (std::size_t i = 0; i < root.items.size(); ++i)
        refs.push_back(readRef(pickle, i, sourceName));
    return refs;
}

std::vector<ReferringRef> ReferringRefs::read(const std::string &path)
{
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    if (ec)
        throw Error(path + ": cannot read the refs pickle (" + ec.message() + ")");
    if (bytes > kMaxFileBytes)
        throw Error(path + ": " + std::to_string(bytes) + " bytes is larger than any refs pickle");
    std::ifstream in(path, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.eof() && in.fail())
        throw Error(path + ": read error");
    return parse(data.data(), data.size(), path);
}

} // namespace rsrefseg
