#include "benchsegmentcommand.h"

#include "clisupport.h"
#include "segmentcommand.h"

#include "common/childprocess.h"
#include "common/error.h"
#include "common/processmemory.h"
#include "geo/benchmarkscene.h"
#include "modelhub/rsrefsegsegmentationmodel.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <system_error>

#include <unistd.h>

namespace rsrefseg::cli {

namespace {

namespace fs = std::filesystem;

struct BenchSegmentArgs
{
    ModelArgs model;
    std::string arch = "rsrefseg-b";
    std::string tokenizer;
    std::string sizes = "2048";
    int tile = 1024;
    int overlap = 128;
    int cacheMb = 512;
    std::string work;
    bool keep = false;
    bool json = false;
};

// The model through ModelHub: --model names a bundle (or builtin:colour-test); without it,
// seeded random weights of --arch. Random RSRefSeg weights also report their size and threads.
std::shared_ptr<SegmentationModel> openBenchModel(const BenchSegmentArgs &a, nlohmann::json &j)
{
    ModelRequest request;
    request.compute.device = a.model.device;
    request.compute.dtype = a.model.dtype;
    request.compute.threads = a.model.threads;
    const bool random = a.model.model.empty();
    if (random) {
        if (a.tokenizer.empty())
            throw Error("random weights need --tokenizer (a SigLIP spiece.model) or give --model BUNDLE");
        request.source = "random:" + a.arch;
        request.tokenizer = a.tokenizer;
    } else {
        request.source = a.model.model;
    }
    std::shared_ptr<SegmentationModel> model = openModel(request).model;
    if (const auto *m = dynamic_cast<const RSRefSegSegmentationModel *>(model.get()); m && random) {
        j["parameters"] = m->parameterCount();
        j["threads"] = m->threads();
    }
    return model;
}

nlohmann::json runOne(const BenchSegmentArgs &a, const std::string &raster, const std::string &dir, int size)
{
    using Clock = std::chrono::steady_clock;
    nlohmann::json j;
    j["raster_size"] = size;
    j["rss_start_mb"] = ProcessMemory::residentMb();
    const auto tl = Clock::now();
    const std::shared_ptr<SegmentationModel> model = openBenchModel(a, j);
    j["model"] = model->name();
    j["model_load_s"] = std::chrono::duration<double>(Clock::now() - tl).count();
    j["input_size"] = model->inputSize();
    j["rss_model_mb"] = ProcessMemory::residentMb();
    // Building the model peaks above its final size (weights are created in fp32, then
    // converted): record that peak, then reset the high-water mark (Linux: clear_refs 5) so that
    // peak_rss_mb measures the segmentation itself.
    j["peak_rss_load_mb"] = ProcessMemory::peakMb();
    ProcessMemory::resetPeak();

    SegmentationEngine::Options eo;
    eo.cache.memoryBudgetMb = static_cast<size_t>(a.cacheMb);
    eo.cache.diskDir = dir + "/cache";
    SegmentationEngine engine(model, eo);
    SegmentationRequest r;
    r.raster = raster;
    r.settings.tileSize = a.tile;
    r.settings.overlap = a.overlap;
    r.settings.gateThreshold = 0.0; // random weights: relevance means nothing; every tile decoded
    auto query = [&](const std::string &q, const std::string &tag) {
        r.queries = {q};
        r.outputs = {{dir + "/" + tag + "_mask.tif", "", dir + "/" + tag + ".gpkg"}};
        const auto t0 = Clock::now();
        const SegmentationResult res = engine.run(r);
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        nlohmann::json q1{{"seconds", s},
                          {"tiles", res.tileCount},
                          {"tiles_per_s", res.tileCount / s},
                          {"encode_s", res.encodeSeconds},
                          {"read_s", res.readSeconds},
                          {"decode_s", res.queries[0].decodeSeconds},
                          {"post_s", res.queries[0].postSeconds},
                          {"polygons", res.queries[0].polygonCount},
                          {"cache", res.cache.toJson()}};
        std::cerr << "bench segment: " << size << " px, " << tag << " query: " << s << " s\n";
        return q1;
    };
    j["first_query"] = query("the large white storage tanks", "first");
    j["second_query"] = query("the bright buildings near the road", "second");
    j["speedup"] = j["first_query"]["seconds"].get<double>() / j["second_query"]["seconds"].get<double>();
    j["peak_rss_mb"] = ProcessMemory::peakMb(); // since the reset after model loading
    j["peak_above_model_mb"] = j["peak_rss_mb"].get<double>() - j["rss_model_mb"].get<double>();
    j["tile"] = a.tile;
    j["overlap"] = a.overlap;
    j["cache_mb"] = a.cacheMb;
    return j;
}

std::vector<int> parseSizes(const std::string &text)
{
    std::vector<int> sizes;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t used = 0;
        int size = 0;
        try {
            size = std::stoi(item, &used);
        } catch (const std::exception &) {
            used = 0;
        }
        if (used == 0 || used != item.size() || size <= 0)
            throw Error("--sizes: '" + item + "' is not a raster size (a positive number of pixels)");
        sizes.push_back(size);
    }
    if (sizes.empty())
        throw Error("--sizes needs at least one raster size");
    return sizes;
}

void printText(const nlohmann::json &all)
{
    std::cout << std::fixed << std::setprecision(2);
    for (const auto &j : all) {
        const auto &f = j["first_query"];
        const auto &s = j["second_query"];
        std::cout << "Raster " << j["raster_size"] << " x " << j["raster_size"] << " px, tile " << j["tile"]
                  << ", overlap " << j["overlap"] << ", model " << j["model"].get<std::string>() << " (input "
                  << j["input_size"] << ")\n"
                  << "  first query:  " << f["seconds"].get<double>() << " s, " << f["tiles"] << " tiles, "
                  << f["tiles_per_s"].get<double>() << " tiles/s (encode " << f["encode_s"].get<double>() << " s)\n"
                  << "  second query: " << s["seconds"].get<double>() << " s, " << s["tiles_per_s"].get<double>()
                  << " tiles/s, image encoder runs " << s["cache"]["image_encoder_runs"] << "\n"
                  << "  speed-up:     " << j["speedup"].get<double>() << " x\n"
                  << "  memory:       model loaded " << j["rss_model_mb"].get<double>() << " MB, peak "
                  << j["peak_rss_mb"].get<double>() << " MB (" << j["peak_above_model_mb"].get<double>()
                  << " MB above the model)\n";
    }
}

// One raster size: the generated scene, then the measurements in a child process.
nlohmann::json runSize(const BenchSegmentArgs &a, const fs::path &dir, int size)
{
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string raster = (dir / "scene.tif").string();
    const auto t0 = std::chrono::steady_clock::now();
    BenchmarkScene::write(raster, size);
    std::cerr << "bench segment: generated " << size << " x " << size << " raster in "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
    // One process per size, so that its peak memory is its own (ChildProcess). The parent has
    // not touched torch: the child starts LibTorch's threads itself.
    const ChildProcess::Result child = ChildProcess::run([&] { return runOne(a, raster, dir.string(), size).dump(); });
    if (child.status == ChildProcess::Status::Died)
        throw Error("the benchmark process for size " + std::to_string(size) + " died (" + child.text + ")");
    if (child.status == ChildProcess::Status::Failed)
        throw Error("benchmark at size " + std::to_string(size) + ": " + child.text);
    return nlohmann::json::parse(child.text);
}

void run(const BenchSegmentArgs &a)
{
    const std::vector<int> sizes = parseSizes(a.sizes);
    const fs::path work = a.work.empty() ? fs::temp_directory_path() / ("rsrefseg-bench-" + std::to_string(::getpid()))
                                         : fs::path(a.work);
    fs::create_directories(work);
    // Without --keep nothing generated stays, also when a size fails.
    auto cleanUp = [&](const fs::path &dir) {
        std::error_code ec;
        if (!a.keep)
            fs::remove_all(a.work.empty() ? work : dir, ec);
    };
    nlohmann::json all = nlohmann::json::array();
    for (int size : sizes) {
        const fs::path dir = work / std::to_string(size);
        try {
            all.push_back(runSize(a, dir, size));
        } catch (...) {
            cleanUp(dir);
            throw;
        }
        if (!a.keep)
            fs::remove_all(dir);
    }
    if (!a.keep && a.work.empty())
        fs::remove_all(work);
    if (a.json)
        std::cout << all.dump(2) << "\n";
    else
        printText(all);
}

} // namespace

