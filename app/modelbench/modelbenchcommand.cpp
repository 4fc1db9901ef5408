#include "modelbenchcommand.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace rsrefseg::cli {

void addModelBenchOptions(CLI::App &cmd, ModelBenchArgs &args)
{
    ModelBenchmark::Options &o = args.options;
    cmd.add_option("--arch", o.arch,
                   "rsrefseg-b (SAM ViT-B + SigLIP so400m/14 @384), tiny, rsrefseg2-l (SAM 2.1 Hiera-L + SigLIP 2 "
                   "so400m/16 @512 + cascaded prompter) or rsrefseg2-tiny")
        ->capture_default_str();
    cmd.add_option("--dtype", o.dtype, "f32 or bf16 (f16 on GPUs)")->capture_default_str();
    cmd.add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
    cmd.add_option("--threads", o.threads, "CPU threads (0: all)");
    cmd.add_option("--batch", o.batch, "Tiles per encodeImage call")->capture_default_str();
    cmd.add_option("--repeats", o.repeats, "Timed encodeImage calls (median)")->capture_default_str();
    cmd.add_option("--text-tokens", o.textTokens, "Tokens in the benchmark sentence")->capture_default_str();
    cmd.add_flag("--warmup", o.warmup, "Run encodeImage once before timing");
    cmd.add_flag("--profile", o.profile, "Also profile each stage per operator (self time of the most expensive)");
    cmd.add_flag("--json", args.json, "Print JSON");
}

void runModelBench(const ModelBenchArgs &args)
{
    const ModelBenchmark::Result r = ModelBenchmark::run(args.options, [](const std::string &s) { std::cerr << s; });
    std::cout << (args.json ? r.toJson().dump(2) + "\n" : r.toText());
}

} // namespace rsrefseg::cli
