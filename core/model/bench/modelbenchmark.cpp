#include "model/bench/modelbenchmark.h"

#include "model/bench/rsrefseg2benchmark.h"

#include "model/bench/operatorprofile.h"

#include "common/error.h"
#include "common/processmemory.h"
#include "model/common/torchthreads.h"
#include "model/rsrefseg/modelbundle.h"
#include "model/rsrefseg/rsrefsegmodel.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace rsrefseg {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void sync(const torch::Device &device)
{
    if (device.is_cuda())
        torch::cuda::synchronize(device.index());
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

template <typename F> double timeMs(const torch::Device &device, int repeats, F &&f)
{
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = Clock::now();
        f();
        sync(device);
        times.push_back(msSince(t0));
    }
    return median(times);
}

// Multiply-add FLOPs (2 per MAC) of the two image encoders, from the architecture.
double imageEncoderGflop(const RSRefSegConfig &c)
{
    double flop = 0;
    // SAM ViT
    const auto &s = c.sam.vision;
    const double g = static_cast<double>(s.gridSize());
    const double n = g * g;
    const double cdim = static_cast<double>(s.hiddenSize);
    const double mlp = static_cast<double>(s.mlpDim);
    const double d = static_cast<double>(s.headDim());
    const double heads = static_cast<double>(s.numAttentionHeads);
    flop += 2 * n * cdim * (3.0 * s.patchSize * s.patchSize);
    for (int64_t layer = 0; layer < s.numHiddenLayers; ++layer) {
        const int64_t w = s.layerWindowSize(layer);
        double tokens = n;
        double attn = 0;
        if (w > 0) {
            const double padded = std::ceil(g / w) * w;
            tokens = padded * padded;
            const double windows = (padded / w) * (padded / w);
            const double per = static_cast<double>(w * w);
            attn = 2 * 2 * windows * per * per * d * heads + 2 * tokens * 2 * w * d * heads;
        } else {
            attn = 2 * 2 * n * n * d * heads + 2 * n * 2 * g * d * heads;
        }
        flop += 2 * tokens * cdim * 3 * cdim + attn + 2 * tokens * cdim * cdim + 2 * 2 * n * cdim * mlp;
    }
    const double out = static_cast<double>(s.outputChannels);
    flop += 2 * n * cdim * out + 2 * n * out * out * 9;
    // SigLIP vision tower
    const auto &v = c.siglip.vision;
    const double m = static_cast<double>(v.numPatches());
    const double h = static_cast<double>(v.hiddenSize);
    const double i = static_cast<double>(v.intermediateSize);
    flop += 2 * m * h * (3.0 * v.patchSize * v.patchSize);
    flop += v.numHiddenLayers * (2 * m * h * h * 4 + 2 * 2 * m * m * h + 2 * 2 * m * h * i);
    flop += 2 * m * h * 2 * h + 2 * 2 * h * i; // pooling head (k/v projections, one-token MLP)
    return flop / 1e9;
}

RSRefSegConfig tinyConfig()
{
    // The golden tiny architecture (golden README §3-5), without files.
    RSRefSegConfig c;
    auto &v = c.siglip.vision;
    v.hiddenSize = 64; v.intermediateSize = 128; v.numHiddenLayers = 2; v.numAttentionHeads = 4;
    v.imageSize = 112; v.patchSize = 16;
    auto &t = c.siglip.text;
    t.hiddenSize = 64; t.intermediateSize = 128; t.numHiddenLayers = 2; t.numAttentionHeads = 4;
    t.vocabSize = 200; t.maxPositionEmbeddings = 64;
    auto &s = c.sam.vision;
    s.hiddenSize = 64; s.numHiddenLayers = 2; s.numAttentionHeads = 4; s.imageSize = 128; s.patchSize = 16;
    s.windowSize = 4; s.globalAttnIndexes = {1}; s.outputChannels = 32; s.numPosFeats = 16; s.mlpDim = 128;
    s.mlpRatio = 2.0;
    auto &p = c.sam.promptEncoder;
    p.hiddenSize = 32; p.imageSize = 128; p.patchSize = 16; p.maskInputChannels = 16;
    auto &m = c.sam.maskDecoder;
    m.hiddenSize = 32; m.numHiddenLayers = 2; m.numAttentionHeads = 4; m.mlpDim = 64; m.iouHeadHiddenDim = 32;
    return c;
}

} // namespace

double ModelBenchmark::peakRssMb()
{
    return std::max(0.0, ProcessMemory::peakMb());
}

std::string ModelBenchmark::machineDescription()
{
    std::string model;
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            model = line.substr(line.find(':') + 2);
            break;
        }
    std::ostringstream s;
    s << (model.empty() ? std::string("unknown CPU") : model) << ", " << std::thread::hardware_concurrency()
      << " hardware threads";
    if (torch::cuda::is_available())
        s << ", " << torch::cuda::device_count() << " CUDA device(s)";
    return s.str();
}

