// The committed sample (resources/samples/sample.tif and sample.jsonl, README: Sample data) is
// what resources/samples/make-sample.sh writes: the script, run into a temporary folder with
// the freshly built rsrefseg, recreates both files byte for byte.
#include "clitestsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

class TestSampleFiles : public QObject
{
    Q_OBJECT

    static QByteArray bytes(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

  private slots:
    void scriptRecreatesTheCommittedSample()
    {
        QTemporaryDir out;
        QVERIFY(out.isValid());
        const QString samples = rsrefseg::test::qSourceDir() + "/resources/samples";
        const clitest::Result r = clitest::run("/bin/bash", {samples + "/make-sample.sh",
                                                             rsrefseg::test::envQPath("RSREFSEG_CLI"), out.path()});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        for (const QString name : {"sample.tif", "sample.jsonl"}) {
            const QByteArray committed = bytes(samples + "/" + name);
            const QByteArray made = bytes(out.filePath(name));
            QVERIFY2(!committed.isEmpty(), qPrintable(name));
            QCOMPARE(made.size(), committed.size());
            QVERIFY2(made == committed, qPrintable(name + " differs from the committed file"));
        }
        QVERIFY(!QFile::exists(samples + "/sample_000000.tif")); // nothing written beside the sources
    }
};

QTEST_GUILESS_MAIN(TestSampleFiles)
#include "test_samplefiles.moc"
