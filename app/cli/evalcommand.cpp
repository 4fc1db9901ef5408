#include "evalcommand.h"

#include "progressreporter.h"

#include "common/error.h"
#include "engine/interruptguard.h"
#include "modelhub/bundlesummary.h"
#include "modelhub/rsrefsegnetwork.h"
#include "train/referringevaluator.h"
#include "train/rsrefsegdataset.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace rsrefseg::cli {

namespace {

struct EvalArgs
{
    std::string model;
    std::string data;
    std::string images;
    std::string out;
    std::string split;
    long long limit = 0;
    long long batch = 4;
    std::string device = "cpu";
    std::string dtype = "f32";
    int threads = 0;
    bool quiet = false;
    std::string progress = "text";
};

void run(const EvalArgs &a, ProgressReporter &reporter)
{
    if (a.limit < 0)
        throw Error("eval: --limit must be >= 0");
    if (a.batch < 1 || a.batch > 256)
        throw Error("eval: --batch must be 1..256");
    if (a.threads < 0)
        throw Error("eval: --threads must be >= 0");
    // The manifest first (cheap, torch-free): a bad bundle is reported before the data set is read.
    const BundleSummary bundle = BundleSummary::read(a.model);
    RSRefSegDataset::Options dataOptions;
    dataOptions.split = a.split;
    const RSRefSegDataset data = RSRefSegDataset::load(a.data, a.images, dataOptions);
    if (!data.warnings().empty() && reporter.jsonl()) {
        reporter.warning(std::to_string(data.skippedLines()) + " line(s) of " + a.data + " skipped; the first: " +
                         (data.warnings().front().lineNumber
                              ? "line " + std::to_string(data.warnings().front().lineNumber) + ": "
                              : std::string()) +
                         data.warnings().front().message);
    } else if (!data.warnings().empty()) {
        std::cerr << "eval: " << data.skippedLines() << " line(s) of " << a.data << " skipped:\n";
        std::size_t shown = 0;
        for (const DatasetWarning &w : data.warnings()) {
            if (++shown > 10) {
                std::cerr << "  ... and " << data.warnings().size() - 10 << " more\n";
                break;
            }
            std::cerr << "  " << (w.lineNumber ? "line " + std::to_string(w.lineNumber) + ": " : std::string())
                      << w.message << "\n";
        }
    }
    if (!bundle.trained && reporter.jsonl())
        reporter.warning(bundle.untrainedWarning());
    else if (!bundle.trained)
        std::cerr << "eval: note: the model bundle is marked untrained; expect meaningless masks\n";

    // Ctrl-C or SIGTERM: stop after the current image group, exit 130.
    InterruptGuard interrupt;

    const RSRefSegNetwork network = RSRefSegNetwork::open(a.model, {a.device, a.dtype, a.threads});
    ReferringEvaluator evaluator(network.model, *network.tokenizer);
    ReferringEvaluator::Options o;
    o.limit = static_cast<std::size_t>(a.limit);
    o.imageBatch = a.batch;
    o.keepPredictions = !a.out.empty();
    std::size_t reported = 0;
    o.progress = [&](std::size_t done, std::size_t total) {
        if (reporter.jsonl()) {
            ProgressInfo info;
            info.stage = "eval";
            info.unit = "samples";
            info.done = static_cast<int64_t>(done);
            info.total = static_cast<int64_t>(total);
            info.fraction = total ? static_cast<double>(done) / static_cast<double>(total) : 0.0;
            reporter.progress(info);
        } else if (!a.quiet && total >= 200 && done * 10 / total > reported) {
            reported = done * 10 / total;
            std::cerr << "eval: " << done << "/" << total << " samples\n";
        }
        return !InterruptGuard::flag().load();
    };
    const EvaluationResult result = evaluator.evaluate(data, o);

    std::cout << "Model:   " << a.model << " (" << bundle.modelId << ")\n"
              << "Data:    " << a.data << " (" << result.report.samples << " samples";
    if (data.skippedLines() > 0)
        std::cout << ", " << data.skippedLines() << " lines skipped";
    std::cout << ")\n\n" << ReferringEvaluator::table(result.report) << "\n"
              << "Mean IoU per category:\n" << result.categories.table() << "\n"
              << "Time:    " << result.seconds << " s ("
              << (result.seconds > 0 ? static_cast<double>(result.report.samples) / result.seconds : 0.0)
              << " samples/s)\n";
    if (!a.out.empty()) {
        ReferringEvaluator::writeResults(a.out, result,
                                         {{"model", a.model},
                                          {"model_id", bundle.modelId},
                                          {"data", a.data},
                                          {"images", a.images},
                                          {"split", a.split},
                                          {"skipped_lines", data.skippedLines()},
                                          {"device", a.device},
                                          {"dtype", a.dtype}});
        std::cout << "Results: " << a.out << "/results.jsonl, " << a.out << "/metrics.json\n";
    }
    reporter.result({{"command", "eval"},
                     {"samples", result.report.samples},
                     {"metrics", result.report.toJson()},
                     {"seconds", result.seconds},
                     {"out", a.out}});
}

} // namespace

void addEvalCommand(CLI::App &app)
{
    auto args = std::make_shared<EvalArgs>();
    CLI::App *cmd = app.add_subcommand("eval", "Evaluate a model bundle on a referring-segmentation data set "
                                               "(Pr@0.5..0.9, oIoU, mIoU, mean IoU per category)");
    cmd->add_option("--model", args->model, "Model bundle folder")->required();
    cmd->add_option("--data", args->data, "Annotations (RSRefSeg JSONL)")->required();
    cmd->add_option("--images", args->images, "Folder of the images the annotations name")->required();
    cmd->add_option("--out", args->out, "Write results.jsonl and metrics.json into this folder");
    cmd->add_option("--split", args->split, "Keep only lines of this split (e.g. val, test)");
    cmd->add_option("--limit", args->limit, "Evaluate only the first N samples");
    cmd->add_option("--batch", args->batch, "Images encoded together (4)");
    cmd->add_option("--device", args->device, "cpu, cuda or cuda:N");
    cmd->add_option("--dtype", args->dtype, "f32 or bf16 (f16 on GPUs)");
    cmd->add_option("--threads", args->threads, "LibTorch threads (0 = all cores)");
    cmd->add_flag("--quiet", args->quiet, "No progress lines (text progress)");
    ProgressReporter::addOption(cmd, args->progress);
    cmd->footer("Ctrl-C (SIGINT) or SIGTERM stops after the current image group (exit 130).");
    cmd->callback([args] {
        ProgressReporter reporter(args->progress, "eval", args->quiet);
        reporter.run([&] { run(*args, reporter); });
    });
}

} // namespace rsrefseg::cli
