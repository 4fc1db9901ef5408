#include "infocommand.h"

#include "clisupport.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace rsrefseg::cli {

namespace {

struct InfoOptions
{
    std::string raster;
    std::string bands;
    std::string stretch = "auto";
    bool json = false;
};

std::string fmt(double v)
{
    std::ostringstream s;
    s << std::setprecision(12) << v;
    return s.str();
}

nlohmann::json extentJson(const RasterInfo &info)
{
    const GeoTransform &gt = info.geoTransform;
    double minx = 1e300, miny = 1e300, maxx = -1e300, maxy = -1e300;
    for (auto c : {gt.pixelToMap(0, 0), gt.pixelToMap(info.width, 0), gt.pixelToMap(info.width, info.height),
                   gt.pixelToMap(0, info.height)}) {
        minx = std::min(minx, c.first);
        maxx = std::max(maxx, c.first);
        miny = std::min(miny, c.second);
        maxy = std::max(maxy, c.second);
    }
    return nlohmann::json::array({minx, miny, maxx, maxy});
}

void run(const InfoOptions &o)
{
    const Raster raster = openRaster(o.raster);
    const RasterInfo &info = raster.info();
    const BandSelection bands = selectBands(raster, o.bands);
    StretchOptions stretchOptions;
    stretchOptions.mode = StretchOptions::parseMode(o.stretch);
    const ContrastStretch stretch = raster.computeStretch(bands, stretchOptions);

    nlohmann::json j;
    j["path"] = info.path;
    j["driver"] = info.driver;
    j["width"] = info.width;
    j["height"] = info.height;
    j["band_count"] = info.bands.size();
    j["georeferenced"] = info.isGeoreferenced();
    j["has_geotransform"] = info.hasGeoTransform;
    j["geotransform"] = info.geoTransform.coefficients();
    j["crs"] = {{"name", info.crsName}, {"wkt", info.crsWkt}, {"units", info.units}, {"geographic", info.isGeographic}};
    j["crs"]["epsg"] = info.epsg ? nlohmann::json(*info.epsg) : nlohmann::json(nullptr);
    j["pixel_size"] = {info.geoTransform.pixelWidth(), info.geoTransform.pixelHeight()};
    j["extent"] = extentJson(info);
    j["bands"] = nlohmann::json::array();
    for (const BandInfo &b : info.bands) {
        nlohmann::json bj{{"index", b.index}, {"type", b.dataType}, {"color", b.colorInterpretation},
                          {"description", b.description}};
        bj["nodata"] = b.noData ? nlohmann::json(*b.noData) : nlohmann::json(nullptr);
        bj["overviews"] = nlohmann::json::array();
        for (const auto &ov : b.overviews)
            bj["overviews"].push_back({ov.first, ov.second});
        j["bands"].push_back(bj);
    }
    nlohmann::json rgb{{"bands", bands.rgb()}, {"stretch", o.stretch}, {"ranges", nlohmann::json::array()}};
    for (const auto &r : stretch.ranges())
        rgb["ranges"].push_back({r.low, r.high});
    j["rgb"] = rgb;

    if (o.json) {
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::cout << "File:         " << info.path << "\n"
              << "Driver:       " << info.driver << "\n"
              << "Size:         " << info.width << " x " << info.height << " pixels, " << info.bands.size()
              << " band(s)\n";
    if (info.isGeoreferenced()) {
        std::cout << "CRS:          " << info.crsName;
        if (info.epsg)
            std::cout << " (EPSG:" << *info.epsg << ")";
        std::cout << "\n";
    } else {
        std::cout << "CRS:          none (pixel coordinates)\n";
    }
    const auto &c = info.geoTransform.coefficients();
    const auto e = extentJson(info);
    std::cout << "Origin:       " << fmt(c[0]) << ", " << fmt(c[3]) << "\n"
              << "Pixel size:   " << fmt(info.geoTransform.pixelWidth()) << " x "
              << fmt(info.geoTransform.pixelHeight()) << " " << info.units << "\n"
              << "Extent:       " << fmt(e[0]) << ", " << fmt(e[1]) << " : " << fmt(e[2]) << ", " << fmt(e[3]) << "\n";
    for (const BandInfo &b : info.bands) {
        std::cout << "Band " << b.index << ":       " << b.dataType << ", " << b.colorInterpretation;
        if (b.noData)
            std::cout << ", nodata " << fmt(*b.noData);
        if (!b.overviews.empty()) {
            std::cout << ", overviews";
            for (const auto &ov : b.overviews)
                std::cout << " " << ov.first << "x" << ov.second;
        }
        std::cout << "\n";
    }
    std::cout << "Model input:  RGB from bands " << bands.toString() << ", stretch " << o.stretch;
    for (size_t i = 0; i < stretch.ranges().size(); ++i)
        std::cout << (i == 0 ? " [" : ", ") << fmt(stretch.ranges()[i].low) << ".." << fmt(stretch.ranges()[i].high)
                  << (i + 1 == stretch.ranges().size() ? "]" : "");
    std::cout << "\n";
}

} // namespace

void addInfoCommand(CLI::App &app)
{
    auto opts = std::make_shared<InfoOptions>();
    CLI::App *cmd = app.add_subcommand("info", "Describe a raster: size, bands, CRS, georeference, RGB input");
    cmd->add_option("raster", opts->raster, "Raster file (any format GDAL reads)")->required();
    cmd->add_option("--bands", opts->bands, "Bands for R,G,B (e.g. 4,3,2) or one grey band");
    cmd->add_option("--stretch", opts->stretch, "Contrast stretch: auto, none, percentile (2-98 %), minmax")
        ->capture_default_str();
    cmd->add_flag("--json", opts->json, "Print JSON instead of text");
    cmd->callback([opts] { run(*opts); });
}

} // namespace rsrefseg::cli
