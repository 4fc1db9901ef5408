#include "model/bench/rsrefseg2benchmark.h"

#include "common/error.h"
#include "model/bench/operatorprofile.h"
#include "model/rsrefseg/modelbundle.h"
#include "model/rsrefseg2/rsrefseg2model.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

namespace rsrefseg {

namespace {

RSRefSeg2Config tinyConfig()
{
    // The golden tiny architecture (tests/data/golden/rsrefseg2/README.md §3), without files.
    RSRefSeg2Config c = RSRefSeg2Config::full();
    c.imageSize = 128;
    c.hiera.embedDim = 12;
    c.hiera.stages = {1, 2, 3, 2};
    c.hiera.globalAttBlocks = {4};
    c.hiera.windowSpec = {8, 4, 6, 4};
    c.neck.dModel = 32;
    c.neck.backboneChannelList = {96, 48, 24, 12};
    for (SiglipEncoderConfig *e : {static_cast<SiglipEncoderConfig *>(&c.siglip.vision),
                                   static_cast<SiglipEncoderConfig *>(&c.siglip.text)}) {
        e->hiddenSize = 32;
        e->intermediateSize = 64;
        e->numHiddenLayers = 2;
        e->numAttentionHeads = 4;
    }
    c.siglip.vision.imageSize = 64;
    c.siglip.text.vocabSize = 384;
    c.prompter.textFeatDim = c.prompter.imgFeatDim = c.prompter.promptFeatDim = 32;
    c.prompter.numHeads = 4;
    c.prompter.internalDim = 32;
    c.prompter.mlpDim = 48;
    c.prompter.imgpeSize = 4;
    c.validate("tiny RSRefSeg 2");
    return c;
}

double hieraGflop(const RSRefSeg2Config &c)
{
    const HieraConfig &h = c.hiera;
    double grid = static_cast<double>(c.imageSize / h.patchStride);
    double flop = 2 * grid * grid * static_cast<double>(h.embedDim) * 3.0 * h.patchKernel * h.patchKernel;
    double dim = static_cast<double>(h.embedDim);
    int64_t block = 0;
    for (size_t stage = 0; stage < h.stages.size(); ++stage) {
        for (int64_t j = 0; j < h.stages[stage]; ++j, ++block) {
            // The first block of a stage keeps the previous stage's window and pools q.
            const bool first = j == 0 && stage > 0;
            const double dimOut = first ? dim * h.dimMul : dim;
            const bool global = std::find(h.globalAttBlocks.begin(), h.globalAttBlocks.end(), block) !=
                                h.globalAttBlocks.end();
            const int64_t w = global ? 0 : h.windowSpec[first ? stage - 1 : stage];
            const bool pool = first && static_cast<int64_t>(stage) <= h.qPool;
            const double n = grid * grid;
            const double padded = w > 0 ? std::pow(std::ceil(grid / w) * w, 2) : n;
            const double nq = pool ? n / 4 : n;
            const double perWindow = w > 0 ? static_cast<double>(w * w) : n;
            const double windows = padded / perWindow;
            const double qPerWindow = pool ? perWindow / 4 : perWindow;
            flop += 2 * padded * dim * 3 * dimOut;                      // qkv (padded tokens)
            flop += 2 * 2 * windows * qPerWindow * perWindow * dimOut;  // q k^T and attention x v
            flop += 2 * nq * dimOut * dimOut;                           // attn.proj
            if (first)
                flop += 2 * n * dim * dimOut;                           // shortcut proj
            flop += 2 * 2 * nq * dimOut * dimOut * h.mlpRatio;          // mlp
            dim = dimOut;
            if (pool)
                grid /= 2;
        }
    }
    return flop;
}

} // namespace

double RSRefSeg2Benchmark::imageGflop(const RSRefSeg2Config &c)
{
    double flop = hieraGflop(c);
    // Neck: the four 1x1 laterals, then conv_s0 / conv_s1 on levels 0 and 1.
    const double d = static_cast<double>(c.neck.dModel);
    double side = static_cast<double>(c.imageSize / c.hiera.patchStride);
    for (auto it = c.neck.backboneChannelList.rbegin(); it != c.neck.backboneChannelList.rend(); ++it) {
        flop += 2 * side * side * static_cast<double>(*it) * d;
        side /= 2;
    }
    const double s0 = static_cast<double>(c.imageSize / 4);
    flop += 2 * s0 * s0 * d * d / 8 + 2 * (s0 / 2) * (s0 / 2) * d * d / 4;
    // SigLIP vision tower (with its pooling head, which the module computes).
    const auto &v = c.siglip.vision;
    const double m = static_cast<double>(v.numPatches());
    const double h = static_cast<double>(v.hiddenSize);
    const double i = static_cast<double>(v.intermediateSize);
    flop += 2 * m * h * (3.0 * v.patchSize * v.patchSize);
    flop += v.numHiddenLayers * (2 * m * h * h * 4 + 2 * 2 * m * m * h + 2 * 2 * m * h * i);
    flop += 2 * m * h * 2 * h + 2 * 2 * h * i;
    return flop / 1e9;
}

ModelBenchmark::Result RSRefSeg2Benchmark::run(const ModelBenchmark::Options &options,
                                               const std::function<void(const std::string &)> &log)
{
    auto say = [&](const std::string &s) {
        if (log)
            log(s);
    };
    using Clock = std::chrono::steady_clock;
    ModelBenchmark::Result r = ModelBenchmark::start(options);
    const torch::ScalarType dtype = ModelBundle::parseDtype(options.dtype);
    const torch::Device device = ModelBundle::parseDevice(options.device);
    RSRefSeg2Config config;
    if (options.arch == "rsrefseg2-l")
        config = RSRefSeg2Config::full();
    else if (options.arch == "rsrefseg2-tiny")
        config = tinyConfig();
    else
        throw Error("unknown architecture '" + options.arch + "' (use rsrefseg2-l or rsrefseg2-tiny)");
    if (options.textTokens > config.siglip.text.maxPositionEmbeddings)
        throw Error("--text-tokens exceeds the text tower's positions");

    ModelBenchmark::measureMatmul(r, log);

    say("building " + options.arch + " with random weights...\n");
    const auto t0 = Clock::now();
    torch::manual_seed(0);
    RSRefSeg2Model model(config);
    model->to(device, dtype);
    model->eval();
    r.buildMs = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    for (const auto &p : model->parameters())
        r.parameters += p.numel();
    r.imageSize = config.imageSize;

    c10::InferenceMode guard;
    const int64_t s = config.imageSize;
    const torch::Tensor image = torch::rand({options.batch, 3, s, s}, torch::TensorOptions().device(device));
    const torch::Tensor ids =
        torch::randint(3, config.siglip.text.vocabSize, {1, options.textTokens}, torch::TensorOptions().dtype(torch::kLong));
    const std::string dev = options.device;
    RSRefSeg2ImageFeatures features;
    if (options.warmup) {
        say("warm-up encodeImage...\n");
        model->encodeImage(image);
    }
    say("timing encodeImage (" + std::to_string(options.repeats) + " run(s) of " + std::to_string(options.batch) +
        " tile(s))...\n");
    r.encodeImageMs = ModelBenchmark::timeCallsMs(dev, options.repeats, [&] { features = model->encodeImage(image); });
    const torch::Tensor samIn = image.to(dtype);
    r.encodeImageSamMs = ModelBenchmark::timeCallsMs(dev, 1, [&] { model->imageEncoder->forward(samIn); });
    const int64_t cs = config.siglipImageSize();
    const torch::Tensor clipIn = torch::rand({options.batch, 3, cs, cs}, torch::TensorOptions().device(device)).to(dtype);
    r.encodeImageSiglipMs = ModelBenchmark::timeCallsMs(dev, 1, [&] { model->siglipVision->forward(clipIn); });

    say("timing encodeText and the per-query prompter + decoder...\n");
    RSRefSeg2ImageFeatures one{features.embedding.slice(0, 0, 1), features.highRes0.slice(0, 0, 1),
                               features.highRes1.slice(0, 0, 1), features.siglipTokens.slice(0, 0, 1)};
    RSRefSeg2TextFeatures text = model->encodeText(ids);
    model->decode(one, text);
    r.encodeTextMs = ModelBenchmark::timeCallsMs(dev, 5, [&] { text = model->encodeText(ids); });
    r.decodeMs = ModelBenchmark::timeCallsMs(dev, 5, [&] { model->decode(one, text); });
    r.queryMs = ModelBenchmark::timeCallsMs(dev, 5, [&] { model->decode(one, model->encodeText(ids)); });
    if (options.profile) {
        say("profiling one run of each stage...\n");
        const int top = 15;
        const OperatorProfile imageProfile = OperatorProfile::measure([&] { model->encodeImage(image); });
        const OperatorProfile textProfile = OperatorProfile::measure([&] { model->encodeText(ids); });
        const OperatorProfile decodeProfile = OperatorProfile::measure([&] { model->decode(one, text); });
        r.profile = {{"encode_image", imageProfile.toJson(top)},
                     {"encode_text", textProfile.toJson(top)},
                     {"decode", decodeProfile.toJson(top)}};
        r.profileText = "encodeImage per operator (self time, one run):\n" + imageProfile.toText(top) +
                        "encodeText per operator:\n" + textProfile.toText(top) +
                        "prompter + decoder per operator:\n" + decodeProfile.toText(top);
    }
    ModelBenchmark::finish(r, imageGflop(config));
    return r;
}

} // namespace rsrefseg
