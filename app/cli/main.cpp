// rsrefseg: the command-line twin of RSRefSeg Desktop. Wiring only: each subcommand lives in
// its own file and registers itself on the CLI11 app.
#include "benchcommand.h"
#include "clisupport.h"
#include "infocommand.h"
#include "modelcommand.h"
#include "predictcommand.h"
#include "synthcommand.h"
#include "tilescommand.h"

#include "common/error.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char **argv)
{
    CLI::App app{"rsrefseg: segment what a sentence describes in georeferenced remote-sensing rasters "
                 "(RSRefSeg, arXiv 2501.06809)",
                 "rsrefseg"};
    app.set_version_flag("--version", rsrefseg::cli::versionText());
    app.require_subcommand(1);
    app.footer("Run 'rsrefseg COMMAND --help' for the options of one command.");

    rsrefseg::cli::addInfoCommand(app);
    rsrefseg::cli::addTilesCommand(app);
    rsrefseg::cli::addModelCommand(app);
    rsrefseg::cli::addPredictCommand(app);
    rsrefseg::cli::addSynthCommand(app);
    CLI::App *bench = rsrefseg::cli::addBenchCommand(app);
    (void)bench; // further benchmarks register under it

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    } catch (const rsrefseg::CancelledError &) {
        std::cerr << "rsrefseg: cancelled\n";
        return 130;
    } catch (const std::exception &e) {
        std::cerr << "rsrefseg: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
