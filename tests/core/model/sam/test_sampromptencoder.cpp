// Tests SamPromptEncoder: the golden no-prompt and mask-prompt outputs of sam_tiny, and the
// point / box paths (no golden fixture exists for them) against HF's rules written out here:
// +0.5 pixel shift, coordinates / image_size, the padding point (label -1 -> not_a_point_embed)
// appended only without boxes, label -10 -> zero, labels 0/1 -> point_embed.0/1, box corners ->
// point_embed.2/3.
#include "../goldentest.h"

#include "common/error.h"
#include "model/sam/sammodel.h"
#include "model/sam/sampromptencoder.h"

#include <torch/torch.h>

#include <QtTest>

using namespace rsrefseg;
using namespace goldentest;

namespace {

constexpr double kAtol = 1e-4;
constexpr double kRtol = 1e-4;

void expectClose(const torch::Tensor &actual, const torch::Tensor &expected, const std::string &name)
{
    const Comparison c = compare(actual, expected, kAtol, kRtol);
    qInfo().noquote() << c.describe(name);
    QVERIFY2(c.close(), qPrintable(c.describe(name)));
}

torch::Tensor weightOf(SamPromptEncoder &enc, const std::string &name)
{
    return enc->named_parameters()[name];
}

// pe of one pixel coordinate (x, y) of a size x size input, via the module's Fourier matrix.
torch::Tensor pixelPe(SamPromptEncoder &enc, double x, double y, int64_t size)
{
    const torch::Tensor xy = torch::tensor({static_cast<float>((x + 0.5) / size), static_cast<float>((y + 0.5) / size)});
    return enc->sharedEmbedding()->forward(xy); // [C]
}

} // namespace

