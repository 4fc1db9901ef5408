// Tests SamMaskDecoder against every golden decoder case of sam_tiny: zero sparse prompts (NOT
// appended as tokens) with the no-mask dense embedding, and random sparse prompts with the mask
// dense embedding, each single-mask (mask 0) and multimask (masks 1..3); logits within atol 1e-5.
// Also: point batches (pb = 2) equal the separate runs, the bf16 path (upscaler in float32,
// ARCHITECTURE.md, Platform facts: BLAS; tolerance measured and stated below), and input checks.
#include "../goldentest.h"

#include "common/error.h"
#include "model/sam/sammaskdecoder.h"
#include "model/sam/sammodel.h"

#include <torch/torch.h>

#include <QtTest>

using namespace rsrefseg;
using namespace goldentest;

namespace {

constexpr double kLogitAtol = 1e-5;
constexpr double kRtol = 1e-4;
// bf16 decoder (weights and inputs rounded to bf16; upscaler in float32) vs the float32 golden.
// Measured on this machine (torch CPU): max abs diff 0.027 / 0.030 / 0.023 / 0.039 on the four
// low_res_masks cases (|golden| up to 1.5) and 0.0044 / 0.010 / 0.0019 / 0.0026 on
// iou_predictions. Bounds 0.1 (2.5x) and 0.03 (2.9x); the bf16 mask (logit > 0) must equal the golden one wherever |golden| exceeds
// the mask bound.
constexpr double kBf16MaskMaxAbs = 0.1;
constexpr double kBf16IouMaxAbs = 0.03;

struct Case
{
    std::string name;   // golden prefix
    std::string sparse; // golden sparse input
    std::string dense;  // golden dense input
};

const std::vector<Case> &cases()
{
    static const std::vector<Case> all = {
        {"decoder.zero_sparse.nomask_dense", "prompt.none.sparse", "prompt.none.dense"},
        {"decoder.rand_sparse.mask_dense", "decoder.sparse_random", "prompt.mask.dense"},
    };
    return all;
}

} // namespace

