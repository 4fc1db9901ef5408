// Helpers shared by the SAM tests: golden fixture paths, loading sam_tiny-style folders, and
// tensor comparison with the golden README §10 criterion (|a - b| <= atol + rtol * |b|
// everywhere), reporting the max abs difference so that the tests can print it.
#pragma once

#include "model/sam/sammodel.h"
#include "model/weights/safetensorsfile.h"

#include <torch/types.h>

#include <QString>

#include <functional>
#include <limits>
#include <map>
#include <string>

namespace samgolden {

inline std::string goldenPath(const std::string &relative)
{
    return std::string(RSREFSEG_TEST_DATA_DIR) + "/golden/" + relative;
}

inline std::map<std::string, torch::Tensor> loadTensors(const std::string &relative)
{
    return rsrefseg::SafetensorsFile::open(goldenPath(relative)).tensors();
}

// A SamModel from a golden HF folder (config.json + model.safetensors), loaded strictly, eval.
inline rsrefseg::SamModel loadModel(const std::string &folder)
{
    rsrefseg::SamModel model(rsrefseg::SamConfig::fromFile(goldenPath(folder + "/config.json")));
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

inline QString errorOf(const std::function<void()> &fn)
{
    try {
        fn();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace samgolden
