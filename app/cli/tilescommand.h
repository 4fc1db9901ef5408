// `rsrefseg tiles RASTER [--tile 1024] [--overlap 128] [--json] [--geojson OUT]`: the tile grid
// the engine will use, optionally written as footprint polygons in the raster's CRS.
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addTilesCommand(CLI::App &app);
}
