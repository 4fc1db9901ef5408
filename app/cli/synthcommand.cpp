#include "synthcommand.h"

#include "common/error.h"
#include "train/syntheticdatasetwriter.h"
#include "train/syntheticscenegenerator.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

namespace rsrefseg::cli {

namespace {

struct SynthOptions
{
    std::string out;
    // Signed so that "--count -1" is refused instead of wrapping around.
    long long count = 0;
    std::uint64_t seed = 0;
    long long size = 512;
    bool geotiff = false;
    long long perScene = 1;
    std::string split = "train";
};

int checkedInt(long long value, long long lo, long long hi, const char *option)
{
    if (value < lo || value > hi)
        throw Error(std::string("synth: ") + option + " " + std::to_string(value) +
                    " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return static_cast<int>(value);
}

void run(const SynthOptions &o)
{
    SyntheticDatasetWriter::Options w;
    w.outDir = o.out;
    if (o.count < 1 || static_cast<unsigned long long>(o.count) > SyntheticDatasetWriter::kMaxCount)
        throw Error("synth: --count " + std::to_string(o.count) + " is outside 1.." +
                    std::to_string(SyntheticDatasetWriter::kMaxCount));
    w.count = static_cast<std::uint64_t>(o.count);
    w.seed = o.seed;
    w.size = checkedInt(o.size, SyntheticSceneGenerator::kMinSize,
                        SyntheticSceneGenerator::kMaxSize, "--size");
    w.perScene = checkedInt(o.perScene, 1, SyntheticSceneGenerator::kMaxExpressionsPerScene,
                            "--per-scene");
    w.geotiff = o.geotiff;
    w.split = o.split;
    const SyntheticDatasetWriter writer(w); // validates the rest (folder, split name)

    std::uint64_t reported = 0;
    const auto summary = writer.write([&](std::uint64_t done, std::uint64_t total) {
        // A line per tenth on stderr for long runs; stdout keeps the summary only.
        if (total >= 100 && done * 10 / total > reported) {
            reported = done * 10 / total;
            std::cerr << "synth: " << done << "/" << total << " scenes\n";
        }
        return true;
    });
    std::cout << "Wrote " << summary.scenes << " scene(s) and " << summary.sentences
              << " sentence(s)\n"
              << "Images:      " << summary.imageDir << (o.geotiff ? " (GeoTIFF, EPSG:32633)\n" : "\n")
              << "Annotations: " << summary.jsonlPath << "\n";
}

} // namespace

void addSynthCommand(CLI::App &app)
{
    auto opts = std::make_shared<SynthOptions>();
    CLI::App *cmd = app.add_subcommand(
        "synth", "Write a synthetic referring-segmentation data set (images + RSRefSeg JSONL)");
    cmd->add_option("--out", opts->out, "Output folder (created when missing)")->required();
    cmd->add_option("--count", opts->count, "Number of scenes")->required();
    cmd->add_option("--seed", opts->seed, "Random seed: the same seed gives the same data set")
        ->required();
    cmd->add_option("--size", opts->size, "Scene width and height in pixels")->capture_default_str();
    cmd->add_flag("--geotiff", opts->geotiff,
                  "Write DEFLATE-compressed GeoTIFFs in UTM 33N (EPSG:32633) instead of PNGs");
    cmd->add_option("--per-scene", opts->perScene,
                    "Sentences per scene, each about a different object")
        ->capture_default_str();
    cmd->add_option("--split", opts->split, "Split name: names the JSONL file and the images")
        ->capture_default_str();
    cmd->callback([opts] { run(*opts); });
}

} // namespace rsrefseg::cli
