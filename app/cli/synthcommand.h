// `rsrefseg synth --out DIR --count N --seed S [--size PX] [--geotiff] [--per-scene K]
// [--split NAME]`: writes a synthetic referring-segmentation data set (DIR/images/*.png or
// GeoTIFF *.tif, DIR/<split>.jsonl in the RSRefSeg JSONL layout) for training and testing
// without real data. Bad values throw rsrefseg::Error naming the option.
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addSynthCommand(CLI::App &app);
}
