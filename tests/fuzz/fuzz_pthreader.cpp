// Fuzz target: the .pth reader. The first byte chooses the layer: odd = the restricted unpickler
// alone on the rest (the pickle layer is hard to reach through a zip archive), even = the whole
// file as a torch.save zip archive through PthReader (zip + data.pkl + storages -> state dict).
#include "fuzzinput.h"
#include "model/weights/picklereader.h"
#include "model/weights/pthreader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rsrefseg::FuzzScratch scratch;
    if (size == 0)
        return 0;
    if (data[0] & 1u) {
        rsrefseg::fuzzExpectError([&] {
            const auto pickle = rsrefseg::PickleReader::parse(data + 1, size - 1, "fuzz.pkl");
            (void)pickle.object(pickle.root());
        });
        return 0;
    }
    const std::string path = scratch.write("input.pth", data + 1, size - 1);
    rsrefseg::fuzzExpectError([&] {
        for (const auto &entry : rsrefseg::PthReader::readStateDict(path))
            (void)entry.second.sum();
    });
    return 0;
}
