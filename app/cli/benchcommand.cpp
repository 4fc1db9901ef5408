#include "benchcommand.h"

#include "modelbench/modelbenchcommand.h"

#include <CLI/CLI.hpp>

#include <memory>

namespace rsrefseg::cli {

CLI::App *addBenchCommand(CLI::App &app)
{
    CLI::App *bench = app.add_subcommand("bench", "Benchmarks that print figures (text or JSON)");
    bench->require_subcommand(1);
    auto args = std::make_shared<ModelBenchArgs>();
    CLI::App *model = bench->add_subcommand(
        "model", "Time encodeImage / encodeText / decode of the full-size architecture with random weights");
    // The same options and output as rsrefseg-model-bench (app/modelbench).
    addModelBenchOptions(*model, *args);
    model->callback([args] { runModelBench(*args); });
    return bench;
}

} // namespace rsrefseg::cli