void addBenchSegmentCommand(CLI::App &bench)
{
    auto a = std::make_shared<BenchSegmentArgs>();
    CLI::App *cmd = bench.add_subcommand(
        "segment", "Time the tiled pipeline (first and cached second query) and its peak memory on generated rasters");
    cmd->add_option("--model", a->model.model, "Model bundle (default: random weights of --arch)");
    cmd->add_option("--arch", a->arch, "Random-weight architecture: rsrefseg-b, or a bundle folder whose sizes to use")
        ->capture_default_str();
    cmd->add_option("--tokenizer", a->tokenizer, "SigLIP spiece.model for random weights");
    cmd->add_option("--device", a->model.device, "cpu, cuda or cuda:N")->capture_default_str();
    cmd->add_option("--dtype", a->model.dtype, "f32 or bf16 (f16 on GPUs)")->capture_default_str();
    cmd->add_option("--threads", a->model.threads, "CPU threads (0: all)")->capture_default_str();
    cmd->add_option("--sizes", a->sizes, "Raster sizes (square), comma-separated; one process each")
        ->capture_default_str();
    cmd->add_option("--tile", a->tile, "Tile size")->capture_default_str();
    cmd->add_option("--overlap", a->overlap, "Tile overlap")->capture_default_str();
    cmd->add_option("--cache-mb", a->cacheMb, "In-memory feature cache budget (a disk cache is used as well)")
        ->capture_default_str();
    cmd->add_option("--work", a->work, "Folder for the generated rasters and outputs (default: a temporary one)");
    cmd->add_flag("--keep", a->keep, "Keep the generated rasters and outputs");
    cmd->add_flag("--json", a->json, "Print JSON");
    cmd->callback([a] { run(*a); });
}

} // namespace rsrefseg::cli
