// Fuzz target: the safetensors reader (u64 header length + JSON header + data section).
// Every accepted file must also yield every tensor it lists without reading out of bounds.
#include "fuzzinput.h"
#include "model/weights/safetensorsfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rsrefseg::FuzzScratch scratch;
    const std::string path = scratch.write("input.safetensors", data, size);
    rsrefseg::fuzzExpectError([&] {
        const auto file = rsrefseg::SafetensorsFile::open(path);
        for (const auto &name : file.names()) {
            const torch::Tensor tensor = file.tensor(name);
            if (tensor.numel() > 0)
                (void)file.tensor(name, torch::kFloat32);
        }
    });
    return 0;
}
