// `rsrefseg segment` and `rsrefseg batch` stopped by SIGINT or SIGTERM (Ctrl-C, `kill`, a
// cluster's termination signal; README, Command line): exit code 130 and no partial output.
//
// The signal must arrive while the job is inside its work, whatever the machine's load: the
// raster's right half comes from a named pipe (pipedraster.h), the signal is sent while the
// process waits on it, and the pipe then gives end of file, so that read fails (the tile is
// nodata) and the job notices the signal at its next tile. No timing is assumed anywhere.
#include "clitestsupport.h"
#include "pipedraster.h"

#include "../../core/geo/rastermaker.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fstream>

#include <signal.h>

using rsrefseg::test::makeRaster;
using rsrefseg::test::RasterSpec;

namespace {

QStringList allEntries(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    out.sort();
    return out;
}

} // namespace

class TestCliSignals : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    QString mLeft;

    // Runs the CLI with `args`, signals it with `sig` once it reads `pipe`, then lets it go on
    // to its end. Exit code -2: crashed or killed by the signal; -1: never read the pipe.
    clitest::Result interrupt(const QStringList &args, const QString &pipe, int sig)
    {
        QProcess p;
        p.start(rsrefseg::test::envQPath("RSREFSEG_CLI"), args);
        if (!p.waitForStarted())
            return {};
        const int fd = pipedraster::waitUntilRead(pipe, p);
        if (fd < 0) {
            qWarning("exited before reading the pipe: %s", p.readAllStandardError().constData());
            return {};
        }
        ::kill(static_cast<pid_t>(p.processId()), sig);
        ::close(fd);
        pipedraster::endOfFileUntilExit(pipe, p);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    // A folder for one case with `vrtName`: mLeft beside a fresh named pipe.
    QString caseFolder(const QString &name, const QString &vrtName)
    {
        const QString dir = mDir.filePath(name);
        if (!QDir().mkpath(dir) ||
            !pipedraster::writeVrt(QDir(dir).filePath(vrtName), mLeft, 256, 256, QDir(dir).filePath("pipe")))
            return {};
        return dir;
    }

    static void addSignalRows()
    {
        QTest::addColumn<int>("sig");
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGTERM") << int(SIGTERM);
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        RasterSpec s;
        s.width = s.height = 256;
        s.value = [](int b, int x, int y) { return b == 1 && x > 50 && x < 200 && y > 40 ? 230.0 : 40.0; };
        mLeft = QString::fromStdString(makeRaster(mDir.filePath("left.tif").toStdString(), s));
        QVERIFY(!mLeft.isEmpty());
    }

    void segmentStopsWith130AndWritesNothing_data() { addSignalRows(); }
    void segmentStopsWith130AndWritesNothing()
    {
        QFETCH(int, sig);
        const QString dir = caseFolder(QString("segment%1").arg(sig), "scene.vrt");
        QVERIFY(!dir.isEmpty());
        const QString out = QDir(dir).filePath("out");
        QVERIFY(QDir().mkpath(out));
        const clitest::Result r =
            interrupt({"segment", QDir(dir).filePath("scene.vrt"), "--model", "builtin:colour-test", "-q", "red",
                       "--mode", "tiled", "--tile", "256", "--overlap", "0", "--gate", "0", "--quiet", "--out-mask",
                       out + "/mask.tif", "--out-prob", out + "/prob.tif", "--out-vector", out + "/roofs.gpkg"},
                      QDir(dir).filePath("pipe"), sig);
        QVERIFY2(r.exitCode == 130, qPrintable(QString("exit %1: %2").arg(r.exitCode).arg(r.err)));
        QVERIFY2(!r.err.contains("terminate called"), qPrintable(r.err));
        const QStringList left = allEntries(out);
        QVERIFY2(left.isEmpty(), qPrintable(left.join(", ")));
    }

    void batchStopsWith130AndKeepsOnlyFinishedRasters_data() { addSignalRows(); }
    void batchStopsWith130AndKeepsOnlyFinishedRasters()
    {
        QFETCH(int, sig);
        // a.tif is finished first (names in order); b.vrt blocks on the pipe half way.
        const QString dir = caseFolder(QString("batch%1").arg(sig), "b.vrt");
        QVERIFY(!dir.isEmpty());
        QVERIFY(QFile::copy(mLeft, QDir(dir).filePath("a.tif")));
        std::ofstream(QDir(dir).filePath("queries.txt").toStdString()) << "the red roofs\nthe green fields\n";
        const QString out = mDir.filePath(QString("batch%1-out").arg(sig));
        const clitest::Result r =
            interrupt({"batch", "--input", dir, "--pattern", "*.tif,*.vrt", "--queries", QDir(dir).filePath("queries.txt"),
                       "--out", out, "--model", "builtin:colour-test", "--tile", "256", "--overlap", "0", "--gate", "0",
                       "--formats", "tif,prob,gpkg", "--quiet"},
                      QDir(dir).filePath("pipe"), sig);
        QVERIFY2(r.exitCode == 130, qPrintable(QString("exit %1: %2").arg(r.exitCode).arg(r.err)));
        QVERIFY2(r.err.contains("--resume"), qPrintable(r.err));
        // Only a.tif's outputs (2 queries x 3 formats) and the manifest that records them.
        const QStringList left = allEntries(out);
        QVERIFY2(left.size() == 8 && left.contains("a") && !left.join(",").contains("b/") &&
                     !left.contains("b") && !left.join(",").contains("/."),
                 qPrintable(left.join(", ")));
        std::ifstream manifest(QDir(out).filePath("manifest.jsonl").toStdString());
        std::string line;
        int done = 0;
        while (std::getline(manifest, line)) {
            const auto j = nlohmann::json::parse(line);
            QCOMPARE(QString::fromStdString(j["status"].get<std::string>()), QString("done"));
            QVERIFY(j["input"].get<std::string>().find("a.tif") != std::string::npos);
            ++done;
        }
        QCOMPARE(done, 2);
    }
};

QTEST_GUILESS_MAIN(TestCliSignals)
#include "test_clisignals.moc"
