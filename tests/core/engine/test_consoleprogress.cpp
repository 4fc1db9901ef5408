// ConsoleProgress: a self-rewriting bar with done/total, rate and ETA on a terminal; on a
// pipe or log file, plain lines only every 10 % (or 10 s) and at the end.
#include "engine/consoleprogress.h"

#include <QtTest>

#include <sstream>

using namespace rsrefseg;

class TestConsoleProgress : public QObject
{
    Q_OBJECT

    static ProgressInfo tiles(int64_t done, int64_t total)
    {
        ProgressInfo p;
        p.stage = "tiles";
        p.unit = "tiles";
        p.done = done;
        p.total = total;
        p.fraction = 0.9 * static_cast<double>(done) / static_cast<double>(total);
        return p;
    }

  private slots:
    void describe()
    {
        QCOMPARE(ConsoleProgress::formatDuration(45), std::string("45s"));
        QCOMPARE(ConsoleProgress::formatDuration(125), std::string("2m05s"));
        QCOMPARE(ConsoleProgress::formatDuration(3720), std::string("1h02m"));
        QCOMPARE(ConsoleProgress::bar(0.5, 10), std::string("[#####.....]"));
        // 12 of 144 tiles in 15 s: 0.80 tiles/s, 132 left -> 165 s.
        QCOMPARE(ConsoleProgress::describe(tiles(12, 144), 15.0),
                 std::string("12/144 tiles  0.80 tiles/s  ETA 2m45s  (7%)"));
        ProgressInfo p = tiles(0, 10);
        QCOMPARE(ConsoleProgress::describe(p, 0.0), std::string("0/10 tiles  (0%)"));
        p.detail = "[2/5] a.tif";
        QVERIFY(ConsoleProgress::describe(p, 0.0).find("[2/5] a.tif") != std::string::npos);
    }

    void plainLines()
    {
        std::ostringstream out;
        ConsoleProgress progress(out, false, "segment");
        for (int i = 1; i <= 100; ++i)
            progress.update(tiles(i, 100), i * 0.01); // 1 s in total: no 10 s lines
        ProgressInfo done;
        done.fraction = 1.0;
        done.stage = "done";
        progress.update(done, 2.0);
        progress.finish();
        const std::string text = out.str();
        QVERIFY(text.find('\r') == std::string::npos);
        const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
        QVERIFY2(lines >= 9 && lines <= 12, qPrintable(QString::fromStdString(text)));
        QVERIFY(text.find("segment: 100/100 tiles") != std::string::npos);
        // Slow jobs: a line at least every 10 s even within one decile.
        std::ostringstream slow;
        ConsoleProgress p2(slow, false, "segment");
        for (int i = 1; i <= 5; ++i)
            p2.update(tiles(i, 1000), i * 11.0);
        const std::string slowText = slow.str();
        QCOMPARE(static_cast<int>(std::count(slowText.begin(), slowText.end(), '\n')), 5);
    }

    void terminalBar()
    {
        std::ostringstream out;
        ConsoleProgress progress(out, true, "segment");
        progress.update(tiles(1, 10), 0.0);
        progress.update(tiles(2, 10), 0.05); // throttled (< 0.1 s)
        progress.update(tiles(3, 10), 0.5);
        progress.message("query 'x': truncated");
        ProgressInfo done;
        done.fraction = 1.0;
        progress.update(done, 0.51); // the end is always drawn
        progress.finish();
        const std::string text = out.str();
        QCOMPARE(static_cast<int>(std::count(text.begin(), text.end(), '\r')), 4);
        QVERIFY(text.find("2/10") == std::string::npos);
        QVERIFY(text.find("3/10 tiles") != std::string::npos);
        QVERIFY(text.find("[##") != std::string::npos);
        QVERIFY(text.find("segment: query 'x': truncated\n") != std::string::npos);
        QVERIFY(text.back() == '\n');
    }
};

QTEST_APPLESS_MAIN(TestConsoleProgress)
#include "test_consoleprogress.moc"
