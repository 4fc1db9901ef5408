// fewRowsLinear (model/common/fewrowslinear.h): a few bf16 rows on the CPU are computed as
// weight @ x^T and give torch::linear's result (same shape, contiguous, within bf16 rounding,
// with and without bias, 2-D and 3-D input); everything else, training included, is
// torch::linear itself.
// Torch headers before Qt's (Qt's `slots` macro breaks them).
#include "model/common/fewrowslinear.h"

#include <torch/torch.h>

#include <QtTest>

using namespace rsrefseg;

namespace {

// Largest difference between two results, in units of the reference's largest magnitude.
double relativeDifference(const torch::Tensor &a, const torch::Tensor &reference)
{
    const torch::Tensor r = reference.to(torch::kFloat32);
    return (a.to(torch::kFloat32) - r).abs().max().item<double>() / r.abs().max().item<double>();
}

} // namespace

class TestFewRowsLinear : public QObject
{
    Q_OBJECT

  private slots:
    void initTestCase()
    {
        torch::manual_seed(11);
        torch::set_num_threads(2);
    }

    void matchesLinear_data()
    {
        QTest::addColumn<int>("rows");
        QTest::addColumn<bool>("withBias");
        QTest::addColumn<bool>("batched");
        QTest::newRow("16 tokens, bias, [1,16,K]") << 16 << true << true;
        QTest::newRow("16 tokens, no bias") << 16 << false << true;
        QTest::newRow("one row, 2-D") << 1 << true << false;
        QTest::newRow("64 rows, 2-D") << 64 << true << false;
    }

    void matchesLinear()
    {
        QFETCH(int, rows);
        QFETCH(bool, withBias);
        QFETCH(bool, batched);
        c10::InferenceMode guard;
        const int64_t in = 96, out = 200;
        const torch::Tensor w32 = torch::randn({out, in});
        const torch::Tensor b32 = withBias ? torch::randn({out}) : torch::Tensor();
        const torch::Tensor x32 = batched ? torch::randn({1, rows, in}) : torch::randn({rows, in});
        const torch::Tensor w = w32.to(torch::kBFloat16);
        const torch::Tensor b = withBias ? b32.to(torch::kBFloat16) : torch::Tensor();
        const torch::Tensor x = x32.to(torch::kBFloat16);

        const torch::Tensor y = fewRowsLinear(x, w, b);
        const torch::Tensor expected = torch::linear(x, w, b);
        QCOMPARE(y.sizes().vec(), expected.sizes().vec());
        QCOMPARE(y.scalar_type(), torch::kBFloat16);
        QVERIFY(y.is_contiguous());
        // Both accumulate in float32 and round once: they agree to bf16's rounding (2^-8), and
        // are as close to the float32 product of the same bf16 inputs as torch::linear is.
        QVERIFY2(relativeDifference(y, expected) <= 1.0 / 128, qPrintable(QString::number(relativeDifference(y, expected))));
        const torch::Tensor exact = torch::linear(x.to(torch::kFloat32), w.to(torch::kFloat32),
                                                  withBias ? b.to(torch::kFloat32) : torch::Tensor());
        QVERIFY(relativeDifference(y, exact) <= 1.0 / 128);
        // A wrong operand order or a missing bias would be far off.
        QVERIFY(relativeDifference(y, exact) < 0.5 * relativeDifference(torch::zeros_like(exact), exact));
    }

    void otherInputsAreTorchLinear()
    {
        c10::InferenceMode guard;
        const torch::Tensor w = torch::randn({40, 24});
        const torch::Tensor b = torch::randn({40});
        // float32 (OpenBLAS is slower the other way round): torch::linear's exact bits.
        const torch::Tensor x = torch::randn({1, 16, 24});
        QVERIFY(torch::equal(fewRowsLinear(x, w, b), torch::linear(x, w, b)));
        // Many bf16 rows (image tokens): torch::linear's exact bits.
        const torch::Tensor many = torch::randn({1, kFewRowsLinearMaxRows + 1, 24}).to(torch::kBFloat16);
        const torch::Tensor wb = w.to(torch::kBFloat16), bb = b.to(torch::kBFloat16);
        QVERIFY(torch::equal(fewRowsLinear(many, wb, bb), torch::linear(many, wb, bb)));
        // A float32 bias with bf16 input and weight: torch::linear's own error.
        const torch::Tensor few = many.narrow(1, 0, 4);
        QVERIFY_THROWS_EXCEPTION(c10::Error, torch::linear(few, wb, b));
        QVERIFY_THROWS_EXCEPTION(c10::Error, fewRowsLinear(few, wb, b));
    }

    void gradientsFlow()
    {
        // Autograd records: torch::linear, so training gets its gradients.
        const torch::Tensor w = torch::randn({30, 12}).to(torch::kBFloat16).requires_grad_();
        const torch::Tensor x = torch::randn({5, 12}).to(torch::kBFloat16).requires_grad_();
        const torch::Tensor b = torch::randn({30}).to(torch::kBFloat16).requires_grad_();
        fewRowsLinear(x, w, b).to(torch::kFloat32).sum().backward();
        QVERIFY(w.grad().defined() && x.grad().defined() && b.grad().defined());
        // d(sum)/db = number of rows; d(sum)/dx = column sums of w.
        QVERIFY(torch::allclose(b.grad().to(torch::kFloat32), torch::full({30}, 5.0)));
        const torch::Tensor expectedDx = w.detach().to(torch::kFloat32).sum(0).expand({5, 12});
        QVERIFY2(relativeDifference(x.grad(), expectedDx) <= 1.0 / 32, qPrintable(QString::number(relativeDifference(x.grad(), expectedDx))));
    }
};

QTEST_GUILESS_MAIN(TestFewRowsLinear)
#include "test_fewrowslinear.moc"
