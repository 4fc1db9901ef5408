// OperatorProfile: self time per ATen operator. A matrix product that dwarfs everything else
// must come out first with the right call count; self times add up to no more than the wall
// time; nested operators are not counted twice; the JSON and text forms carry the table.
#include "model/bench/operatorprofile.h"

// LibTorch before Qt: Qt's `slots` macro would break LibTorch's headers.
#include <torch/torch.h>

#include <QTest>

using namespace rsrefseg;

class TestOperatorProfile : public QObject
{
    Q_OBJECT
  private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void theDominantOperatorComesFirst()
    {
        const torch::Tensor a = torch::rand({768, 768});
        const torch::Tensor small = torch::rand({8});
        const OperatorProfile p = OperatorProfile::measure([&] {
            for (int i = 0; i < 3; ++i)
                (void)torch::mm(a, a);
            for (int i = 0; i < 5; ++i)
                (void)small.exp();
        });
        QVERIFY(!p.entries().empty());
        const OperatorProfile::Entry &top = p.entries().front();
        QCOMPARE(QString::fromStdString(top.name), QStringLiteral("aten::mm"));
        QCOMPARE(top.calls, int64_t(3));
        QVERIFY(top.selfMs > 0.0);
        bool sawExp = false;
        for (const auto &e : p.entries())
            if (e.name == "aten::exp") {
                sawExp = true;
                QCOMPARE(e.calls, int64_t(5));
                QVERIFY(e.selfMs < top.selfMs);
            }
        QVERIFY(sawExp);
        // Sorted by self time, and self times never exceed the measured wall time.
        for (size_t i = 1; i < p.entries().size(); ++i)
            QVERIFY(p.entries()[i - 1].selfMs >= p.entries()[i].selfMs);
        QVERIFY(p.selfMsSum() <= p.wallMs() * 1.01);
    }

    void nestedOperatorsAreNotCountedTwice()
    {
        // aten::matmul calls aten::mm: matmul's self time excludes mm's, its total includes it.
        const torch::Tensor a = torch::rand({512, 512});
        const OperatorProfile p = OperatorProfile::measure([&] { (void)torch::matmul(a, a); });
        const OperatorProfile::Entry *matmul = nullptr;
        const OperatorProfile::Entry *mm = nullptr;
        for (const auto &e : p.entries()) {
            if (e.name == "aten::matmul")
                matmul = &e;
            if (e.name == "aten::mm")
                mm = &e;
        }
        QVERIFY(matmul && mm);
        QVERIFY(matmul->totalMs >= mm->selfMs);
        QVERIFY(matmul->selfMs < mm->selfMs);
        QCOMPARE(mm->totalMs, 0.0); // never an outermost call here
    }

    void jsonAndTextCarryTheTable()
    {
        const torch::Tensor a = torch::rand({256, 256});
        const OperatorProfile p = OperatorProfile::measure([&] { (void)torch::mm(a, a).relu(); });
        const nlohmann::json j = p.toJson(1);
        QCOMPARE(j["operators"].size(), size_t(1));
        QCOMPARE(QString::fromStdString(j["operators"][0]["op"].get<std::string>()),
                 QString::fromStdString(p.entries().front().name));
        QVERIFY(j["operators"][0]["self_share"].get<double>() > 0.0);
        QVERIFY(j["wall_ms"].get<double>() > 0.0);
        const QString text = QString::fromStdString(p.toText(2));
        QCOMPARE(text.count(QLatin1Char('\n')), 2);
        QVERIFY(text.contains(QString::fromStdString(p.entries().front().name)));
    }
};

QTEST_GUILESS_MAIN(TestOperatorProfile)
#include "test_operatorprofile.moc"
