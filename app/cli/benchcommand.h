// `rsrefseg bench model ...`: the model benchmark (figures, not a test). Returns the `bench`
// subcommand so that other benchmarks (bench segment) can register under it.
#pragma once

namespace CLI {
class App;
}

namespace rsrefseg::cli {
CLI::App *addBenchCommand(CLI::App &app);
}
