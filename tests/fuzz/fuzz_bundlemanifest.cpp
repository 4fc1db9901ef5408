// Fuzz target: the model-bundle manifest. The input is manifest.json of a bundle folder that
// holds model.safetensors and spiece.model (empty files) and sits next to a file outside it;
// ModelBundle::open must refuse or accept, and an accepted bundle's files must lie inside it.
#include "fuzzinput.h"
#include "model/rsrefseg/modelbundle.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rsrefseg::FuzzScratch scratch;
    static const fs::path bundle = [] {
        const fs::path dir = scratch.dir() / "bundle";
        fs::create_directories(dir);
        std::ofstream(dir / "model.safetensors").flush();
        std::ofstream(dir / "spiece.model").flush();
        std::ofstream(scratch.dir() / "outside.safetensors").flush();
        return dir;
    }();
    scratch.write("bundle/manifest.json", data, size);
    rsrefseg::fuzzExpectError([&] {
        const auto opened = rsrefseg::ModelBundle::open(bundle.string());
        const std::string inside = fs::canonical(bundle).string() + "/";
        for (const std::string &file : {opened.weightsPath(), opened.tokenizerPath()})
            if (file.compare(0, inside.size(), inside) != 0)
                __builtin_trap(); // a manifest reached outside its folder
        (void)opened.manifest().toJson().dump();
    });
    return 0;
}
