#include "benchcommand.h"

#include "model/bench/modelbenchmark.h"
#include "model/rsrefseg/modelbundle.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace rsrefseg::cli {

namespace {
struct BenchModelArgs
{
    ModelBenchmark::Options options;
    std::string dtype = "f32";
    bool json = false;
};
} // namespace

CLI::App *addBenchCommand(CLI::App &app)
{
    CLI::App *bench = app.add_subcommand("bench", "Benchmarks that print figures (text or JSON)");
    bench->require_subcommand(1);
    auto args = std::make_shared<BenchModelArgs>();
    CLI::App *model = bench->add_subcommand(
        "model", "Time encodeImage / encodeText / decode of the full-size architecture with random weights");
    model->add_option("--arch", args->options.arch, "rsrefseg-b (SAM ViT-B + SigLIP so400m/14 @384) or tiny")
        ->capture_default_str();
    model->add_option("--dtype", args->dtype, "f32 or bf16 (f16 on GPUs)")->capture_default_str();
    model->add_option("--device", args->options.device, "cpu, cuda or cuda:N")->capture_default_str();
    model->add_option("--threads", args->options.threads, "CPU threads (0: all)");
    model->add_option("--batch", args->options.batch, "Tiles per encodeImage call")->capture_default_str();
    model->add_option("--repeats", args->options.repeats, "Timed encodeImage calls (median)")->capture_default_str();
    model->add_option("--text-tokens", args->options.textTokens, "Tokens in the benchmark sentence")->capture_default_str();
    model->add_flag("--warmup", args->options.warmup, "Run encodeImage once before timing");
    model->add_flag("--profile", args->options.profile, "Also profile each stage per operator (self time of the most expensive)");
    model->add_flag("--json", args->json, "Print JSON");
    model->callback([args] {
        args->options.dtype = ModelBundle::parseDtype(args->dtype);
        const ModelBenchmark::Result r = ModelBenchmark::run(args->options, [](const std::string &s) { std::cerr << s; });
        std::cout << (args->json ? r.toJson().dump(2) + "\n" : r.toText());
    });
    return bench;
}

} // namespace rsrefseg::cli
