// `rsrefseg data convert` and `rsrefseg data check` through the real executable, on raw data sets
// written here in their distributed layouts (tests/core/data/benchmarkfixtures.h): RRSIS-D,
// RefSegRS and RISBench converted and checked; a hostile pickle, a missing image, an existing
// output and an unusable data set each a one-line error with a non-zero exit and nothing written.
#include "clitestsupport.h"
#include "core/data/benchmarkfixtures.h"
#include "testpaths.h"

#include <QTemporaryDir>
#include <QtTest>

namespace fs = std::filesystem;
using clitest::Result;
using clitest::runCli;

class TestDataCli : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    benchfix::Rrsisd mRaw;

    QString file(const QString &name) const { return mDir.filePath(name); }
    QStringList rrsisdArgs(const QString &refs, const QString &out) const
    {
        return {"data", "convert", "rrsisd", "--refs", refs, "--instances", QString::fromStdString(mRaw.instances),
                "--images", QString::fromStdString(mRaw.images), "--out", out};
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mRaw = benchfix::writeRrsisd(file("rrsisd").toStdString());
    }

    void convertAndCheckRrsisd()
    {
        Result r = runCli(rrsisdArgs(QString::fromStdString(mRaw.refs), file("rrsisd.jsonl")));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("Wrote 4 line(s) for 3 object(s) on 2 image(s)"), qPrintable(r.out));
        QVERIFY2(r.out.contains("bbox_xywh: converted from bbox read as x1,y1,x2,y2"), qPrintable(r.out));
        r = runCli({"data", "check", file("rrsisd.jsonl"), "--images", QString::fromStdString(mRaw.images), "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
        const auto report = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(report["usable"].get<int>(), 4);
        QCOMPARE(report["splits"]["val"].get<int>(), 2);
        QCOMPARE(report["categories"]["airplane"].get<int>(), 2);
        QCOMPARE(report["unusable"].get<bool>(), false);

        r = runCli(rrsisdArgs(QString::fromStdString(mRaw.refs), file("rrsisd.jsonl")));
        clitest::expectOneLineError(r, "exists (pass --overwrite to replace it)");
        r = runCli(rrsisdArgs(QString::fromStdString(mRaw.refs), file("rrsisd.jsonl")) << "--overwrite");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void hostilePickleNeverRuns()
    {
        const QString marker = file("pwned");
        benchfix::writeFile(file("hostile.p").toStdString(), pickletest::osSystemPickle(marker.toStdString()));
        const Result r = runCli(rrsisdArgs(file("hostile.p"), file("hostile.jsonl")));
        clitest::expectOneLineError(r, "refusing to load global 'os.system'");
        QVERIFY(!fs::exists(marker.toStdString()));
        QVERIFY(!fs::exists(file("hostile.jsonl").toStdString()));
    }

    void missingImageNamed()
    {
        const fs::path image = fs::path(mRaw.images) / "06000.jpg";
        fs::rename(image, image.string() + ".away");
        const Result r = runCli(rrsisdArgs(QString::fromStdString(mRaw.refs), file("partial.jsonl")));
        fs::rename(image.string() + ".away", image);
        clitest::expectOneLineError(r, "ref 2 (ref_id 102): image ");
        QVERIFY(r.err.contains("06000.jpg does not exist"));
        QVERIFY(!fs::exists(file("partial.jsonl").toStdString()));
    }

    void phraseListLayouts()
    {
        for (const bool risbench : {false, true}) {
            const QString root = file(risbench ? "RISBench" : "RefSegRS");
            benchfix::writePhraseList(root.toStdString(), risbench);
            const QString out = root + "/out.jsonl";
            Result r = runCli({"data", "convert", risbench ? "risbench" : "refsegrs", "--root", root, "--out", out});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err));
            QVERIFY2(r.out.contains("Wrote 4 line(s)"), qPrintable(r.out));
            r = runCli({"data", "check", out, "--images", root + (risbench ? "/img_rgb" : "/images")});
            QVERIFY2(r.exitCode == 0, qPrintable(r.err + r.out));
            QVERIFY2(r.out.contains("Result:   usable"), qPrintable(r.out));
        }
    }

    void checkFailsOnUnusableLines()
    {
        const std::string images = mRaw.images;
        benchfix::writeFile(file("bad.jsonl").toStdString(),
                            "{\"file_name\": \"nowhere.jpg\", \"sent\": \"a\", \"segmentation\": "
                            "{\"size\": [30, 40], \"counts\": [1200]}}\n");
        const Result r = runCli({"data", "check", file("bad.jsonl"), "--images", QString::fromStdString(images)});
        clitest::expectOneLineError(r, "has unusable lines (1 of 1)");
        QVERIFY2(r.out.contains("line 1: missing_image:"), qPrintable(r.out));
    }
};

QTEST_GUILESS_MAIN(TestDataCli)
#include "test_datacli.moc"
