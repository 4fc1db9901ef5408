// Fuzz target: the RSRefSeg JSONL data set reader (images not opened: RLE lines give the size).
// Line length and nesting limits are lowered so that the limit paths are reached too.
#include "fuzzinput.h"
#include "train/rsrefsegdataset.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const rsrefseg::FuzzScratch scratch;
    const std::string path = scratch.write("input.jsonl", data, size);
    rsrefseg::RSRefSegDataset::Options options;
    options.checkImages = false;
    options.maxLineBytes = 4096;
    options.maxJsonDepth = 8;
    rsrefseg::fuzzExpectError([&] {
        const auto dataset = rsrefseg::RSRefSegDataset::load(path, scratch.dir().string(), options);
        for (std::size_t i = 0; i < dataset.size(); ++i) {
            const auto &sample = dataset.sample(i);
            if (static_cast<int64_t>(sample.mask.height()) * sample.mask.width() <= (int64_t(1) << 22))
                (void)sample.mask.decode();
            (void)dataset.imagePath(i);
        }
    });
    return 0;
}
