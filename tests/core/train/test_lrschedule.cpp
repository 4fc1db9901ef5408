// LrSchedule: linear warm-up from start_factor x lr, then cosine decay to min_ratio x lr, as
// the reference's LinearLR + CosineAnnealingLR (eta_min_ratio) counted in steps.
#include "common/error.h"
#include "train/lrschedule.h"

#include <QtTest>

#include <cmath>

using namespace rsrefseg;

class TestLrSchedule : public QObject
{
    Q_OBJECT

  private slots:
    void warmupThenCosine()
    {
        const LrSchedule s(1e-4, 10, 110, 0.01, 0.001);
        QCOMPARE(s.rate(0), 1e-6);                         // 0.01 x lr
        QVERIFY(std::abs(s.rate(5) - 1e-4 * (0.01 + 0.99 * 0.5)) < 1e-15);
        QCOMPARE(s.rate(10), 1e-4);                        // warm-up done: the peak
        QVERIFY(std::abs(s.rate(109) - 1e-7) < 1e-18);     // last step: 0.001 x lr
        // Half-way through the cosine: the mean of peak and floor.
        const double mid = s.rate(10 + 99 / 2);
        QVERIFY(std::abs(mid - 1e-4 * (0.001 + 0.999 * 0.5 * (1 + std::cos(M_PI * 49.0 / 99.0)))) < 1e-15);
        for (int64_t i = 1; i < 10; ++i)
            QVERIFY(s.rate(i) > s.rate(i - 1));
        for (int64_t i = 11; i < 110; ++i)
            QVERIFY(s.rate(i) < s.rate(i - 1));
        QCOMPARE(s.rate(500), s.rate(109)); // past the end: stays at the floor
    }

    void noWarmupAndShortRuns()
    {
        const LrSchedule s(2e-3, 0, 5, 0.01, 0.0);
        QCOMPARE(s.rate(0), 2e-3);
        QVERIFY(std::abs(s.rate(4)) < 1e-18);
        const LrSchedule one(1e-3, 0, 1, 0.01, 0.001);
        QCOMPARE(one.rate(0), 1e-3);
        const LrSchedule longWarmup(1e-3, 50, 10, 0.5, 0.001); // warm-up longer than the run
        QVERIFY(longWarmup.rate(9) < 1e-3 && longWarmup.rate(0) == 0.5e-3);
        QVERIFY_THROWS_EXCEPTION(Error, LrSchedule(0.0, 0, 10, 0.01, 0.001));
    }
};

QTEST_APPLESS_MAIN(TestLrSchedule)
#include "test_lrschedule.moc"
