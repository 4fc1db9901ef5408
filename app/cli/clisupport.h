// Helpers shared by the rsrefseg subcommands: opening rasters with the user-facing notices,
// and the version line.
#pragma once

#include "geo/raster.h"

#include <string>

namespace rsrefseg::cli {

// Opens a raster; prints a one-line notice on stderr when it has no georeference.
Raster openRaster(const std::string &path);
// Band selection from --bands (empty: automatic rules).
BandSelection selectBands(const Raster &raster, const std::string &bandsOption);
std::string versionText();

} // namespace rsrefseg::cli
