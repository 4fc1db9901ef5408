// LoraAdapter through the two layers that use it (LoraLinear, LoraConv2d): PEFT's
// initialisation (B zero, so an enabled adapter changes nothing until trained), the scale
// alpha / r and setLoraAlpha, the training-mode dropout, merging (W += s * B @ A) giving the
// unmerged output and removing lora_A / lora_B, and the errors for a bad rank, a second
// enable and setLoraAlpha without an adapter.
// Torch headers before Qt's (Qt's `slots` macro breaks them).
#include "model/lora/loraconv2d.h"
#include "model/lora/loralinear.h"

#include <torch/torch.h>

#include <QtTest>

#include <functional>
#include <set>
#include <string>

using namespace rsrefseg;

namespace {

QString errorOf(const std::function<void()> &fn)
{
    try {
        fn();
    } catch (const std::exception &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

std::set<std::string> parameterNames(torch::nn::Module &m)
{
    std::set<std::string> names;
    for (const auto &p : m.named_parameters(true))
        names.insert(p.key());
    return names;
}

// Gives B random values (PEFT starts it at zero) so that the adapter has an effect.
void randomiseB(torch::nn::Module &m)
{
    torch::NoGradGuard noGrad;
    for (auto &p : m.named_parameters(true))
        if (p.key() == "lora_B.weight")
            p.value().normal_(0.0, 0.5);
}

double maxDifference(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

class TestLoraAdapter : public QObject
{
    Q_OBJECT

  private slots:
    void initTestCase() { torch::manual_seed(5); }

    void linearEnableKeepsOutputUntilTrained()
    {
        LoraLinear layer(LoraLinearOptions(12, 8));
        layer->eval();
        const torch::Tensor x = torch::randn({3, 12});
        const torch::Tensor before = layer->forward(x);
        QVERIFY(!layer->hasLora());
        layer->enableLora(4, 8.0, 0.0);
        QVERIFY(layer->hasLora());
        QCOMPARE(layer->loraScale(), 2.0);
        QCOMPARE(parameterNames(*layer), (std::set<std::string>{"weight", "bias", "lora_A.weight", "lora_B.weight"}));
        for (const auto &p : layer->named_parameters(true)) {
            if (p.key() == "lora_A.weight") {
                QCOMPARE(p.value().sizes(), (torch::IntArrayRef{4, 12}));
                QVERIFY(p.value().abs().sum().item<double>() > 0.0);
            }
            if (p.key() == "lora_B.weight") {
                QCOMPARE(p.value().sizes(), (torch::IntArrayRef{8, 4}));
                QCOMPARE(p.value().abs().sum().item<double>(), 0.0);
            }
        }
        QVERIFY(torch::equal(layer->forward(x), before));
    }

    void linearMergeEqualsUnmerged()
    {
        LoraLinear layer(LoraLinearOptions(16, 6));
        layer->enableLora(2, 3.0, 0.0);
        randomiseB(*layer);
        layer->eval();
        const torch::Tensor x = torch::randn({5, 16});
        const torch::Tensor base = torch::linear(x, layer->weight, layer->bias);
        const torch::Tensor unmerged = layer->forward(x);
        QVERIFY(maxDifference(unmerged, base) > 1e-3); // the adapter has an effect
        layer->mergeLora();
        QVERIFY(!layer->hasLora());
        QCOMPARE(layer->loraScale(), 0.0);
        QCOMPARE(parameterNames(*layer), (std::set<std::string>{"weight", "bias"}));
        QVERIFY2(maxDifference(layer->forward(x), unmerged) < 1e-5, "merged output differs");
        layer->mergeLora(); // no adapter: nothing happens
        QCOMPARE(parameterNames(*layer), (std::set<std::string>{"weight", "bias"}));
    }

    void conv2dMergeEqualsUnmerged()
    {
        LoraConv2d layer(LoraConv2dOptions(3, 5, 3).stride(2).padding(1));
        layer->enableLora(4, 16.0, 0.0);
        QCOMPARE(layer->loraScale(), 4.0);
        layer->eval();
        const torch::Tensor x = torch::randn({2, 3, 9, 9});
        QVERIFY(torch::equal(layer->forward(x), torch::conv2d(x, layer->weight, layer->bias, 2, 1)));
        randomiseB(*layer);
        const torch::Tensor unmerged = layer->forward(x);
        QCOMPARE(unmerged.sizes(), (torch::IntArrayRef{2, 5, 5, 5}));
        layer->mergeLora();
        QVERIFY(!layer->hasLora());
        QCOMPARE(parameterNames(*layer), (std::set<std::string>{"weight", "bias"}));
        QVERIFY2(maxDifference(layer->forward(x), unmerged) < 1e-5, "merged output differs");
    }

    void setAlphaRescales()
    {
        LoraLinear layer(LoraLinearOptions(8, 8));
        layer->enableLora(4, 4.0, 0.0);
        randomiseB(*layer);
        layer->eval();
        const torch::Tensor x = torch::randn({2, 8});
        const torch::Tensor base = torch::linear(x, layer->weight, layer->bias);
        const torch::Tensor delta1 = layer->forward(x) - base;
        layer->setLoraAlpha(12.0);
        QCOMPARE(layer->loraScale(), 3.0);
        QVERIFY(maxDifference(layer->forward(x) - base, delta1 * 3.0) < 1e-5);
    }

    void dropoutOnlyInTraining()
    {
        LoraLinear layer(LoraLinearOptions(64, 4));
        layer->enableLora(4, 4.0, 0.5);
        randomiseB(*layer);
        const torch::Tensor x = torch::randn({8, 64});
        layer->eval();
        QVERIFY(torch::equal(layer->forward(x), layer->forward(x)));
        layer->train();
        QVERIFY(!torch::equal(layer->forward(x), layer->forward(x)));
    }

    void errors()
    {
        LoraLinear linear(LoraLinearOptions(4, 4));
        QCOMPARE(errorOf([&] { linear->enableLora(0, 1.0, 0.0); }), QString("LoRA rank must be positive, got 0"));
        QCOMPARE(errorOf([&] { linear->setLoraAlpha(2.0); }),
                 QString("setLoraAlpha on a layer without a LoRA adapter"));
        linear->enableLora(2, 1.0, 0.0);
        QCOMPARE(errorOf([&] { linear->enableLora(2, 1.0, 0.0); }), QString("LoRA adapter already enabled"));
        LoraConv2d conv(LoraConv2dOptions(2, 2, 1));
        QCOMPARE(errorOf([&] { conv->enableLora(-1, 1.0, 0.0); }), QString("LoRA rank must be positive, got -1"));
        conv->enableLora(1, 1.0, 0.0);
        QCOMPARE(errorOf([&] { conv->enableLora(1, 1.0, 0.0); }), QString("LoRA adapter already enabled"));
    }
};

QTEST_APPLESS_MAIN(TestLoraAdapter)
#include "test_loraadapter.moc"
