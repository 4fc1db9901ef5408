// ModelBenchmark: how fast one tile goes through the full-size RSRefSeg architecture on this
// machine, with random weights (no download needed), next to the matrix-product throughput the
// same machine reaches in the same run. Used by `rsrefseg bench model` and by the standalone
// `rsrefseg-model-bench` (which links core/model only, for GPU machines). No torch in this
// header: the programs that print the figures need not compile LibTorch's headers.
//
//   ModelBenchmark::Options o;  o.dtype = "bf16";
//   ModelBenchmark::Result r = ModelBenchmark::run(o, [](const std::string &s) { std::cerr << s; });
//   std::cout << r.toJson().dump(2);
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace rsrefseg {

class ModelBenchmark
{
  public:
    struct Options
    {
        std::string arch = "rsrefseg-b"; // rsrefseg-b | tiny | rsrefseg2-l | rsrefseg2-tiny (RSRefSeg2Benchmark)
        std::string device = "cpu";
        std::string dtype = "f32"; // f32 | bf16 | f16 (GPUs); run() reports the canonical name
        int threads = 0;      // 0: all hardware threads
        int batch = 1;        // tiles per encodeImage call
        int repeats = 1;      // timed encodeImage calls (after one untimed warm-up if warmup)
        bool warmup = false;
        int textTokens = 16;  // tokens of the benchmark sentence (incl. EOS)
        bool profile = false; // also profile one run of each stage per operator (OperatorProfile)
    };

    struct Result
    {
        Options options;
        std::string machine;
        int threads = 0;
        int64_t parameters = 0;
        int64_t imageSize = 0;
        double buildMs = 0;
        double encodeImageMs = 0;      // per call (batch tiles), median of repeats
        double encodeImageSamMs = 0;   // SAM image encoder alone (RSRefSeg 2: Hiera + neck), per call
        double encodeImageSiglipMs = 0; // SigLIP vision tower alone, per call
        double encodeTextMs = 0;       // median of 5
        double decodeMs = 0;           // median of 5 (RSRefSeg 2: cascaded prompter + mask decoder)
        double queryMs = 0;            // encodeText + decode: a new query on a cached tile
        double encodeImageGflop = 0;   // counted from the architecture, per tile
        double achievedGflops = 0;     // encodeImageGflop * batch / encodeImage seconds
        double matmulGflopsF32 = 0;    // torch::mm 2048^2 in the same run
        double matmulGflopsBf16 = 0;
        double ratioToMatmul = 0;      // achieved / matmul of the benchmark's dtype
        double peakRssMb = 0;
        // With Options::profile: {"encode_image": ..., "encode_text": ..., "decode": ...}, each
        // OperatorProfile::toJson(15).
        nlohmann::json profile;
        std::string profileText;
        nlohmann::json toJson() const;
        std::string toText() const;
    };

    // Throws rsrefseg::Error for a bad option (dtype, device, architecture, counts) before any
    // measurement.
    static Result run(const Options &options, const std::function<void(const std::string &)> &log = {});
    // Matrix products per second (GFLOP/s) for a square product of this size, dtype and device.
    static double matmulGflops(const std::string &dtype, const std::string &device, int64_t n = 2048);
    // The steps every architecture's benchmark shares: start() checks the options (Error before
    // any measurement) and sets the threads; measureMatmul() fills the matrix-product rates;
    // finish() derives the achieved rate, its ratio and the peak memory from encodeImageMs.
    static Result start(const Options &options);
    static void measureMatmul(Result &r, const std::function<void(const std::string &)> &log);
    static void finish(Result &r, double imageGflopPerTile);
    // The median wall time of `repeats` calls of `f` in ms (the device synchronised after each).
    static double timeCallsMs(const std::string &device, int repeats, const std::function<void()> &f);
    // Peak resident memory of this process so far, in MB (Linux VmHWM).
    static double peakRssMb();
    static std::string machineDescription();
};

} // namespace rsrefseg
