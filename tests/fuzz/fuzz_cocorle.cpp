// Fuzz target: the COCO RLE decoder. Bytes 0-1 and 2-3 are the height and width (little-endian,
// at most 2048 each here so that a valid mask stays small), the rest is the compressed counts
// string; the same text is also tried as an RLE JSON object ({"size":..,"counts":..} or any
// other JSON). An accepted RLE must decode, re-encode to the same runs and report its area.
#include "fuzzinput.h"
#include "train/cocorle.h"

#include <nlohmann/json.hpp>

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    const int height = (data[0] | (data[1] << 8)) % 2049;
    const int width = (data[2] | (data[3] << 8)) % 2049;
    const std::string_view counts(reinterpret_cast<const char *>(data + 4), size - 4);
    rsrefseg::fuzzExpectError([&] {
        const auto rle = rsrefseg::CocoRle::fromString(counts, height, width);
        const cv::Mat mask = rle.decode();
        if (rsrefseg::CocoRle::encode(mask) != rle)
            __builtin_trap(); // decode/encode must round-trip
        (void)rle.area();
        (void)rle.boundingBox();
        (void)rle.toString();
    });
    const nlohmann::json json = nlohmann::json::parse(counts, nullptr, false);
    if (!json.is_discarded()) {
        rsrefseg::fuzzExpectError([&] {
            const auto rle = rsrefseg::CocoRle::fromJson(json);
            if (static_cast<int64_t>(rle.height()) * rle.width() <= (int64_t(1) << 22))
                (void)rle.decode();
        });
    }
    return 0;
}