class TestSamPromptEncoder : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void noPromptsMatchGolden()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamPromptEncoder enc = model->promptEncoder();
        const auto io = loadTensors("sam_tiny/io.safetensors");
        const SamPromptEmbeddings e = enc->forward(SamPrompts());
        expectClose(e.sparse, io.at("prompt.none.sparse"), "prompt.none.sparse");
        expectClose(e.dense, io.at("prompt.none.dense"), "prompt.none.dense");
        QVERIFY(torch::equal(e.sparse, torch::zeros({1, 1, 1, 32})));
    }

    void maskPromptMatchesGolden()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamPromptEncoder enc = model->promptEncoder();
        const auto io = loadTensors("sam_tiny/io.safetensors");
        SamPrompts prompts;
        prompts.masks = io.at("prompt.mask.input_masks");
        const SamPromptEmbeddings e = enc->forward(prompts);
        expectClose(e.sparse, io.at("prompt.mask.sparse"), "prompt.mask.sparse");
        expectClose(e.dense, io.at("prompt.mask.dense"), "prompt.mask.dense");
        // The dense embedding depends on the mask (mask_input_channels 16, README §4).
        QVERIFY((e.dense - io.at("prompt.none.dense")).abs().max().item<double>() > 0.1);
        // A mask of the wrong size is refused (it must be 4x the 8x8 embedding grid).
        const QString err = errorOf([&] {
            SamPrompts bad;
            bad.masks = torch::zeros({1, 1, 16, 16});
            enc->forward(bad);
        });
        QVERIFY2(err.contains("32"), qPrintable(err));
    }

    void pointsFollowHfRules()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamPromptEncoder enc = model->promptEncoder();
        const int64_t size = 128;
        SamPrompts prompts;
        // One image, one point set: a positive, a negative, an explicit "not a point", an ignored.
        prompts.points = torch::tensor({10.0f, 20.0f, 100.0f, 5.0f, 64.0f, 64.0f, 3.0f, 3.0f}).view({1, 1, 4, 2});
        prompts.labels = torch::tensor({1, 0, -1, -10}, torch::kLong).view({1, 1, 4});
        const SamPromptEmbeddings e = enc->forward(prompts);
        QCOMPARE(e.sparse.sizes().vec(), std::vector<int64_t>({1, 1, 5, 32})); // + padding point
        const torch::Tensor s = e.sparse[0][0];
        expectClose(s[0], pixelPe(enc, 10, 20, size) + weightOf(enc, "point_embed.1.weight")[0], "positive point");
        expectClose(s[1], pixelPe(enc, 100, 5, size) + weightOf(enc, "point_embed.0.weight")[0], "negative point");
        expectClose(s[2], weightOf(enc, "not_a_point_embed.weight")[0], "label -1");
        expectClose(s[3], torch::zeros({32}), "label -10");
        expectClose(s[4], weightOf(enc, "not_a_point_embed.weight")[0], "padding point");
        // No mask: dense is no_mask_embed everywhere.
        expectClose(e.dense, weightOf(enc, "no_mask_embed.weight").view({1, 32, 1, 1}).expand({1, 32, 8, 8}), "dense");
        // Float labels (HF concatenates a float padding label) behave the same.
        prompts.labels = prompts.labels.to(torch::kFloat32);
        QVERIFY(torch::equal(enc->forward(prompts).sparse, e.sparse));
    }

    void boxesAndPointsWithBoxes()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamPromptEncoder enc = model->promptEncoder();
        const int64_t size = 128;
        SamPrompts boxesOnly;
        boxesOnly.boxes = torch::tensor({8.0f, 16.0f, 90.0f, 120.0f}).view({1, 1, 4});
        const SamPromptEmbeddings b = enc->forward(boxesOnly);
        QCOMPARE(b.sparse.sizes().vec(), std::vector<int64_t>({1, 1, 2, 32}));
        expectClose(b.sparse[0][0][0], pixelPe(enc, 8, 16, size) + weightOf(enc, "point_embed.2.weight")[0], "box corner 0");
        expectClose(b.sparse[0][0][1], pixelPe(enc, 90, 120, size) + weightOf(enc, "point_embed.3.weight")[0], "box corner 1");

        // Points with a box: no padding point; the box corners follow the points.
        SamPrompts both = boxesOnly;
        both.points = torch::tensor({40.0f, 50.0f}).view({1, 1, 1, 2});
        both.labels = torch::tensor({1}, torch::kLong).view({1, 1, 1});
        const SamPromptEmbeddings pb = enc->forward(both);
        QCOMPARE(pb.sparse.sizes().vec(), std::vector<int64_t>({1, 1, 3, 32}));
        expectClose(pb.sparse[0][0][0], pixelPe(enc, 40, 50, size) + weightOf(enc, "point_embed.1.weight")[0], "point with box");
        QVERIFY(torch::equal(pb.sparse.narrow(2, 1, 2), b.sparse));
    }

    void batchAndErrors()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamPromptEncoder enc = model->promptEncoder();
        // Batch of two mask prompts: every row is its own single-image result.
        const torch::Tensor masks = torch::randn({2, 1, 32, 32});
        SamPrompts two;
        two.masks = masks;
        const SamPromptEmbeddings e = enc->forward(two);
        QCOMPARE(e.dense.sizes().vec(), std::vector<int64_t>({2, 32, 8, 8}));
        QCOMPARE(e.sparse.sizes().vec(), std::vector<int64_t>({2, 1, 1, 32}));
        SamPrompts one;
        one.masks = masks.narrow(0, 1, 1);
        QVERIFY(torch::allclose(enc->forward(one).dense[0], e.dense[1], 1e-6, 1e-6));

        SamPrompts noLabels;
        noLabels.points = torch::zeros({1, 1, 1, 2});
        QVERIFY(errorOf([&] { enc->forward(noLabels); }).contains("labels"));
        SamPrompts badBoxes;
        badBoxes.boxes = torch::zeros({1, 4});
        QVERIFY(errorOf([&] { enc->forward(badBoxes); }).contains("boxes"));
    }

    void bfloat16Runs()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        SamPromptEncoder enc = model->promptEncoder();
        enc->to(torch::kBFloat16);
        const auto io = loadTensors("sam_tiny/io.safetensors");
        SamPrompts prompts;
        prompts.masks = io.at("prompt.mask.input_masks");
        const SamPromptEmbeddings e = enc->forward(prompts);
        QCOMPARE(e.dense.scalar_type(), torch::kBFloat16);
        const double diff = (e.dense.to(torch::kFloat32) - io.at("prompt.mask.dense")).abs().max().item<double>();
        qInfo() << "bf16 prompt.mask.dense vs float32 golden, max abs diff" << diff << "max |golden|"
                << io.at("prompt.mask.dense").abs().max().item<double>();
        QVERIFY(diff < 0.1);
    }
};

QTEST_APPLESS_MAIN(TestSamPromptEncoder)
#include "test_sampromptencoder.moc"
