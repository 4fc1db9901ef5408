#include "batchcommand.h"

#include "progressreporter.h"
#include "segmentcommand.h"

#include "common/error.h"
#include "engine/batchrunner.h"
#include "engine/interruptguard.h"
#include "engine/querylist.h"

#include <CLI/CLI.hpp>

#include <iomanip>
#include <iostream>

namespace rsrefseg::cli {

namespace {

struct BatchArgs
{
    std::string input;
    bool recursive = false;
    std::string pattern = BatchRunner::Options().patterns;
    std::string queries;
    std::string out;
    std::string formats = "tif,gpkg";
    bool resume = false;
    bool overwrite = false;
    std::string shard = "1/1";
    bool quiet = false;
    std::string progress = "text";
    ModelArgs model;
    SettingsArgs settings;
    CacheArgs cache;
};

void run(const BatchArgs &a, ProgressReporter &reporter)
{
    BatchRunner::Options o;
    o.inputDir = a.input;
    o.recursive = a.recursive;
    o.patterns = a.pattern;
    o.queries = QueryList::load(a.queries);
    o.outDir = a.out;
    o.formats = BatchRunner::parseFormats(a.formats);
    o.resume = a.resume;
    o.overwrite = a.overwrite;
    o.shard = ShardSpec::parse(a.shard);
    o.settings = a.settings.toSettings();
    BatchRunner::preflight(o); // before the model loads

    InterruptGuard interrupt;
    const std::shared_ptr<SegmentationModel> model = loadModel(a.model, &reporter);
    SegmentationEngine::Options eo;
    eo.cache = a.cache.toOptions();
    SegmentationEngine engine(model, eo);
    BatchRunner runner(engine, o);

    Feedback feedback;
    feedback.linkCancelFlag(&InterruptGuard::flag());
    reporter.attach(feedback);
    BatchRunner::Summary s;
    try {
        s = runner.run(&feedback);
    } catch (const CancelledError &) {
        reporter.finish();
        reporter.info("interrupted; finished work is in the manifest, run again with --resume");
        throw;
    }
    reporter.finish();
    if (s.failed == 0)
        reporter.result({{"command", "batch"},
                         {"shard", o.shard.toString()},
                         {"rasters", s.rasters},
                         {"items", s.items},
                         {"done", s.done},
                         {"skipped", s.skipped},
                         {"failed", s.failed},
                         {"manifest", s.manifest},
                         {"seconds", s.seconds}});
    std::cout << "Shard:     " << o.shard.toString() << ": " << s.rasters << " raster(s), " << s.items
              << " raster x query item(s)\n"
              << "Done:      " << s.done << " now, " << s.skipped << " earlier (skipped)\n"
              << "Failed:    " << s.failed << "\n"
              << "Manifest:  " << s.manifest << "\n"
              << "Time:      " << std::setprecision(3) << s.seconds << " s\n";
    if (s.failed > 0)
        throw Error(std::to_string(s.failed) + " of " + std::to_string(s.items) +
                    " item(s) failed; their errors are in the manifest (status \"failed\")");
}

} // namespace

void addBatchCommand(CLI::App &app)
{
    auto a = std::make_shared<BatchArgs>();
    CLI::App *cmd = app.add_subcommand("batch", "Segment every raster of a folder with every query of a file "
                                                "(resumable, shardable)");
    cmd->add_option("--input", a->input, "Folder of rasters")->required();
    cmd->add_flag("--recursive", a->recursive, "Include sub-folders");
    cmd->add_option("--pattern", a->pattern, "Comma-separated file name globs (case-insensitive)")
        ->capture_default_str();
    cmd->add_option("--queries", a->queries, "File with one query per line ('#' comments)")->required();
    cmd->add_option("--out", a->out, "Output folder (created; may be shared by shards)")->required();
    cmd->add_option("--formats", a->formats,
                    "Outputs per item: tif (mask), prob or prob32 (probability), and one of gpkg, shp, geojson, fgb")
        ->capture_default_str();
    cmd->add_flag("--resume", a->resume, "Skip items the manifest(s) record as done; clean up after killed runs");
    cmd->add_flag("--overwrite", a->overwrite, "Replace existing outputs");
    cmd->add_option("--shard", a->shard,
                    "Process shard K of N (rasters sorted by path, every N-th); e.g. Slurm: "
                    "--shard $((SLURM_ARRAY_TASK_ID+1))/$SLURM_ARRAY_TASK_COUNT, Kubernetes indexed Job: "
                    "--shard $((JOB_COMPLETION_INDEX+1))/N")
        ->capture_default_str();
    addModelOptions(cmd, a->model);
    addSettingsOptions(cmd, a->settings);
    addCacheOptions(cmd, a->cache);
    cmd->add_flag("--quiet", a->quiet, "No progress display (text progress)");
    ProgressReporter::addOption(cmd, a->progress);
    cmd->footer("Outputs: OUT/<sub-folder>/<raster stem>/<query slug>.tif|.prob.tif|.gpkg; manifest: "
                "OUT/manifest.jsonl (manifest.shard-K-of-N.jsonl with --shard), one JSON line per raster x query.\n"
                "SIGINT/SIGTERM stop after the current tile (exit 130); --resume continues.");
    cmd->callback([a] {
        ProgressReporter reporter(a->progress, "batch", a->quiet);
        reporter.run([&] { run(*a, reporter); });
    });
}

} // namespace rsrefseg::cli
