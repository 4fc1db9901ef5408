// Tests SamPositionalEmbedding: the image-wide positional embeddings of sam_tiny for the 8x8
// decoder grid and the 7x7 RSRefSeg prompter grid (golden image_pe_8 / image_pe_7), any grid
// size (64 and 27 as RSRefSeg-b uses) against the formula evaluated in float64, pixel-coordinate
// embedding, and the bf16 path.
#include "../goldentest.h"

#include "common/error.h"
#include "model/sam/sammodel.h"
#include "model/sam/sampositionalembedding.h"

#include <torch/torch.h>

#include <QtTest>

#include <cmath>

using namespace rsrefseg;
using namespace goldentest;

namespace {

// pe[c, i, j] from the formula, in float64: x = (j + 0.5) / n first, y = (i + 0.5) / n.
torch::Tensor referenceGrid(const torch::Tensor &g, int64_t n)
{
    const torch::Tensor gd = g.to(torch::kFloat64);
    const int64_t f = gd.size(1);
    torch::Tensor out = torch::empty({1, 2 * f, n, n}, torch::kFloat64);
    auto acc = out.accessor<double, 4>();
    auto ga = gd.accessor<double, 2>();
    for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < n; ++j) {
            const double x = 2.0 * (j + 0.5) / n - 1.0;
            const double y = 2.0 * (i + 0.5) / n - 1.0;
            for (int64_t c = 0; c < f; ++c) {
                const double arg = 2.0 * M_PI * (x * ga[0][c] + y * ga[1][c]);
                acc[0][c][i][j] = std::sin(arg);
                acc[0][f + c][i][j] = std::cos(arg);
            }
        }
    }
    return out;
}

} // namespace

class TestSamPositionalEmbedding : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void goldenImagePositionalEmbeddings()
    {
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        const auto io = loadTensors("sam_tiny/io.safetensors");
        const torch::Tensor pe8 = model->imageWidePositionalEmbeddings();
        const torch::Tensor pe7 = model->sharedImageEmbedding()->imageWidePositionalEmbeddings(7);
        for (const auto &item : {std::make_pair(std::string("image_pe_8"), pe8), std::make_pair(std::string("image_pe_7"), pe7)}) {
            const Comparison c = compare(item.second, io.at(item.first), 1e-4, 1e-4);
            qInfo().noquote() << c.describe(item.first);
            QVERIFY2(c.close(), qPrintable(c.describe(item.first)));
        }
        QCOMPARE(pe8.scalar_type(), torch::kFloat32);
        QVERIFY(pe8.is_contiguous());
    }

    void anyGridSizeMatchesFormula()
    {
        torch::NoGradGuard noGrad;
        SamPositionalEmbedding pe(128);
        for (int64_t n : {64, 27, 1, 5}) {
            const torch::Tensor got = pe->imageWidePositionalEmbeddings(n);
            QCOMPARE(got.sizes().vec(), std::vector<int64_t>({1, 256, n, n}));
            const Comparison c = compare(got, referenceGrid(pe->positionalEmbedding(), n), 1e-4, 0.0);
            qInfo().noquote() << c.describe("grid " + std::to_string(n) + " vs float64 formula");
            QVERIFY2(c.close(), qPrintable(c.describe("grid")));
        }
        QVERIFY(!errorOf([&] { pe->imageWidePositionalEmbeddings(0); }).isEmpty());
    }

    void pixelCoordinatesAreNormalisedXFirst()
    {
        torch::NoGradGuard noGrad;
        SamPositionalEmbedding pe(8);
        // x is divided by the width, y by the height.
        const torch::Tensor pixels = torch::tensor({30.0f, 10.0f}).view({1, 1, 1, 2});
        const torch::Tensor expected = pe->forward(torch::tensor({30.0f / 120.0f, 10.0f / 40.0f}).view({1, 1, 1, 2}));
        const torch::Tensor got = pe->embedPixels(pixels, /*height*/ 40, /*width*/ 120);
        QCOMPARE(got.sizes().vec(), std::vector<int64_t>({1, 1, 1, 16}));
        QVERIFY(torch::allclose(got, expected, 0.0, 1e-7));
        // sin^2 + cos^2 == 1 for every feature.
        const torch::Tensor s = got.narrow(-1, 0, 8), co = got.narrow(-1, 8, 8);
        QVERIFY(torch::allclose(s * s + co * co, torch::ones_like(s), 1e-5, 1e-6));
        QVERIFY(!errorOf([&] { pe->forward(torch::zeros({3, 3})); }).isEmpty());
    }

    void bfloat16ModuleReturnsBf16()
    {
        torch::NoGradGuard noGrad;
        torch::manual_seed(0); // the random Gaussian matrix: the measurement below is for this seed
        SamPositionalEmbedding pe(16);
        const torch::Tensor ref = pe->imageWidePositionalEmbeddings(8);
        pe->to(torch::kBFloat16);
        const torch::Tensor got = pe->imageWidePositionalEmbeddings(8);
        QCOMPARE(got.scalar_type(), torch::kBFloat16);
        // G itself is rounded to bf16; arguments are then computed in float32; the output is
        // rounded to bf16 (values in [-1, 1]: steps of 2^-8 near 1). Measured on this machine:
        // max abs diff 0.039 (seed 0); bound 0.1 (2.6x).
        const double maxAbs = (got.to(torch::kFloat32) - ref).abs().max().item<double>();
        qInfo() << "bf16 positional embedding vs float32, max abs diff" << maxAbs;
        QVERIFY2(maxAbs < 0.1, qPrintable(QString::number(maxAbs)));
    }
};

QTEST_APPLESS_MAIN(TestSamPositionalEmbedding)
#include "test_sampositionalembedding.moc"
