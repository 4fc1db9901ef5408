// Helpers shared by the model tests that compare against the golden fixtures of
// tests/data/golden: fixture paths, loading HF-style model folders, tensor comparison with the
// golden README §10 criterion (|a - b| <= atol + rtol * |b| everywhere, reporting the max abs
// difference so that the tests can print it), and the PEFT -> module name map for the RSRefSeg
// checkpoint's sub-trees.
#pragma once

#include "model/weights/safetensorsfile.h"

#include <torch/types.h>

#include <QString>

#include <functional>
#include <limits>
#include <map>
#include <string>
#include "testpaths.h"

namespace goldentest {

inline std::string goldenPath(const std::string &relative)
{
    return rsrefseg::test::testDataDir() + "/golden/" + relative;
}

inline std::map<std::string, torch::Tensor> loadTensors(const std::string &relative)
{
    return rsrefseg::SafetensorsFile::open(goldenPath(relative)).tensors();
}

// A model from a golden HF folder (config.json + model.safetensors), loaded strictly, eval:
//   SamModel sam = loadModel<SamModel, SamConfig>("sam_tiny");
template <class Model, class Config>
Model loadModel(const std::string &folder)
{
    Model model(Config::fromFile(goldenPath(folder + "/config.json")));
    model->loadSafetensors(goldenPath(folder + "/model.safetensors"));
    model->eval();
    return model;
}

struct Comparison
{
    double maxAbs = 0.0;
    double maxExcess = 0.0; // max of |a - b| - (atol + rtol * |b|); <= 0 means close
    bool shapesMatch = false;
    bool close() const { return shapesMatch && maxExcess <= 0.0; }
    QString describe(const std::string &name) const
    {
        return QString("%1: shapes %2, max abs diff %3, max excess over tolerance %4")
            .arg(QString::fromStdString(name))
            .arg(shapesMatch ? "match" : "DIFFER")
            .arg(maxAbs, 0, 'g', 3)
            .arg(maxExcess, 0, 'g', 3);
    }
};

inline Comparison compare(const torch::Tensor &actual, const torch::Tensor &expected, double atol, double rtol)
{
    Comparison c;
    c.shapesMatch = actual.defined() && expected.defined() && actual.sizes() == expected.sizes();
    if (!c.shapesMatch)
        return c;
    const torch::Tensor a = actual.detach().to(torch::kFloat64);
    const torch::Tensor b = expected.detach().to(torch::kFloat64);
    const torch::Tensor diff = (a - b).abs();
    c.maxAbs = diff.max().item<double>();
    c.maxExcess = (diff - (atol + rtol * b.abs())).max().item<double>();
    if (!torch::isfinite(a).all().item<bool>())
        c.maxExcess = std::numeric_limits<double>::infinity();
    return c;
}

// The message of the exception `fn` throws, or an empty string when it throws none.
inline QString errorOf(const std::function<void()> &fn)
{
    try {
        fn();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

// The RSRefSeg checkpoint stores a tower as `<prefix><HF name>` with PEFT wrappers:
// `x.base_layer.weight` -> `x.weight`, `x.lora_A.default.weight` -> `x.lora_A.weight`.
inline std::map<std::string, torch::Tensor> peftSubtree(const std::map<std::string, torch::Tensor> &all,
                                                        const std::string &prefix)
{
    auto replaceAll = [](std::string s, const std::string &from, const std::string &to) {
        for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
            s.replace(pos, from.size(), to);
        return s;
    };
    std::map<std::string, torch::Tensor> out;
    for (const auto &item : all) {
        if (item.first.compare(0, prefix.size(), prefix) != 0)
            continue;
        std::string name = item.first.substr(prefix.size());
        name = replaceAll(name, ".base_layer.", ".");
        name = replaceAll(name, ".lora_A.default.", ".lora_A.");
        name = replaceAll(name, ".lora_B.default.", ".lora_B.");
        out.emplace(name, item.second);
    }
    return out;
}

} // namespace goldentest
