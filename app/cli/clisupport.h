// Helpers shared by the rsrefseg subcommands: opening rasters and models with the user-facing
// notices, and the version text.
#pragma once

#include "geo/raster.h"
#include "modelhub/modelhub.h"

#include <string>

namespace rsrefseg::cli {

// Opens a raster; prints a one-line notice on stderr when it has no georeference.
Raster openRaster(const std::string &path);
// Band selection from --bands (empty: automatic rules).
BandSelection selectBands(const Raster &raster, const std::string &bandsOption);
std::string versionText();
// ModelHub::open with its notices printed on stderr ("rsrefseg: note: using the bundled model
// ...", "rsrefseg: warning: model '...' is marked untrained: ...").
OpenedModel openModel(const ModelRequest &request);

} // namespace rsrefseg::cli
