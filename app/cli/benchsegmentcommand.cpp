#include "benchsegmentcommand.h"

#include "segmentcommand.h"

#include "common/error.h"
#include "modelhub/rsrefsegsegmentationmodel.h"
#include "geo/gdalhandles.h"

#include <CLI/CLI.hpp>
#include <cpl_string.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <sys/wait.h>
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

double statusMb(const char *field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::stod(line.substr(std::strlen(field) + 1)) / 1024.0;
    return -1.0;
}

// A synthetic 3-band scene (texture plus bright blocks), tiled and compressed, written block row
// by block row.
void makeScene(const std::string &path, int size)
{
    ensureGdalRegistered();
    GdalQuietErrors quiet;
    GDALDriver *driver = GetGDALDriverManager()->GetDriverByName("GTiff");
    char **co = nullptr;
    co = CSLSetNameValue(co, "TILED", "YES");
    co = CSLSetNameValue(co, "COMPRESS", "DEFLATE");
    co = CSLSetNameValue(co, "ZLEVEL", "1");
    co = CSLSetNameValue(co, "BIGTIFF", "IF_SAFER");
    GdalDatasetPtr ds(driver->Create(path.c_str(), size, size, 3, GDT_Byte, co));
    CSLDestroy(co);
    if (!ds)
        throw Error("cannot create benchmark raster '" + path + "': " + CPLGetLastErrorMsg());
    double gt[6] = {500000.0, 0.5, 0.0, 5000000.0, 0.0, -0.5};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(32633);
    ds->SetSpatialRef(&srs);
    const int rows = 256;
    std::vector<uint8_t> buf(static_cast<size_t>(size) * rows * 3);
    for (int y0 = 0; y0 < size; y0 += rows) {
        const int n = std::min(rows, size - y0);
        for (int b = 0; b < 3; ++b)
            for (int r = 0; r < n; ++r)
                for (int x = 0; x < size; ++x) {
                    const int y = y0 + r;
                    const bool block = ((x / 300) % 4 == 1) && ((y / 200) % 3 == 1);
                    const int v = block ? 230 - 20 * b : 60 + ((x / 7) ^ (y / 11)) % 60 + 10 * b;
                    buf[(static_cast<size_t>(b) * n + r) * size + x] = static_cast<uint8_t>(v);
                }
        if (ds->RasterIO(GF_Write, 0, y0, size, n, buf.data(), size, n, GDT_Byte, 3, nullptr, 0, 0, 0) != CE_None)
            throw Error("cannot write benchmark raster '" + path + "': " + CPLGetLastErrorMsg());
        ds->FlushCache(false);
    }
}

nlohmann::json runOne(const BenchSegmentArgs &a, const std::string &raster, const std::string &dir, int size)
{
    using Clock = std::chrono::steady_clock;
    nlohmann::json j;
    j["raster_size"] = size;
    j["rss_start_mb"] = statusMb("VmRSS:");
    const auto tl = Clock::now();
    std::shared_ptr<SegmentationModel> model;
    if (!a.model.model.empty()) {
        model = loadModel(a.model);
    } else {
        if (a.tokenizer.empty())
            throw Error("random weights need --tokenizer (a SigLIP spiece.model) or give --model BUNDLE");
        RSRefSegSegmentationModel::Options o;
        o.device = a.model.device;
        o.dtype = a.model.dtype;
        o.threads = a.model.threads;
        auto m = RSRefSegSegmentationModel::randomWeights(a.arch, a.tokenizer, o);
        j["parameters"] = m->parameterCount();
        j["threads"] = m->threads();
        model = m;
    }
    j["model"] = model->name();
    j["model_load_s"] = std::chrono::duration<double>(Clock::now() - tl).count();
    j["input_size"] = model->inputSize();
    j["rss_model_mb"] = statusMb("VmRSS:");
    // Building the model peaks above its final size (weights are created in fp32, then
    // converted): record that peak, then reset the high-water mark (Linux: clear_refs 5) so that
    // peak_rss_mb measures the segmentation itself.
    j["peak_rss_load_mb"] = statusMb("VmHWM:");
    std::ofstream("/proc/self/clear_refs") << "5";

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
    j["peak_rss_mb"] = statusMb("VmHWM:"); // since the reset after model loading
    j["peak_above_model_mb"] = j["peak_rss_mb"].get<double>() - j["rss_model_mb"].get<double>();
    j["tile"] = a.tile;
    j["overlap"] = a.overlap;
    j["cache_mb"] = a.cacheMb;
    return j;
}

void run(const BenchSegmentArgs &a)
{
    std::vector<int> sizes;
    std::stringstream ss(a.sizes);
    std::string item;
    while (std::getline(ss, item, ','))
        sizes.push_back(std::stoi(item));
    if (sizes.empty())
        throw Error("--sizes needs at least one raster size");
    const fs::path work = a.work.empty() ? fs::temp_directory_path() / ("rsrefseg-bench-" + std::to_string(::getpid()))
                                         : fs::path(a.work);
    fs::create_directories(work);
    nlohmann::json all = nlohmann::json::array();
    for (int size : sizes) {
        const fs::path dir = work / std::to_string(size);
        fs::remove_all(dir);
        fs::create_directories(dir);
        const std::string raster = (dir / "scene.tif").string();
        const auto t0 = std::chrono::steady_clock::now();
        makeScene(raster, size);
        std::cerr << "bench segment: generated " << size << " x " << size << " raster in "
                  << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s\n";
        // One process per size: its peak memory is its own. The parent has not touched torch.
        int fds[2];
        if (::pipe(fds) != 0)
            throw Error("cannot create a pipe");
        const pid_t pid = ::fork();
        if (pid < 0)
            throw Error("cannot fork");
        if (pid == 0) {
            ::close(fds[0]);
            std::string out;
            try {
                out = runOne(a, raster, dir.string(), size).dump();
            } catch (const std::exception &e) {
                out = nlohmann::json{{"error", e.what()}}.dump();
            }
            size_t done = 0;
            while (done < out.size()) {
                const ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
                if (n <= 0)
                    break;
                done += static_cast<size_t>(n);
            }
            ::close(fds[1]);
            _exit(0);
        }
        ::close(fds[1]);
        std::string text;
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fds[0], buf, sizeof buf)) > 0)
            text.append(buf, static_cast<size_t>(n));
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (text.empty())
            throw Error("the benchmark process for size " + std::to_string(size) + " died");
        const nlohmann::json j = nlohmann::json::parse(text);
        if (j.contains("error"))
            throw Error("benchmark at size " + std::to_string(size) + ": " + j["error"].get<std::string>());
        all.push_back(j);
        if (!a.keep)
            fs::remove_all(dir);
    }
    if (!a.keep && a.work.empty())
        fs::remove_all(work);
    if (a.json) {
        std::cout << all.dump(2) << "\n";
        return;
    }
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
