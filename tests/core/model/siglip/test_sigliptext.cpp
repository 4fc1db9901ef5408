// Tests SiglipTextTransformer against the golden HF v4.45.2 outputs (siglip_tiny): the single
// sentence with every hidden state, and a padded batch with and without attention mask
// (README §3, §9, §10); plus bfloat16 and input checks.
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
// bfloat16 against the float32 golden. Measured max abs differences (LibTorch 1.13 CPU): single
// last_hidden_state 0.051, pooler 0.046; masked batch 0.053 / 0.040. Bound: about 3x the largest.
constexpr double kBf16Atol = 0.15;

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

class TestSiglipText : public QObject
{
    Q_OBJECT

  private slots:
    void initTestCase()
    {
        torch::set_num_threads(2);
        mModel = loadTinyModel();
        mIo = goldentest::loadTensors("siglip_tiny/io_text.safetensors");
    }

    void singleWithHiddenStates()
    {
        torch::NoGradGuard noGrad;
        const SiglipTextOutput out =
            mModel->textModel->forward(mIo.at("single.input_ids"), mIo.at("single.attention_mask"), true);
        QCOMPARE(static_cast<int>(out.hiddenStates.size()), 3);
        std::vector<std::pair<std::string, torch::Tensor>> checks;
        for (size_t i = 0; i < out.hiddenStates.size(); ++i)
            checks.emplace_back("single.hidden_states." + std::to_string(i), out.hiddenStates[i]);
        checks.emplace_back("single.last_hidden_state", out.lastHiddenState);
        checks.emplace_back("single.pooler_output", out.poolerOutput);
        for (const auto &check : checks) {
            const auto c = compare(check.second, mIo.at(check.first), kAtol, kRtol);
            qInfo().noquote() << "fp32" << c.describe(check.first);
            QVERIFY2(c.close(), qPrintable(c.describe(check.first)));
        }
        // An all-ones mask changes nothing (RSRefSeg's batch-1 case).
        const SiglipTextOutput noMask = mModel->textModel->forward(mIo.at("single.input_ids"));
        const auto c = compare(noMask.poolerOutput, out.poolerOutput, 0.0, 0.0);
        QVERIFY2(c.close(), qPrintable(c.describe("single without mask")));
    }

    void batchMaskedAndUnmasked()
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor ids = mIo.at("batch.input_ids");
        const torch::Tensor mask = mIo.at("batch.attention_mask");
        // The fixture really is padded, so the masked and unmasked cases test different things.
        QVERIFY(mask.eq(0).any().item<bool>());
        const SiglipTextOutput masked = mModel->textModel->forward(ids, mask);
        const SiglipTextOutput unmasked = mModel->textModel->forward(ids);
        const std::vector<std::pair<std::string, torch::Tensor>> checks = {
            {"batch.masked.last_hidden_state", masked.lastHiddenState},
            {"batch.masked.pooler_output", masked.poolerOutput},
            {"batch.nomask.last_hidden_state", unmasked.lastHiddenState},
            {"batch.nomask.pooler_output", unmasked.poolerOutput},
        };
        for (const auto &check : checks) {
            const auto c = compare(check.second, mIo.at(check.first), kAtol, kRtol);
            qInfo().noquote() << "fp32" << c.describe(check.first);
            QVERIFY2(c.close(), qPrintable(c.describe(check.first)));
        }
        QVERIFY(compare(masked.poolerOutput, unmasked.poolerOutput, 0, 0).maxAbs > 1e-3);
    }

    void floatAndBoolMasksAgree()
    {
        torch::NoGradGuard noGrad;
        const torch::Tensor ids = mIo.at("batch.input_ids");
        const torch::Tensor mask = mIo.at("batch.attention_mask");
        const SiglipTextOutput a = mModel->textModel->forward(ids, mask);
        const SiglipTextOutput b = mModel->textModel->forward(ids, mask.to(torch::kFloat32));
        const SiglipTextOutput c = mModel->textModel->forward(ids, mask.to(torch::kBool));
        QVERIFY(torch::equal(a.lastHiddenState, b.lastHiddenState));
        QVERIFY(torch::equal(a.lastHiddenState, c.lastHiddenState));
    }

    void bfloat16AgainstFloat32Golden()
    {
        SiglipModel bf = loadTinyModel();
        bf->to(torch::kBFloat16);
        torch::NoGradGuard noGrad;
        const SiglipTextOutput single =
            bf->textModel->forward(mIo.at("single.input_ids"), mIo.at("single.attention_mask"));
        const SiglipTextOutput masked =
            bf->textModel->forward(mIo.at("batch.input_ids"), mIo.at("batch.attention_mask"));
        QCOMPARE(masked.lastHiddenState.scalar_type(), torch::kBFloat16);
        const std::vector<std::pair<std::string, torch::Tensor>> checks = {
            {"single.last_hidden_state", single.lastHiddenState},
            {"single.pooler_output", single.poolerOutput},
            {"batch.masked.last_hidden_state", masked.lastHiddenState},
            {"batch.masked.pooler_output", masked.poolerOutput},
        };
        for (const auto &check : checks) {
            const auto c = compare(check.second, mIo.at(check.first), kBf16Atol, 0.0);
            qInfo().noquote() << "bf16" << c.describe(check.first);
            QVERIFY2(c.close(), qPrintable(c.describe(check.first)));
        }
    }

    void rejectsBadInput()
    {
        torch::NoGradGuard noGrad;
        auto message = [&](const torch::Tensor &ids, const torch::Tensor &mask) -> QString {
            try {
                mModel->textModel->forward(ids, mask);
            } catch (const Error &e) {
                return QString::fromUtf8(e.what());
            }
            return {};
        };
        const auto ones = [](int64_t n) { return torch::ones({1, n}, torch::kInt64); };
        QVERIFY(message(ones(64), {}).isEmpty()); // exactly max_position_embeddings is fine
        QVERIFY(message(ones(65), {}).contains("64 position embeddings"));
        QVERIFY(message(torch::full({1, 4}, 200, torch::kInt64), {}).contains("200"));
        QVERIFY(message(torch::full({1, 4}, -1, torch::kInt64), {}).contains("-1"));
        QVERIFY(message(ones(4), torch::ones({1, 5}, torch::kInt64)).contains("attention_mask"));
        QVERIFY(message(torch::ones({4}, torch::kInt64), {}).contains("input_ids"));
        QVERIFY(message(torch::ones({1, 4}, torch::kFloat32), {}).contains("integer"));
    }

  private:
    SiglipModel mModel{nullptr};
    std::map<std::string, torch::Tensor> mIo;
};

QTEST_APPLESS_MAIN(TestSiglipText)
#include "test_sigliptext.moc"
