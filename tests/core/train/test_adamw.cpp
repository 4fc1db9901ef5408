// AdamW: the PyTorch 1.13 AdamW update written out by hand for two steps, parameters without a
// gradient untouched, and the state round trip through named tensors.
#include "common/error.h"
#include "train/adamw.h"

#include <torch/torch.h>

#include <QtTest>

#include <cmath>

using namespace rsrefseg;

class TestAdamW : public QObject
{
    Q_OBJECT

  private slots:
    void matchesTheFormula()
    {
        torch::Tensor w = torch::tensor({1.0, -2.0, 0.5}, torch::kFloat64).set_requires_grad(true);
        torch::Tensor idle = torch::tensor({3.0}, torch::kFloat64).set_requires_grad(true);
        AdamW::Options o;
        o.beta1 = 0.9;
        o.beta2 = 0.99;
        o.eps = 1e-8;
        o.weightDecay = 0.1;
        AdamW opt({{"w", w}, {"idle", idle}}, o);
        const std::vector<std::vector<double>> grads = {{0.5, -1.0, 2.0}, {-0.25, 0.5, 1.0}};
        const std::vector<double> lrs = {0.1, 0.05};
        std::vector<double> p = {1.0, -2.0, 0.5}, m(3, 0.0), v(3, 0.0);
        for (int s = 0; s < 2; ++s) {
            opt.zeroGrad();
            w.mutable_grad() = torch::tensor(grads[s], torch::kFloat64);
            opt.step(lrs[s]);
            for (int i = 0; i < 3; ++i) {
                const double g = grads[s][i], lr = lrs[s];
                p[i] *= 1.0 - lr * 0.1;
                m[i] = 0.9 * m[i] + 0.1 * g;
                v[i] = 0.99 * v[i] + 0.01 * g * g;
                const double b1 = 1 - std::pow(0.9, s + 1), b2 = 1 - std::pow(0.99, s + 1);
                p[i] -= lr / b1 * m[i] / (std::sqrt(v[i]) / std::sqrt(b2) + 1e-8);
            }
        }
        for (int i = 0; i < 3; ++i)
            QVERIFY2(std::abs(w[i].item<double>() - p[i]) < 1e-6, qPrintable(QString::number(i)));
        QCOMPARE(idle.item<double>(), 3.0); // no gradient: no decay, no state
        const auto state = opt.stateTensors();
        QCOMPARE(state.size(), size_t(3));
        QCOMPARE(state.at("step.w").item<int64_t>(), int64_t(2));
    }

    void stateRoundTrip()
    {
        auto make = [] { return torch::arange(4, torch::kFloat32).set_requires_grad(true); };
        torch::Tensor a = make(), b = make();
        AdamW first({{"p", a}}, AdamW::Options());
        AdamW second({{"p", b}}, AdamW::Options());
        first.zeroGrad();
        a.mutable_grad() = torch::ones({4});
        first.step(0.01);
        {
            torch::NoGradGuard g;
            b.copy_(a);
        }
        second.loadStateTensors(first.stateTensors(), "test");
        for (AdamW *opt : {&first, &second}) {
            torch::Tensor &t = opt == &first ? a : b;
            opt->zeroGrad();
            t.mutable_grad() = torch::full({4}, 0.5);
            opt->step(0.01);
        }
        QVERIFY(torch::equal(a, b));

        auto bad = first.stateTensors();
        bad["exp_avg.p"] = torch::zeros({5});
        QVERIFY_THROWS_EXCEPTION(Error, second.loadStateTensors(bad, "test"));
        bad = first.stateTensors();
        bad["exp_avg.unknown"] = torch::zeros({4});
        QVERIFY_THROWS_EXCEPTION(Error, second.loadStateTensors(bad, "test"));
        bad = first.stateTensors();
        bad.erase("exp_avg_sq.p");
        QVERIFY_THROWS_EXCEPTION(Error, second.loadStateTensors(bad, "test"));
    }
};

QTEST_APPLESS_MAIN(TestAdamW)
#include "test_adamw.moc"
