// `rsrefseg info RASTER [--json] [--bands B]`: what the raster is and how it becomes RGB.
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addInfoCommand(CLI::App &app);
}
