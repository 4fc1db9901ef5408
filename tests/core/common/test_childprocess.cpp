// ChildProcess: the function's text comes back (also far more than a pipe holds); what it
// throws comes back as a message, never as an exception in the parent; a child killed by a
// signal or leaving with an exit status is reported as died, naming how; the child's memory is
// its own (its writes and its peak never reach the parent).
#include "common/childprocess.h"
#include "common/error.h"
#include "common/processmemory.h"

#include <QtTest>

#include <csignal>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <unistd.h>

using namespace rsrefseg;

class TestChildProcess : public QObject
{
    Q_OBJECT

  private slots:
    void returnsTheFunctionsText()
    {
        const ChildProcess::Result r = ChildProcess::run([] { return std::string("pid ") + std::to_string(::getpid()); });
        QCOMPARE(int(r.status), int(ChildProcess::Status::Ok));
        QVERIFY(r.text.rfind("pid ", 0) == 0);
        QVERIFY2(r.text != "pid " + std::to_string(::getpid()), "the function ran in another process");
    }

    void returnsMoreThanAPipeHolds()
    {
        // 4 MB: far beyond the pipe's buffer (64 kB), so the parent must read while the child writes.
        std::string big(4 << 20, 'x');
        for (size_t i = 0; i < big.size(); i += 4099)
            big[i] = static_cast<char>('a' + (i / 4099) % 26);
        const ChildProcess::Result r = ChildProcess::run([&] { return big; });
        QCOMPARE(int(r.status), int(ChildProcess::Status::Ok));
        QCOMPARE(r.text.size(), big.size());
        QVERIFY(r.text == big);
        const ChildProcess::Result empty = ChildProcess::run([] { return std::string(); });
        QCOMPARE(int(empty.status), int(ChildProcess::Status::Ok));
        QVERIFY(empty.text.empty());
    }

    void exceptionsComeBackAsMessages()
    {
        const ChildProcess::Result e = ChildProcess::run([]() -> std::string { throw Error("no such model 'x'"); });
        QCOMPARE(int(e.status), int(ChildProcess::Status::Failed));
        QCOMPARE(QString::fromStdString(e.text), QStringLiteral("no such model 'x'"));
        const ChildProcess::Result s = ChildProcess::run([]() -> std::string { throw std::runtime_error("std"); });
        QCOMPARE(int(s.status), int(ChildProcess::Status::Failed));
        QCOMPARE(QString::fromStdString(s.text), QStringLiteral("std"));
        const ChildProcess::Result u = ChildProcess::run([]() -> std::string { throw 42; });
        QCOMPARE(int(u.status), int(ChildProcess::Status::Failed));
        QCOMPARE(QString::fromStdString(u.text), QStringLiteral("unknown error"));
    }

    void aDeadChildIsReportedWithHowItEnded()
    {
        const ChildProcess::Result killed = ChildProcess::run([]() -> std::string {
            std::raise(SIGKILL);
            return "unreachable";
        });
        QCOMPARE(int(killed.status), int(ChildProcess::Status::Died));
        QVERIFY2(QString::fromStdString(killed.text).contains("killed by signal 9"), killed.text.c_str());

        const ChildProcess::Result exited = ChildProcess::run([]() -> std::string { _exit(7); });
        QCOMPARE(int(exited.status), int(ChildProcess::Status::Died));
        QVERIFY2(QString::fromStdString(exited.text).contains("exited with status 7"), exited.text.c_str());

        const ChildProcess::Result quiet = ChildProcess::run([]() -> std::string { _exit(0); });
        QCOMPARE(int(quiet.status), int(ChildProcess::Status::Died));
        QVERIFY2(QString::fromStdString(quiet.text).contains("without a result"), quiet.text.c_str());
    }

    void theChildsMemoryIsItsOwn()
    {
        int counter = 1;
        const double parentPeak = ProcessMemory::peakMb();
        const ChildProcess::Result r = ChildProcess::run([&] {
            counter = 99;
            // Touch 256 MB so that the child's peak rises far above the parent's.
            std::vector<char> block(256u << 20);
            for (size_t i = 0; i < block.size(); i += 4096)
                block[i] = 1;
            return std::to_string(ProcessMemory::peakMb()) + " " + std::to_string(int(block[4096]) + counter);
        });
        QCOMPARE(int(r.status), int(ChildProcess::Status::Ok));
        QCOMPARE(counter, 1);
        const double childPeak = std::stod(r.text);
        QVERIFY2(childPeak > parentPeak + 200, r.text.c_str());
        QVERIFY2(ProcessMemory::peakMb() < parentPeak + 100, "the parent's peak did not take the child's");
        QVERIFY(r.text.substr(r.text.find(' ') + 1) == "100");
    }

    void theParentGoesOnAfterManyChildren()
    {
        for (int i = 0; i < 20; ++i) {
            const ChildProcess::Result r = ChildProcess::run([i] { return std::to_string(i * i); });
            QCOMPARE(int(r.status), int(ChildProcess::Status::Ok));
            QCOMPARE(r.text, std::to_string(i * i));
        }
    }
};

QTEST_GUILESS_MAIN(TestChildProcess)
#include "test_childprocess.moc"
