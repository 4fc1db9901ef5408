// rsrefseg-model-bench: the model benchmark with no dependency but LibTorch (and the header-only
// CLI11), for GPU machines that have no Qt, GDAL or OpenCV (cmake --preset model-only). Same
// options and figures as `rsrefseg bench model` (modelbenchcommand.h).
//   rsrefseg-model-bench [--arch rsrefseg-b|tiny|rsrefseg2-l|rsrefseg2-tiny] [--dtype f32|bf16|f16] [--device cpu|cuda:N]
//                        [--threads N] [--batch N] [--repeats N] [--text-tokens N] [--warmup]
//                        [--profile] [--json]
// Exit status: 0 on success, 1 on an error (one line on stderr), as its man page says.
#include "modelbenchcommand.h"

#include "common/openmpwaitpolicy.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char **argv)
{
    rsrefseg::useQuietOpenMpThreads(argv); // may re-execute this program once (see the header)
    CLI::App app{"rsrefseg-model-bench: time encodeImage / encodeText / decode of the full-size architecture "
                 "with random weights (the figures of 'rsrefseg bench model', LibTorch only)",
                 "rsrefseg-model-bench"};
    rsrefseg::cli::ModelBenchArgs args;
    rsrefseg::cli::addModelBenchOptions(app, args);
    try {
        app.parse(argc, argv);
        rsrefseg::cli::runModelBench(args);
    } catch (const CLI::ParseError &e) {
        return app.exit(e) == 0 ? 0 : 1; // --help: 0; a bad command line: 1 (CLI11 has its own codes)
    } catch (const std::exception &e) {
        std::cerr << "rsrefseg-model-bench: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
