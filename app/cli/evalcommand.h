// `rsrefseg eval --model BUNDLE --data FILE.jsonl --images DIR [--out DIR]`: evaluates a model
// bundle on a referring-segmentation data set (RSRefSeg JSONL) and prints the table the paper
// uses (Pr@0.5..0.9, oIoU, mIoU, in percent); with --out also writes DIR/results.jsonl (one
// line per sample: IoU, areas, predicted mask as COCO RLE) and DIR/metrics.json. Unusable
// data lines are skipped with a counted warning; no usable line at all is an error.
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addEvalCommand(CLI::App &app);
}
