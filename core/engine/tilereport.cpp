#include "engine/tilereport.h"

namespace rsrefseg {

std::string TileReport::stateName(State s)
{
    switch (s) {
    case State::Segmented: return "segmented";
    case State::Gated: return "gated";
    case State::NoData: return "nodata";
    case State::View: return "view";
    }
    return "segmented";
}

std::string TileReport::cacheName(Cache c)
{
    switch (c) {
    case Cache::NotUsed: return "none";
    case Cache::Miss: return "miss";
    case Cache::Memory: return "memory";
    case Cache::Disk: return "disk";
    }
    return "none";
}

nlohmann::json TileReport::toJson() const
{
    nlohmann::json j{{"query_index", queryIndex},
                     {"tile", tileId},
                     {"row", row},
                     {"col", column},
                     {"window", {window.x, window.y, window.width, window.height}},
                     {"state", error.empty() ? stateName(state) : std::string("failed")},
                     {"relevance", relevance},
                     {"iou_pred", iou},
                     {"cache", cacheName(cache)},
                     {"read_ms", readMs},
                     {"encode_ms", encodeMs},
                     {"decode_ms", decodeMs},
                     {"object_pixels", objectPixels}};
    if (!error.empty())
        j["error"] = error;
    return j;
}

} // namespace rsrefseg
