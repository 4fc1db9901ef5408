#include "engine/segmentationresult.h"

namespace rsrefseg {

nlohmann::json QueryResult::toJson(bool withTiles) const
{
    nlohmann::json j{{"query", query},
                     {"outputs", outputs.toJson()},
                     {"object_pixels", objectPixels},
                     {"valid_pixels", validPixels},
                     {"polygons", polygonCount},
                     {"decode_s", decodeSeconds},
                     {"post_s", postSeconds}};
    if (!warning.empty())
        j["warning"] = warning;
    int gated = 0;
    int segmented = 0;
    for (const TileReport &t : tiles) {
        gated += t.state == TileReport::State::Gated;
        segmented += t.state == TileReport::State::Segmented || t.state == TileReport::State::View;
    }
    j["tiles_segmented"] = segmented;
    j["tiles_gated"] = gated;
    if (withTiles) {
        j["tiles"] = nlohmann::json::array();
        for (const TileReport &t : tiles)
            j["tiles"].push_back(t.toJson());
        j["polygon_list"] = nlohmann::json::array();
        for (const PolygonReport &p : polygons)
            j["polygon_list"].push_back(p.toJson());
    }
    return j;
}

nlohmann::json FailedTile::toJson() const
{
    return {{"tile", tileId},
            {"row", row},
            {"col", column},
            {"window", {window.x, window.y, window.width, window.height}},
            {"error", error}};
}

nlohmann::json SegmentationResult::toJson(bool withTiles) const
{
    nlohmann::json j{{"raster", raster},
                     {"mode", SegmentationSettings::modeName(mode)},
                     {"window", {window.x, window.y, window.width, window.height}},
                     {"width", grid.width},
                     {"height", grid.height},
                     {"geotransform", grid.transform.coefficients()},
                     {"model_id", modelId},
                     {"model", modelName},
                     {"tiles", tileCount},
                     {"tiles_encoded", tilesEncoded},
                     {"tiles_nodata", tilesNoData},
                     {"query_groups", queryGroups},
                     {"threshold", threshold},
                     {"seconds", seconds},
                     {"read_s", readSeconds},
                     {"read_wait_s", readWaitSeconds},
                     {"encode_s", encodeSeconds},
                     {"text_s", textSeconds},
                     {"cache", cache.toJson()},
                     {"created", created}};
    j["tiles_failed"] = nlohmann::json::array();
    for (const FailedTile &f : failedTiles)
        j["tiles_failed"].push_back(f.toJson());
    j["queries"] = nlohmann::json::array();
    for (const QueryResult &q : queries)
        j["queries"].push_back(q.toJson(withTiles));
    return j;
}

} // namespace rsrefseg
