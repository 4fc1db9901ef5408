// batchedMatmul (model/common/batchedmatmul.h): the attention products with the batch split
// across threads give exactly torch::matmul's result for the layouts the encoders use
// (transposed and permuted views, 3-D and 4-D, fp32 and bf16), tiny bf16 products are the
// float32 product rounded once, and they fall back to torch::matmul where they must (autograd,
// one thread, mismatched batches).
// Torch headers before Qt's (Qt's `slots` macro breaks them).
#include "model/common/batchedmatmul.h"

#include <torch/torch.h>

#include <QtTest>

using namespace rsrefseg;

class TestBatchedMatmul : public QObject
{
    Q_OBJECT

  private slots:
    void initTestCase()
    {
        torch::manual_seed(7);
        torch::set_num_threads(2);
    }

    void matchesMatmul_data()
    {
        QTest::addColumn<bool>("bf16");
        QTest::newRow("f32") << false;
        QTest::newRow("bf16") << true;
    }

    void matchesMatmul()
    {
        QFETCH(bool, bf16);
        const auto dtype = bf16 ? torch::kBFloat16 : torch::kFloat32;
        c10::InferenceMode guard;
        // SigLIP layout: [B, N, H, d] viewed as [B, H, N, d]; scores = q k^T, context = p v.
        const torch::Tensor x = torch::randn({2, 64, 8, 40}).to(dtype);
        const torch::Tensor q = x.transpose(1, 2);
        const torch::Tensor k = (x * 0.5).transpose(1, 2);
        const torch::Tensor scores = batchedMatmul(q, k.transpose(-2, -1));
        QCOMPARE(scores.sizes().vec(), (std::vector<int64_t>{2, 8, 64, 64}));
        QVERIFY(torch::equal(scores, torch::matmul(q, k.transpose(-2, -1))));
        const torch::Tensor probs = torch::softmax(scores, -1);
        QVERIFY(torch::equal(batchedMatmul(probs, q), torch::matmul(probs, q)));
        // SAM layout: [B*heads, n, hd] with a transposed key, and a narrowed query chunk.
        const torch::Tensor qs = torch::randn({48, 96, 32}).to(dtype);
        const torch::Tensor kt = torch::randn({48, 96, 32}).to(dtype).transpose(-2, -1);
        QVERIFY(torch::equal(batchedMatmul(qs.narrow(1, 7, 21), kt), torch::matmul(qs.narrow(1, 7, 21), kt)));
        // An odd batch (the threads get unequal shares).
        const torch::Tensor a = torch::randn({7, 64, 48}).to(dtype);
        const torch::Tensor b = torch::randn({7, 48, 64}).to(dtype);
        QVERIFY(torch::equal(batchedMatmul(a, b), torch::matmul(a, b)));
    }

    void tinyBf16ProductsInFloat32()
    {
        c10::InferenceMode guard;
        // SigLIP text's attention: 16 heads of [16 x 72] @ [72 x 16] (0.3 M multiply-adds).
        const torch::Tensor x = torch::randn({1, 16, 16, 72}).to(torch::kBFloat16);
        const torch::Tensor q = x.transpose(1, 2);
        const torch::Tensor kt = (x * 0.5).transpose(1, 2).transpose(-2, -1);
        const torch::Tensor y = batchedMatmul(q, kt);
        QCOMPARE(y.scalar_type(), torch::kBFloat16);
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{1, 16, 16, 16}));
        QVERIFY(torch::equal(y, torch::matmul(q.to(torch::kFloat32), kt.to(torch::kFloat32)).to(torch::kBFloat16)));
        // The bf16 kernel also accumulates in float32: the two agree to bf16's rounding.
        const torch::Tensor reference = torch::matmul(q, kt).to(torch::kFloat32);
        const double difference = (y.to(torch::kFloat32) - reference).abs().max().item<double>();
        QVERIFY(difference <= reference.abs().max().item<double>() / 128);
        // Empty products (no tokens) are fine too.
        const torch::Tensor none = torch::zeros({1, 16, 0, 72}, torch::kBFloat16);
        QCOMPARE(batchedMatmul(none, none.transpose(-2, -1)).sizes().vec(), (std::vector<int64_t>{1, 16, 0, 0}));
        // Also with one thread (the split needs two; this path does not).
        torch::set_num_threads(1);
        QVERIFY(torch::equal(batchedMatmul(q, kt), y));
        torch::set_num_threads(2);
    }

    void fallsBackWhereItMust()
    {
        // Autograd records through the fallback, so gradients flow.
        const torch::Tensor a = torch::randn({4, 3, 5}, torch::requires_grad());
        const torch::Tensor b = torch::randn({4, 5, 2});
        const torch::Tensor y = batchedMatmul(a, b);
        QVERIFY(y.requires_grad());
        y.sum().backward();
        QVERIFY(a.grad().defined());
        QVERIFY(torch::allclose(a.grad(), torch::ones({4, 3, 2}).matmul(b.transpose(-2, -1))));
        // Broadcasting batches (not the attention case) still work, through torch::matmul.
        c10::InferenceMode guard;
        const torch::Tensor c = torch::randn({1, 3, 5});
        QVERIFY(torch::equal(batchedMatmul(c, b), torch::matmul(c, b)));
        // One thread: plain torch::matmul.
        torch::set_num_threads(1);
        const torch::Tensor at = a.detach().transpose(-2, -1);
        QVERIFY(torch::equal(batchedMatmul(b.transpose(-2, -1), at), torch::matmul(b.transpose(-2, -1), at)));
        torch::set_num_threads(2);
    }
};

QTEST_GUILESS_MAIN(TestBatchedMatmul)
#include "test_batchedmatmul.moc"
