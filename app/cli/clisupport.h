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
// The model installed with the programs: <exe dir>/../share/rsrefseg/models/demo when the
// trained demo model is there, else .../golden-tiny (untrained); the build tree has the same
// layout. Empty when neither exists.
std::string bundledModelDir();
// --model as given, or the bundled model (with a note on stderr) when it was left out; throws
// an Error naming both places when there is none.
std::string resolveModelDir(const std::string &modelOption);

} // namespace rsrefseg::cli
