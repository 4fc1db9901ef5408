#include "engine/segmentationsettings.h"

#include "common/error.h"

#include <cmath>
#include <sstream>
#include <vector>

namespace rsrefseg {

void SegmentationSettings::validate() const
{
    if (mode == Mode::Tiled) {
        if (tileSize < 16)
            throw Error("tile size must be at least 16 pixels, got " + std::to_string(tileSize));
        if (overlap < 0 || overlap >= tileSize)
            throw Error("overlap must be at least 0 and smaller than the tile size (" + std::to_string(tileSize) +
                        "), got " + std::to_string(overlap));
    }
    if (region && !(region->maxX > region->minX && region->maxY > region->minY))
        throw Error("region must satisfy minx < maxx and miny < maxy");
    if (!regionCrs.empty()) {
        if (!region)
            throw Error("a region CRS ('" + regionCrs.substr(0, 80) + "') needs a region");
        MapBox::checkCrs(regionCrs);
    }
    if (threshold && !(*threshold > 0.0 && *threshold < 1.0))
        throw Error("threshold must lie strictly between 0 and 1");
    if (!(gateThreshold >= 0.0 && gateThreshold < 1.0))
        throw Error("gate threshold must lie in [0, 1)");
    if (!(minObjectArea >= 0.0) || !(maxHoleArea >= 0.0) || !std::isfinite(minObjectArea) || !std::isfinite(maxHoleArea))
        throw Error("minimum object area and maximum hole area must be finite and >= 0");
    if (simplifyTolerance && !(*simplifyTolerance >= 0.0 && std::isfinite(*simplifyTolerance)))
        throw Error("simplification tolerance must be finite and >= 0");
    if (batchSize < 1 || batchSize > 256)
        throw Error("batch size must lie in 1..256, got " + std::to_string(batchSize));
    if (stitchMemoryMb < 16)
        throw Error("stitching memory must be at least 16 MB");
}

SegmentationSettings::Mode SegmentationSettings::parseMode(const std::string &text)
{
    if (text == "view")
        return Mode::View;
    if (text == "tiled")
        return Mode::Tiled;
    throw Error("unknown mode '" + text + "' (use view or tiled)");
}

std::string SegmentationSettings::modeName(Mode mode)
{
    return mode == Mode::View ? "view" : "tiled";
}

SegmentationSettings::AreaUnit SegmentationSettings::parseAreaUnit(const std::string &text)
{
    if (text == "px" || text == "pixels")
        return AreaUnit::Pixels;
    if (text == "m2" || text == "sqm")
        return AreaUnit::SquareMetres;
    throw Error("unknown area unit '" + text + "' (use px or m2)");
}

std::string SegmentationSettings::areaUnitName(AreaUnit unit)
{
    return unit == AreaUnit::Pixels ? "px" : "m2";
}

MapBox SegmentationSettings::parseRegion(const std::string &text)
{
    std::vector<double> v;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        try {
            size_t used = 0;
            const double d = std::stod(item, &used);
            while (used < item.size() && std::isspace(static_cast<unsigned char>(item[used])))
                ++used;
            if (used != item.size() || !std::isfinite(d))
                throw Error("");
            v.push_back(d);
        } catch (const std::exception &) {
            throw Error("region '" + text + "': '" + item + "' is not a number (use minx,miny,maxx,maxy)");
        }
    }
    if (v.size() != 4)
        throw Error("region '" + text + "' needs four numbers: minx,miny,maxx,maxy");
    MapBox b{v[0], v[1], v[2], v[3]};
    if (!(b.maxX > b.minX && b.maxY > b.minY))
        throw Error("region '" + text + "' must satisfy minx < maxx and miny < maxy");
    return b;
}

SegmentationSettings::ProbabilityType SegmentationSettings::parseProbabilityType(const std::string &text)
{
    if (text == "uint8" || text == "byte")
        return ProbabilityType::UInt8;
    if (text == "float32" || text == "float")
        return ProbabilityType::Float32;
    throw Error("unknown probability type '" + text + "' (use uint8 or float32)");
}

} // namespace rsrefseg
