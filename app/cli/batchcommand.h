// `rsrefseg batch --input DIR --queries FILE --out DIR --model BUNDLE ...`: every raster of a
// folder x every query, with a JSON-lines manifest, --resume and --shard K/N (BatchRunner).
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
void addBatchCommand(CLI::App &app);
}