double ModelBenchmark::matmulGflops(const std::string &dtypeName, const std::string &deviceName, int64_t n)
{
    const torch::ScalarType dtype = ModelBundle::parseDtype(dtypeName);
    const torch::Device device = ModelBundle::parseDevice(deviceName);
    torch::NoGradGuard noGrad;
    const auto opts = torch::TensorOptions().dtype(dtype).device(device);
    const torch::Tensor a = torch::randn({n, n}, opts);
    const torch::Tensor b = torch::randn({n, n}, opts);
    torch::Tensor c = torch::mm(a, b); // warm-up (oneDNN/BLAS set-up)
    sync(device);
    // The best of three rounds: the rate the machine can reach. One round's average swung by
    // up to 30 % between runs on a shared virtual machine, and the ratio with it.
    const int reps = 5;
    double best = 0.0;
    for (int round = 0; round < 3; ++round) {
        const auto t0 = Clock::now();
        for (int i = 0; i < reps; ++i)
            c = torch::mm(a, b);
        sync(device);
        const double s = msSince(t0) / 1000.0;
        best = std::max(best, 2.0 * n * n * n * reps / s / 1e9);
    }
    return best;
}

double ModelBenchmark::timeCallsMs(const std::string &deviceName, int repeats, const std::function<void()> &f)
{
    return timeMs(ModelBundle::parseDevice(deviceName), repeats, f);
}

ModelBenchmark::Result ModelBenchmark::run(const Options &options, const std::function<void(const std::string &)> &log)
{
    if (options.arch.rfind("rsrefseg2", 0) == 0)
        return RSRefSeg2Benchmark::run(options, log);
    auto say = [&](const std::string &s) {
        if (log)
            log(s);
    };
    Result r = start(options);
    const torch::ScalarType dtype = ModelBundle::parseDtype(options.dtype);
    const torch::Device device = ModelBundle::parseDevice(options.device);

    RSRefSegConfig config;
    if (options.arch == "rsrefseg-b")
        config = RSRefSegConfig::rsrefsegB();
    else if (options.arch == "tiny")
        config = tinyConfig();
    else
        throw Error("unknown architecture '" + options.arch + "' (use rsrefseg-b or tiny)");
    if (options.textTokens > config.siglip.text.maxPositionEmbeddings)
        throw Error("--text-tokens exceeds the text tower's positions");

    measureMatmul(r, log);

    say("building " + options.arch + " with random weights...\n");
    auto t0 = Clock::now();
    torch::manual_seed(0);
    RSRefSegModel model(config);
    model->to(device, dtype);
    model->eval();
    r.buildMs = msSince(t0);
    for (const auto &p : model->parameters())
        r.parameters += p.numel();
    r.imageSize = config.imageSize();

    c10::InferenceMode guard;
    const int64_t s = config.imageSize();
    const torch::Tensor image = torch::rand({options.batch, 3, s, s}, torch::TensorOptions().device(device));
    const torch::Tensor ids =
        torch::randint(3, config.siglip.text.vocabSize, {1, options.textTokens}, torch::TensorOptions().dtype(torch::kLong));
    const torch::Tensor mask = torch::ones({1, options.textTokens}, torch::kLong);

    if (options.warmup) {
        say("warm-up encodeImage...\n");
        model->encodeImage(image);
    }
    say("timing encodeImage (" + std::to_string(options.repeats) + " run(s) of " + std::to_string(options.batch) +
        " tile(s))...\n");
    ImageFeatures features;
    r.encodeImageMs = timeMs(device, options.repeats, [&] { features = model->encodeImage(image); });
    // The two towers separately (same inputs as inside encodeImage).
    const torch::Tensor samIn = image.to(dtype);
    r.encodeImageSamMs = timeMs(device, 1, [&] { model->samVision->forward(samIn); });
    const int64_t cs = config.siglipImageSize();
    const torch::Tensor clipIn = torch::rand({options.batch, 3, cs, cs}, torch::TensorOptions().device(device)).to(dtype);
    r.encodeImageSiglipMs = timeMs(device, 1, [&] { model->siglipVision->forward(clipIn); });

    say("timing encodeText and decode...\n");
    TextFeatures text = model->encodeText(ids, mask);
    model->decode(features, text);
    r.encodeTextMs = timeMs(device, 5, [&] { text = model->encodeText(ids, mask); });
    r.decodeMs = timeMs(device, 5, [&] { model->decode(features, text); });
    r.queryMs = timeMs(device, 5, [&] { model->decode(features, model->encodeText(ids, mask)); });

    if (options.profile) {
        say("profiling each stage per operator...\n");
        const size_t top = 15;
        const OperatorProfile imageProfile = OperatorProfile::measure([&] { model->encodeImage(image); });
        const OperatorProfile textProfile = OperatorProfile::measure([&] { model->encodeText(ids, mask); });
        const OperatorProfile decodeProfile = OperatorProfile::measure([&] { model->decode(features, text); });
        r.profile = {{"encode_image", imageProfile.toJson(top)},
                     {"encode_text", textProfile.toJson(top)},
                     {"decode", decodeProfile.toJson(top)}};
        r.profileText = "encodeImage per operator (self time, one run):\n" + imageProfile.toText(top) +
                        "encodeText per operator:\n" + textProfile.toText(top) + "decode per operator:\n" +
                        decodeProfile.toText(top);
    }

    finish(r, imageEncoderGflop(config));
    return r;
}

