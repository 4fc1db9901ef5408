// modelCall: runs one model call for the engine; an allocator failure (c10::OutOfMemoryError
// from CUDA, std::bad_alloc) becomes an Error that says what was being done and which settings
// make it smaller. Other exceptions pass through unchanged.
//
//   auto f = modelCall("encoding 4 tile(s)", settings, [&] { return model.encodeImages(images); });
#pragma once

#include "common/error.h"
#include "engine/segmentationsettings.h"

#include <c10/util/Exception.h>

#include <new>
#include <string>

namespace rsrefseg {

template <typename Call>
auto modelCall(const std::string &what, const SegmentationSettings &s, Call &&call) -> decltype(call())
{
    std::string cause;
    try {
        return call();
    } catch (const c10::OutOfMemoryError &e) {
        cause = e.what_without_backtrace();
        cause = cause.substr(0, cause.find('\n'));
    } catch (const std::bad_alloc &) {
        cause = "the allocator refused";
    }
    const bool tiled = s.mode == SegmentationSettings::Mode::Tiled;
    throw Error("out of memory while " + what + " (" + cause + "): use a smaller batch (now " +
                std::to_string(s.batchSize) + " tile(s) per encoder call) or a smaller tile size" +
                (tiled ? " (now " + std::to_string(s.tileSize) + " px)" : std::string(" (tiled mode)")) +
                ", or close other programs using the device");
}

} // namespace rsrefseg
