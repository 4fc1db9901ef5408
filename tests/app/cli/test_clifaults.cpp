// `rsrefseg batch` killed for real (issue 9): the process gets SIGKILL (no handler can run)
// while it works through a folder; `--resume` then finishes the batch: every item ends up done
// exactly once in the manifest, the outputs finished before the kill are not redone (same
// inode and modification time), none is lost, and nothing the killed run left behind
// (scratch folders, temporary files) remains.
#include "pipedraster.h"
#include "../../core/geo/rastermaker.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <map>
#include <set>

#include <sys/stat.h>
#include "testpathsqt.h"

using rsrefseg::test::makeRaster;
using rsrefseg::test::RasterSpec;

namespace {

std::vector<nlohmann::json> records(const QString &manifest)
{
    std::vector<nlohmann::json> out;
    std::ifstream in(manifest.toStdString());
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            out.push_back(nlohmann::json::parse(line));
    return out;
}

struct Stamp
{
    ino_t inode = 0;
    long long mtimeNs = 0;
    bool operator==(const Stamp &o) const { return inode == o.inode && mtimeNs == o.mtimeNs; }
};

Stamp stampOf(const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return {};
    return {st.st_ino, static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

} // namespace

class TestCliFaults : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    void killedBatchResumes()
    {
        const QString in = mDir.filePath("in");
        const QString out = mDir.filePath("out");
        QVERIFY(QDir().mkpath(in));
        RasterSpec s;
        s.width = 700;
        s.height = 500;
        s.value = [](int b, int x, int y) { return b == 1 && x > 300 && y > 200 ? 220.0 : double((x * 3 + y) % 90); };
        const QString source = mDir.filePath("r.tif");
        makeRaster(source.toStdString(), s);
        // 16 rasters; r08 is twice as wide and its right half is a named pipe (pipedraster.h):
        // the batch blocks there after r00..r07, and is killed at that moment, whatever the
        // machine's load.
        const int rasters = 16;
        for (int i = 0; i < rasters; ++i)
            if (i != 8)
                QVERIFY(QFile::copy(source, in + QString("/r%1.tif").arg(i, 2, 10, QChar('0'))));
        const QString pipe = mDir.filePath("pipe");
        QVERIFY(pipedraster::writeVrt(in + "/r08.vrt", source, 700, 500, pipe));
        std::ofstream(mDir.filePath("queries.txt").toStdString()) << "the red roofs\nthe green fields\n";
        const QStringList args{"batch",   "--input",       in,           "--queries", mDir.filePath("queries.txt"),
                               "--out",   out,             "--model",    "builtin:colour-test",
                               "--tile",  "256",           "--overlap",  "32",     "--pattern", "*.tif,*.vrt",
                               "--formats", "tif,prob,gpkg", "--quiet"};

        QProcess first;
        first.start(rsrefseg::test::envQPath("RSREFSEG_CLI"), args);
        QVERIFY(first.waitForStarted());
        const int fd = pipedraster::waitUntilRead(pipe, first);
        QVERIFY2(fd >= 0, first.readAllStandardError().constData());
        first.kill(); // SIGKILL, while r08 is being segmented
        QVERIFY(first.waitForFinished(30000));
        ::close(fd);
        QCOMPARE(first.exitStatus(), QProcess::CrashExit);
        // For the resumed run the pipe becomes an ordinary raster.
        QVERIFY(QFile::remove(pipe));
        QVERIFY(QFile::copy(source, pipe));

        const QString manifest = out + "/manifest.jsonl";
        const auto before = records(manifest);
        QCOMPARE(before.size(), size_t(2 * 8)); // r00..r07, both queries
        std::map<std::string, Stamp> finished;
        for (const auto &r : before) {
            QCOMPARE(r["status"].get<std::string>(), std::string("done"));
            for (const auto &o : r["outputs"].items()) {
                const std::string p = o.value().get<std::string>();
                finished[p] = stampOf(p);
                QVERIFY2(finished[p].inode != 0, p.c_str());
            }
        }
        QCOMPARE(finished.size(), size_t(2 * 8 * 3));

        QProcess again;
        again.start(rsrefseg::test::envQPath("RSREFSEG_CLI"), QStringList(args) << "--resume");
        QVERIFY(again.waitForFinished(600000));
        const QString stdoutText = QString::fromUtf8(again.readAllStandardOutput());
        QVERIFY2(again.exitStatus() == QProcess::NormalExit && again.exitCode() == 0,
                 qPrintable(QString::fromUtf8(again.readAllStandardError())));
        QVERIFY2(stdoutText.contains(QString("%1 earlier (skipped)").arg(before.size())), qPrintable(stdoutText));

        const auto after = records(manifest);
        QCOMPARE(after.size(), size_t(2 * rasters));
        std::set<std::pair<std::string, std::string>> items;
        for (const auto &r : after) {
            QCOMPARE(r["status"].get<std::string>(), std::string("done"));
            items.insert({r["input"].get<std::string>(), r["query"].get<std::string>()});
            QCOMPARE(r["outputs"].size(), size_t(3));
            for (const auto &o : r["outputs"].items())
                QVERIFY2(QFile::exists(QString::fromStdString(o.value().get<std::string>())),
                         o.value().get<std::string>().c_str());
        }
        QCOMPARE(items.size(), size_t(2 * rasters)); // each item exactly once
        for (const auto &f : finished)
            QVERIFY2(stampOf(f.first) == f.second, ("redone after resume: " + f.first).c_str());
        // Nothing hidden (scratch folders, temporary outputs) anywhere in the output tree.
        QDirIterator it(out, QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        int files = 0;
        while (it.hasNext()) {
            it.next();
            QVERIFY2(!it.fileName().startsWith('.'), qPrintable(it.filePath()));
            files += it.fileInfo().isFile();
        }
        QCOMPARE(files, 2 * rasters * 3 + 1); // outputs + manifest
    }
};

QTEST_GUILESS_MAIN(TestCliFaults)
#include "test_clifaults.moc"