ModelBenchmark::Result ModelBenchmark::start(const Options &options)
{
    Result r;
    r.options = options;
    r.threads = setTorchThreads(options.threads);
    r.machine = machineDescription();
    const torch::ScalarType dtype = ModelBundle::parseDtype(options.dtype);
    r.options.dtype = ModelBundle::dtypeName(dtype); // "bfloat16" is reported as "bf16"
    const torch::Device device = ModelBundle::parseDevice(options.device);
    if (device.is_cpu() && dtype == torch::kFloat16)
        throw Error("fp16 is only benchmarked on GPUs; use f32 or bf16 on the CPU");
    if (options.batch < 1 || options.repeats < 1 || options.textTokens < 1)
        throw Error("batch, repeats and text tokens must be at least 1");
    return r;
}

void ModelBenchmark::measureMatmul(Result &r, const std::function<void(const std::string &)> &log)
{
    if (log)
        log("measuring matrix-product throughput...\n");
    r.matmulGflopsF32 = matmulGflops("f32", r.options.device);
    r.matmulGflopsBf16 = matmulGflops("bf16", r.options.device);
}

void ModelBenchmark::finish(Result &r, double imageGflopPerTile)
{
    r.encodeImageGflop = imageGflopPerTile;
    r.achievedGflops = r.encodeImageGflop * r.options.batch / (r.encodeImageMs / 1000.0);
    const double reference = r.options.dtype == "f32" ? r.matmulGflopsF32 : r.matmulGflopsBf16;
    r.ratioToMatmul = reference > 0 ? r.achievedGflops / reference : 0.0;
    r.peakRssMb = peakRssMb();
}

nlohmann::json ModelBenchmark::Result::toJson() const
{
    return {{"machine", machine},
            {"arch", options.arch},
            {"device", options.device},
            {"dtype", options.dtype},
            {"threads", threads},
            {"omp_wait_policy", std::getenv("OMP_WAIT_POLICY") ? std::getenv("OMP_WAIT_POLICY") : "(default)"},
            {"batch", options.batch},
            {"image_size", imageSize},
            {"parameters", parameters},
            {"build_ms", buildMs},
            {"encode_image_ms", encodeImageMs},
            {"encode_image_ms_per_tile", encodeImageMs / options.batch},
            {"sam_image_encoder_ms", encodeImageSamMs},
            {"siglip_vision_ms", encodeImageSiglipMs},
            {"encode_text_ms", encodeTextMs},
            {"text_tokens", options.textTokens},
            {"decode_ms", decodeMs},
            {"cached_tile_query_ms", queryMs},
            {"encode_image_gflop_per_tile", encodeImageGflop},
            {"encode_image_gflops_achieved", achievedGflops},
            {"matmul_gflops_f32", matmulGflopsF32},
            {"matmul_gflops_bf16", matmulGflopsBf16},
            {"achieved_to_matmul_ratio", ratioToMatmul},
            {"peak_rss_mb", peakRssMb},
            {"profile", profile.is_null() ? nlohmann::json::object() : profile}};
}

std::string ModelBenchmark::Result::toText() const
{
    std::ostringstream s;
    s.setf(std::ios::fixed);
    s.precision(1);
    s << "machine:            " << machine << " (" << threads << " torch threads)\n"
      << "model:              " << options.arch << ", " << parameters / 1e6 << " M parameters, "
      << options.dtype << " on " << options.device << ", input " << imageSize << " px, batch "
      << options.batch << "\n"
      << "encodeImage:        " << encodeImageMs << " ms per call (" << encodeImageMs / options.batch
      << " ms per tile; SAM " << encodeImageSamMs << " ms, SigLIP " << encodeImageSiglipMs << " ms)\n"
      << "encodeText:         " << encodeTextMs << " ms (" << options.textTokens << " tokens)\n"
      << "decode:             " << decodeMs << " ms\n"
      << "cached-tile query:  " << queryMs << " ms (encodeText + decode)\n"
      << "throughput:         " << achievedGflops << " GFLOP/s achieved in encodeImage (" << encodeImageGflop
      << " GFLOP per tile)\n"
      << "matrix products:    " << matmulGflopsF32 << " GFLOP/s f32, " << matmulGflopsBf16 << " GFLOP/s bf16\n";
    s.precision(2);
    s << "ratio:              " << ratioToMatmul << " of the " << options.dtype
      << " matrix-product rate\n";
    s.precision(0);
    s << "peak RSS:           " << peakRssMb << " MB\n";
    s << profileText;
    return s.str();
}

} // namespace rsrefseg
