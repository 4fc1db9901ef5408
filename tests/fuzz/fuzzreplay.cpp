// test_fuzzreplay_<name>: the fuzz target <name>'s entry point run once on every file of
// tests/fuzz/corpus/<name> (the seeds) and tests/fuzz/regressions/<name> (inputs that once
// crashed it). A crash, a sanitizer report or an exception other than rsrefseg::Error fails it.
#include <QDir>
#include <QFile>
#include <QtTest>

#include <cstdint>
#include "testpathsqt.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

class TestFuzzReplay : public QObject
{
    Q_OBJECT

  private slots:
    void replay_data()
    {
        QTest::addColumn<QString>("path");
        int count = 0;
        for (const char *kind : {"corpus", "regressions"}) {
            const QDir dir(rsrefseg::test::qSourceDir() + QStringLiteral("/tests/fuzz/%1/" RSREFSEG_FUZZ_TARGET).arg(kind));
            for (const QString &name : dir.entryList(QDir::Files, QDir::Name)) {
                QTest::newRow(qPrintable(QStringLiteral("%1/%2").arg(kind, name))) << dir.filePath(name);
                ++count;
            }
        }
        QVERIFY2(count > 0, "no seed corpus for fuzz target " RSREFSEG_FUZZ_TARGET);
    }

    void replay()
    {
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray bytes = file.readAll();
        QCOMPARE(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.constData()),
                                        static_cast<size_t>(bytes.size())),
                 0);
    }
};

QTEST_GUILESS_MAIN(TestFuzzReplay)
#include "fuzzreplay.moc"