class TestSamMaskDecoder : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void goldenCases()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamMaskDecoder decoder = model->maskDecoder();
        const auto io = loadTensors("sam_tiny/io.safetensors");
        int checked = 0;
        for (const Case &c : cases()) {
            for (const bool multi : {false, true}) {
                const std::string prefix = c.name + (multi ? ".multi." : ".single.");
                const SamMaskDecoderOutput out = decoder->forward(io.at("image_embeddings"), io.at("image_pe_8"),
                                                                  io.at(c.sparse), io.at(c.dense), multi);
                for (const auto &item : {std::make_pair(prefix + "low_res_masks", out.masks),
                                         std::make_pair(prefix + "iou_predictions", out.iouPredictions)}) {
                    const Comparison cmp = compare(item.second, io.at(item.first), kLogitAtol, kRtol);
                    qInfo().noquote() << cmp.describe(item.first);
                    QVERIFY2(cmp.close(), qPrintable(cmp.describe(item.first)));
                    ++checked;
                }
            }
        }
        QCOMPARE(checked, 8);
    }

    void zeroSparseIsNotAppended()
    {
        // A zero sparse input of any length gives the same result as none at all, and a
        // non-zero one changes the result (it is appended).
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamMaskDecoder decoder = model->maskDecoder();
        const auto io = loadTensors("sam_tiny/io.safetensors");
        const auto run = [&](const torch::Tensor &sparse) {
            return decoder->forward(io.at("image_embeddings"), io.at("image_pe_8"), sparse, io.at("prompt.none.dense"), false).masks;
        };
        const torch::Tensor none = run(torch::zeros({1, 1, 0, 32}));
        QVERIFY(torch::equal(run(torch::zeros({1, 1, 7, 32})), none));
        QVERIFY((run(torch::full({1, 1, 1, 32}, 0.1)) - none).abs().max().item<double>() > 1e-3);
    }

    void pointBatchEqualsSeparateRuns()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamMaskDecoder decoder = model->maskDecoder();
        const auto io = loadTensors("sam_tiny/io.safetensors");
        const torch::Tensor sparseA = io.at("decoder.sparse_random");
        const torch::Tensor sparseB = torch::randn({1, 1, 5, 32});
        const torch::Tensor both = torch::cat({sparseA, sparseB}, 1); // [1, 2, 5, 32]
        const SamMaskDecoderOutput joint = decoder->forward(io.at("image_embeddings"), io.at("image_pe_8"), both,
                                                            io.at("prompt.mask.dense"), true);
        QCOMPARE(joint.masks.sizes().vec(), std::vector<int64_t>({1, 2, 3, 32, 32}));
        QCOMPARE(joint.iouPredictions.sizes().vec(), std::vector<int64_t>({1, 2, 3}));
        const SamMaskDecoderOutput a = decoder->forward(io.at("image_embeddings"), io.at("image_pe_8"), sparseA,
                                                        io.at("prompt.mask.dense"), true);
        const SamMaskDecoderOutput b = decoder->forward(io.at("image_embeddings"), io.at("image_pe_8"), sparseB,
                                                        io.at("prompt.mask.dense"), true);
        QVERIFY(torch::allclose(joint.masks.narrow(1, 0, 1), a.masks, 1e-5, 1e-5));
        QVERIFY(torch::allclose(joint.masks.narrow(1, 1, 1), b.masks, 1e-5, 1e-5));
        QVERIFY(torch::allclose(joint.iouPredictions.narrow(1, 1, 1), b.iouPredictions, 1e-5, 1e-5));

        // Image batch of two (same image twice, PE given once): both rows equal the single run.
        const torch::Tensor images = io.at("image_embeddings").repeat({2, 1, 1, 1});
        const SamMaskDecoderOutput batch = decoder->forward(images, io.at("image_pe_8"), sparseA.repeat({2, 1, 1, 1}),
                                                            io.at("prompt.mask.dense").repeat({2, 1, 1, 1}), true);
        QVERIFY(torch::allclose(batch.masks.narrow(0, 1, 1), a.masks, 1e-5, 1e-5));
    }

    void bfloat16AgainstFloat32Golden()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamMaskDecoder decoder = model->maskDecoder();
        decoder->to(torch::kBFloat16);
        const auto io = loadTensors("sam_tiny/io.safetensors");
        for (const Case &c : cases()) {
            for (const bool multi : {false, true}) {
                const std::string prefix = c.name + (multi ? ".multi." : ".single.");
                const SamMaskDecoderOutput out =
                    decoder->forward(io.at("image_embeddings").to(torch::kBFloat16), io.at("image_pe_8").to(torch::kBFloat16),
                                     io.at(c.sparse).to(torch::kBFloat16), io.at(c.dense).to(torch::kBFloat16), multi);
                QCOMPARE(out.masks.scalar_type(), torch::kBFloat16);
                for (const auto &item : {std::make_pair(prefix + "low_res_masks", out.masks),
                                         std::make_pair(prefix + "iou_predictions", out.iouPredictions)}) {
                    const bool isMask = item.second.is_same(out.masks);
                    const Comparison cmp =
                        compare(item.second, io.at(item.first), isMask ? kBf16MaskMaxAbs : kBf16IouMaxAbs, 0.0);
                    qInfo().noquote() << "bf16" << cmp.describe(item.first) << "max |golden|"
                                      << io.at(item.first).abs().max().item<double>();
                    QVERIFY2(cmp.close(), qPrintable(cmp.describe("bf16 " + item.first)));
                }
                const torch::Tensor golden = io.at(prefix + "low_res_masks");
                const torch::Tensor clear = golden.abs().gt(kBf16MaskMaxAbs);
                QVERIFY(clear.sum().item<int64_t>() > 0);
                QVERIFY2(torch::equal(out.masks.to(torch::kFloat32).gt(0).masked_select(clear), golden.gt(0).masked_select(clear)),
                         (prefix + "low_res_masks: the bf16 mask differs where |golden| > bound").c_str());
            }
        }
    }

    void rejectsBadShapes()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamMaskDecoder decoder = model->maskDecoder();
        const auto io = loadTensors("sam_tiny/io.safetensors");
        QString e = errorOf([&] {
            decoder->forward(io.at("image_embeddings"), io.at("image_pe_8"), torch::zeros({1, 5, 32}), io.at("prompt.none.dense"), false);
        });
        QVERIFY2(e.contains("sparse"), qPrintable(e));
        e = errorOf([&] {
            decoder->forward(io.at("image_embeddings"), io.at("image_pe_7"), io.at("prompt.none.sparse"), io.at("prompt.none.dense"), false);
        });
        QVERIFY2(e.contains("positional"), qPrintable(e));
    }
};

QTEST_APPLESS_MAIN(TestSamMaskDecoder)
#include "test_sammaskdecoder.moc"
