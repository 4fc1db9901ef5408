#include "tilescommand.h"

#include "clisupport.h"
#include "geo/tilegrid.h"
#include "geo/vectorwriter.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace rsrefseg::cli {

namespace {

struct TilesOptions
{
    std::string raster;
    int tile = 1024;
    int overlap = 128;
    bool json = false;
    std::string geojson;
    std::string bands;
    bool overwrite = false;
};

void run(const TilesOptions &o)
{
    // Validate the grid before touching the raster or any output.
    if (o.tile <= 0 || o.overlap < 0 || o.overlap >= o.tile)
        TileGrid(1, 1, o.tile, o.overlap); // throws the precise message
    if (!o.geojson.empty())
        VectorWriter::driverForPath(o.geojson);

    const Raster raster = openRaster(o.raster);
    const RasterInfo &info = raster.info();
    selectBands(raster, o.bands); // the tiles are model input: refuse rasters that cannot become RGB
    const TileGrid grid(info.width, info.height, o.tile, o.overlap);
    const GeoTransform &gt = info.geoTransform;

    if (!o.geojson.empty()) {
        VectorWriter writer(o.geojson, info.crsWkt,
                            {{"id", VectorField::Integer},
                             {"name", VectorField::String},
                             {"row", VectorField::Integer},
                             {"col", VectorField::Integer},
                             {"px_x", VectorField::Integer},
                             {"px_y", VectorField::Integer},
                             {"px_width", VectorField::Integer},
                             {"px_height", VectorField::Integer}},
                            "tiles", o.overwrite);
        for (const Tile &t : grid.tiles()) {
            const auto fp = TileGrid::footprint(t, gt);
            writer.addPolygon({Ring(fp.begin(), fp.end())},
                              {int64_t(t.id), t.name(), int64_t(t.row), int64_t(t.column), int64_t(t.valid.x),
                               int64_t(t.valid.y), int64_t(t.valid.width), int64_t(t.valid.height)});
        }
        writer.commit();
    }

    if (o.json) {
        nlohmann::json j{{"raster", info.path},     {"width", info.width},     {"height", info.height},
                         {"tile", grid.tileSize()}, {"overlap", grid.overlap()}, {"columns", grid.columns()},
                         {"rows", grid.rows()},     {"count", grid.count()},   {"georeferenced", info.isGeoreferenced()}};
        j["tiles"] = nlohmann::json::array();
        for (const Tile &t : grid.tiles()) {
            nlohmann::json fp = nlohmann::json::array();
            for (const auto &c : TileGrid::footprint(t, gt))
                fp.push_back({c.first, c.second});
            j["tiles"].push_back({{"id", t.id},
                                  {"name", t.name()},
                                  {"row", t.row},
                                  {"col", t.column},
                                  {"window", {t.window.x, t.window.y, t.window.width, t.window.height}},
                                  {"valid", {t.valid.x, t.valid.y, t.valid.width, t.valid.height}},
                                  {"footprint", fp}});
        }
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::cout << "Raster:   " << info.path << " (" << info.width << " x " << info.height << ")\n"
              << "Grid:     tile " << grid.tileSize() << " px, overlap " << grid.overlap() << " px: " << grid.columns()
              << " column(s) x " << grid.rows() << " row(s) = " << grid.count() << " tile(s)\n"
              << "  id  name        x      y  width height\n";
    for (const Tile &t : grid.tiles()) {
        char line[128];
        std::snprintf(line, sizeof line, "%4d  %-8s %6d %6d %6d %6d%s\n", t.id, t.name().c_str(), t.window.x, t.window.y,
                      t.valid.width, t.valid.height, t.valid != t.window ? "  (padded)" : "");
        std::cout << line;
    }
    if (!o.geojson.empty())
        std::cout << "Footprints written to " << o.geojson << "\n";
}

} // namespace

void addTilesCommand(CLI::App &app)
{
    auto opts = std::make_shared<TilesOptions>();
    CLI::App *cmd = app.add_subcommand("tiles", "Show the tile grid of a raster; write tile footprints for QGIS");
    cmd->add_option("raster", opts->raster, "Raster file")->required();
    cmd->add_option("--tile", opts->tile, "Tile size in pixels")->capture_default_str();
    cmd->add_option("--overlap", opts->overlap, "Overlap between neighbouring tiles in pixels")->capture_default_str();
    cmd->add_option("--bands", opts->bands, "Bands for R,G,B (e.g. 4,3,2) or one grey band");
    cmd->add_flag("--json", opts->json, "Print JSON instead of text");
    cmd->add_option("--geojson", opts->geojson,
                    "Write tile footprints as polygons in the raster's CRS (.geojson, .gpkg, .shp or .fgb)");
    cmd->add_flag("--overwrite", opts->overwrite, "Replace an existing output file");
    cmd->callback([opts] { run(*opts); });
}

} // namespace rsrefseg::cli
