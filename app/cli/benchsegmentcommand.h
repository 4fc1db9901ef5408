// `rsrefseg bench segment`: the segmentation pipeline on generated rasters (figures, not a
// test): first-query time, second-query time (image features from the cache), tiles per
// second and peak resident memory, each raster size in its own process so that peaks do not mix.
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addBenchSegmentCommand(CLI::App &bench);
}
