#include "model/weights/picklereader.h"

#include "common/error.h"
#include "model/weights/pickleparser.h"

namespace rsrefseg {

PickleReader PickleReader::parse(const void *data, size_t size, const std::string &sourceName)
{
    return parse(data, size, sourceName, Limits());
}

PickleReader PickleReader::parse(const void *data, size_t size, const std::string &sourceName,
                                 const Limits &limits)
{
    return parseWith(data, size, sourceName, limits, Profile::Checkpoint);
}

PickleReader PickleReader::parseData(const void *data, size_t size, const std::string &sourceName)
{
    return parseData(data, size, sourceName, Limits());
}

PickleReader PickleReader::parseData(const void *data, size_t size, const std::string &sourceName,
                                     const Limits &limits)
{
    return parseWith(data, size, sourceName, limits, Profile::PlainData);
}

PickleReader PickleReader::parseWith(const void *data, size_t size, const std::string &sourceName,
                                     const Limits &limits, Profile profile)
{
    if (!data && size) {
        throw Error(sourceName + ": no pickle data");
    }
    PickleReader reader;
    PickleParser parser(static_cast<const uint8_t *>(data), size, sourceName, limits, reader.mObjects,
                        profile);
    reader.mRoot = parser.run();
    return reader;
}

const PickleReader::Object *PickleReader::dictValue(const Object &dict, const std::string &key) const
{
    if (dict.kind != Kind::Dict) {
        return nullptr;
    }
    const Object *found = nullptr;
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
        const Object &k = mObjects[dict.items[i]];
        if (k.kind == Kind::String && k.text == key) {
            found = &mObjects[dict.items[i + 1]]; // the last assignment wins, as in Python
        }
    }
    return found;
}

} // namespace rsrefseg
