// ProcessMemory: resident and peak memory follow what the process touches; resetPeak() brings
// the high-water mark back down to the resident size after a freed peak (Linux).
#include "common/processmemory.h"

#include <QtTest>

#include <memory>

using namespace rsrefseg;

namespace {

// Touches `mb` megabytes page by page so that they become resident, then frees them.
void touchAndFree(size_t mb)
{
    std::unique_ptr<volatile char[]> block(new volatile char[mb << 20]);
    for (size_t i = 0; i < (mb << 20); i += 4096)
        block[i] = 1;
}

} // namespace

class TestProcessMemory : public QObject
{
    Q_OBJECT

  private slots:
    void figuresAreThere()
    {
        const double rss = ProcessMemory::residentMb();
        const double peak = ProcessMemory::peakMb();
        QVERIFY2(rss > 1.0, "a Qt test process holds more than a megabyte");
        QVERIFY(peak >= rss);
        QCOMPARE(ProcessMemory::statusMb("NoSuchField:"), -1.0);
    }

    void peakFollowsTouchedMemoryAndResets()
    {
        const double before = ProcessMemory::peakMb();
        touchAndFree(300);
        const double peak = ProcessMemory::peakMb();
        QVERIFY2(peak >= before + 250, qPrintable(QString("peak %1 MB, before %2 MB").arg(peak).arg(before)));
        ProcessMemory::resetPeak();
        const double reset = ProcessMemory::peakMb();
        QVERIFY2(reset < peak - 200, qPrintable(QString("peak after reset %1 MB, before %2 MB").arg(reset).arg(peak)));
        QVERIFY(reset >= ProcessMemory::residentMb() - 1.0);
    }
};

QTEST_GUILESS_MAIN(TestProcessMemory)
#include "test_processmemory.moc"
