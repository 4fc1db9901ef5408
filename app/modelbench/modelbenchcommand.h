// The model benchmark's command line, shared by `rsrefseg bench model` (app/cli/benchcommand.cpp)
// and the standalone rsrefseg-model-bench (main.cpp here): one list of options and one output,
// so the two programs accept the same options and print the same figures (text or JSON).
// Wiring only: the measurements are ModelBenchmark's (core/model/bench). No torch here.
//
//   ModelBenchArgs args;
//   addModelBenchOptions(*cmd, args);            // --arch --dtype ... --json on a CLI11 app
//   cmd->callback([&] { runModelBench(args); }); // progress on stderr, figures on stdout
#pragma once

#include "model/bench/modelbenchmark.h"

namespace CLI {
class App;
}

namespace rsrefseg::cli {

struct ModelBenchArgs
{
    ModelBenchmark::Options options;
    bool json = false;
};

void addModelBenchOptions(CLI::App &cmd, ModelBenchArgs &args);
// Throws rsrefseg::Error for a bad option value (ModelBenchmark::run).
void runModelBench(const ModelBenchArgs &args);

} // namespace rsrefseg::cli
