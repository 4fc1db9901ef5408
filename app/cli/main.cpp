// rsrefseg: the command-line twin of RSRefSeg Desktop. Wiring only: each subcommand lives in
// its own file and registers itself on the CLI11 app.
// Exit status (README, Command line; man rsrefseg): 0 success, 1 error, 2 usage error (the
// command line cannot be parsed), 130 cancelled (SIGINT or SIGTERM).
#include "batchcommand.h"
#include "benchcommand.h"
#include "benchsegmentcommand.h"
#include "clisupport.h"
#include "datacommand.h"
#include "evalcommand.h"
#include "infocommand.h"
#include "modelcommand.h"
#include "predictcommand.h"
#include "progressreporter.h"
#include "segmentcommand.h"
#include "synthcommand.h"
#include "tilescommand.h"
#include "traincommand.h"

#include "common/error.h"
#include "common/openmpwaitpolicy.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char **argv)
{
    rsrefseg::useQuietOpenMpThreads(argv); // may re-execute this program once (see the header)
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
    rsrefseg::cli::addSegmentCommand(app);
    rsrefseg::cli::addBatchCommand(app);
    rsrefseg::cli::addSynthCommand(app);
    rsrefseg::cli::addTrainCommand(app);
    rsrefseg::cli::addEvalCommand(app);
    rsrefseg::cli::addDataCommand(app);
    CLI::App *bench = rsrefseg::cli::addBenchCommand(app);
    rsrefseg::cli::addBenchSegmentCommand(*bench);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        // --help and --version: 0; a bad command line: 2 (CLI11's own codes are 100 and up).
        return app.exit(e) == 0 ? 0 : 2;
    } catch (const rsrefseg::cli::ReportedExit &e) {
        return e.status; // --progress jsonl: the "error" or "cancelled" line is written
    } catch (const rsrefseg::CancelledError &) {
        std::cerr << "rsrefseg: cancelled\n";
        return 130;
    } catch (const std::exception &e) {
        std::cerr << "rsrefseg: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
