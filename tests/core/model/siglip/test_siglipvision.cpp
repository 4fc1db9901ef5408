// Tests SiglipVisionTransformer against the golden HF v4.45.2 outputs (siglip_tiny): every
// hidden state, last_hidden_state and the pooling head, in float32 (README §10 tolerance) and in
// bfloat16 (looser, measured tolerance); plus input checks and the head-less variant.
#include "common/error.h"
#include "model/siglip/siglipmodel.h"
#include "model/weights/statedictloader.h"
#include "../goldentest.h"

#include <torch/torch.h>

#include <QtTest>

using namespace rsrefseg;
using goldentest::compare;

namespace {

constexpr double kAtol = 1e-4;
constexpr double kRtol = 1e-4;
// bfloat16 (8-bit mantissa) against the float32 golden. Measured max abs differences (LibTorch
// 1.13 CPU): hidden_states.0 0.014, .1 0.054, .2 0.071, last_hidden_state 0.045, pooler 0.042
// (values up to ~3.7, so ~2 % of range); the bound is about 2x the largest.
constexpr double kBf16Atol = 0.15;
constexpr double kBf16Rtol = 0.0;

SiglipModel loadTinyModel()
{
    const SiglipConfig cfg = SiglipConfig::fromFile(goldentest::goldenPath("siglip_tiny/config.json"));
    SiglipModel model(cfg);
    StateDictLoader::load(*model, goldentest::loadTensors("siglip_tiny/model.safetensors"),
                          "siglip_tiny/model.safetensors");
    model->eval();
    return model;
}

} // namespace

class TestSiglipVision : public QObject
{
    Q_OBJECT

  private slots:
    void initTestCase()
    {
        torch::set_num_threads(2);
        mModel = loadTinyModel();
        mIo = goldentest::loadTensors("siglip_tiny/io_vision.safetensors");
    }

    void goldenFloat32()
    {
        torch::NoGradGuard noGrad;
        const SiglipVisionOutput out = mModel->visionModel->forward(mIo.at("pixel_values"), true);
        QCOMPARE(static_cast<int>(out.hiddenStates.size()), 3);
        std::vector<std::pair<std::string, torch::Tensor>> checks;
        for (size_t i = 0; i < out.hiddenStates.size(); ++i)
            checks.emplace_back("hidden_states." + std::to_string(i), out.hiddenStates[i]);
        checks.emplace_back("last_hidden_state", out.lastHiddenState);
        checks.emplace_back("pooler_output", out.poolerOutput);
        for (const auto &check : checks) {
            const auto c = compare(check.second, mIo.at(check.first), kAtol, kRtol);
            qInfo().noquote() << "fp32" << c.describe(check.first);
            QVERIFY2(c.close(), qPrintable(c.describe(check.first)));
        }
        // Without hidden states the same results come back and nothing else.
        const SiglipVisionOutput lean = mModel->visionModel->forward(mIo.at("pixel_values"));
        QVERIFY(lean.hiddenStates.empty());
        QVERIFY(torch::equal(lean.lastHiddenState, out.lastHiddenState));
        QVERIFY(torch::equal(lean.poolerOutput, out.poolerOutput));
    }

    void batchEqualsSingles()
    {
        // Batch of the golden image and a flipped copy: row 0 must equal the single-image run.
        torch::NoGradGuard noGrad;
        const torch::Tensor px = mIo.at("pixel_values");
        const torch::Tensor batch = torch::cat({px, px.flip({3})}, 0);
        const SiglipVisionOutput out = mModel->visionModel->forward(batch);
        QCOMPARE(out.lastHiddenState.size(0), int64_t(2));
        const auto c = compare(out.lastHiddenState.narrow(0, 0, 1), mIo.at("last_hidden_state"), kAtol, kRtol);
        QVERIFY2(c.close(), qPrintable(c.describe("batch row 0 last_hidden_state")));
        const auto p = compare(out.poolerOutput.narrow(0, 0, 1), mIo.at("pooler_output"), kAtol, kRtol);
        QVERIFY2(p.close(), qPrintable(p.describe("batch row 0 pooler_output")));
        // The flipped image really is different (guards against a broadcast bug).
        QVERIFY(compare(out.poolerOutput[1], out.poolerOutput[0], 1e-3, 0).maxAbs > 1e-2);
    }

    void bfloat16AgainstFloat32Golden()
    {
        SiglipModel bf = loadTinyModel();
        bf->to(torch::kBFloat16);
        torch::NoGradGuard noGrad;
        const SiglipVisionOutput out = bf->visionModel->forward(mIo.at("pixel_values").to(torch::kBFloat16), true);
        QCOMPARE(out.lastHiddenState.scalar_type(), torch::kBFloat16);
        QCOMPARE(out.poolerOutput.scalar_type(), torch::kBFloat16);
        std::vector<std::pair<std::string, torch::Tensor>> checks;
        for (size_t i = 0; i < out.hiddenStates.size(); ++i)
            checks.emplace_back("hidden_states." + std::to_string(i), out.hiddenStates[i]);
        checks.emplace_back("last_hidden_state", out.lastHiddenState);
        checks.emplace_back("pooler_output", out.poolerOutput);
        for (const auto &check : checks) {
            const auto c = compare(check.second, mIo.at(check.first), kBf16Atol, kBf16Rtol);
            qInfo().noquote() << "bf16" << c.describe(check.first);
            QVERIFY2(c.close(), qPrintable(c.describe(check.first)));
        }
    }

    void rejectsWrongInput()
    {
        torch::NoGradGuard noGrad;
        auto message = [&](const torch::Tensor &px) -> QString {
            try {
                mModel->visionModel->forward(px);
            } catch (const Error &e) {
                return QString::fromUtf8(e.what());
            }
            return {};
        };
        QVERIFY(message(torch::zeros({1, 3, 128, 128})).contains("112x112"));
        QVERIFY(message(torch::zeros({1, 1, 112, 112})).contains("pixel_values"));
        QVERIFY(message(torch::zeros({3, 112, 112})).contains("pixel_values"));
    }

    void headlessConfig()
    {
        SiglipVisionConfig cfg = mModel->config().vision;
        cfg.useHead = false;
        SiglipVisionTransformer vision(cfg);
        for (const auto &p : vision->named_parameters())
            QVERIFY2(p.key().rfind("head.", 0) != 0, p.key().c_str());
        vision->eval();
        torch::NoGradGuard noGrad;
        const SiglipVisionOutput out = vision->forward(torch::zeros({1, 3, 112, 112}));
        QVERIFY(out.lastHiddenState.defined());
        QVERIFY(!out.poolerOutput.defined());
    }

  private:
    SiglipModel mModel{nullptr};
    std::map<std::string, torch::Tensor> mIo;
};

QTEST_APPLESS_MAIN(TestSiglipVision)
#include "test_siglipvision.moc"
