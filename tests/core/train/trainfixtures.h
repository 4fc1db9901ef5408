// Fixtures for the trainer tests: the tiny golden RSRefSeg model as a bundle, small synthetic
// data sets, and a training configuration that runs in seconds on the tiny model.
#pragma once

#include "model/rsrefseg/modelimporter.h"
#include "train/syntheticdatasetwriter.h"
#include "train/trainconfig.h"

#include <torch/torch.h>

#include <map>
#include <string>
#include "testpaths.h"

namespace trainfixtures {

inline std::string golden(const std::string &relative)
{
    return rsrefseg::test::testDataDir() + "/golden/" + relative;
}

// The golden tiny model (SigLIP 112 px / SAM 128 px, LoRA r 4 alpha 8 merged) as a bundle.
inline std::string makeTinyBundle(const std::string &dir)
{
    rsrefseg::ModelImporter::Options o;
    o.siglipDir = golden("siglip_tiny");
    o.samDir = golden("sam_tiny");
    o.checkpoint = golden("rsrefseg_tiny/model.safetensors");
    o.loraAlpha = 8.0;
    o.trained = false;
    o.outDir = dir;
    rsrefseg::ModelImporter::run(o);
    return dir;
}

struct SyntheticSet
{
    std::string jsonl;
    std::string images;
};

inline SyntheticSet makeSyntheticSet(const std::string &dir, uint64_t count, uint64_t seed, int perScene,
                                     const std::string &split = "train", int size = 256)
{
    rsrefseg::SyntheticDatasetWriter::Options o;
    o.outDir = dir;
    o.count = count;
    o.seed = seed;
    o.perScene = perScene;
    o.split = split;
    o.size = size;
    const auto summary = rsrefseg::SyntheticDatasetWriter(o).write();
    return {summary.jsonlPath, summary.imageDir};
}

inline rsrefseg::TrainConfig tinyConfig(const std::string &bundle, const SyntheticSet &train, const std::string &out)
{
    rsrefseg::TrainConfig c;
    c.initBundle = bundle;
    c.trainData = train.jsonl;
    c.trainImages = train.images;
    c.outDir = out;
    c.loraRank = 4;
    c.loraAlpha = 8.0;
    c.batchSize = 2;
    c.epochs = 2;
    c.lr = 1e-3;
    c.warmupSteps = 1;
    c.threads = 1; // results must not depend on the machine's core count
    c.seed = 7;
    c.logEvery = 1;
    return c;
}

inline std::map<std::string, torch::Tensor> snapshot(torch::nn::Module &m)
{
    std::map<std::string, torch::Tensor> out;
    for (const auto &p : m.named_parameters(true))
        out[p.key()] = p.value().detach().clone();
    for (const auto &b : m.named_buffers(true))
        out["buffer:" + b.key()] = b.value().detach().clone();
    return out;
}

inline double maxDifference(const std::map<std::string, torch::Tensor> &a, const std::map<std::string, torch::Tensor> &b,
                            std::string *worst = nullptr)
{
    double most = 0.0;
    for (const auto &[name, t] : a) {
        auto it = b.find(name);
        if (it == b.end() || it->second.sizes() != t.sizes())
            return std::numeric_limits<double>::infinity();
        const double d = t.numel() ? (t.to(torch::kFloat64) - it->second.to(torch::kFloat64)).abs().max().item<double>() : 0.0;
        if (d > most) {
            most = d;
            if (worst)
                *worst = name;
        }
    }
    return a.size() == b.size() ? most : std::numeric_limits<double>::infinity();
}

} // namespace trainfixtures
