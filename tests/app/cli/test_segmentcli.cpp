// `rsrefseg segment` and `rsrefseg batch` as a user runs them, with the built-in deterministic
// colour test model (object = the queried colour channel >= 128): outputs on the source grid
// at the right map coordinates, and every documented bad input refused with one line, a
// non-zero exit and no output left behind (disk full simulated with a file-size limit, which
// makes writes fail with EFBIG exactly as a full disk fails them with ENOSPC).
#include "clitestsupport.h"

#include "../../core/geo/rastermaker.h"

#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <map>
#include "testpathsqt.h"

using rsrefseg::test::makeRaster;
using rsrefseg::test::RasterSpec;

namespace {

using clitest::Result;
using clitest::run;
using clitest::runCli;
} // namespace

class TestSegmentCli : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    QString mRaster;
    // The red rectangle, in pixels: x 200..399, y 150..349 (crosses tile borders of 256/32).
    static constexpr int kX0 = 200, kX1 = 400, kY0 = 150, kY1 = 350;

    static int entries(const QString &dir)
    {
        return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size();
    }

    QStringList segmentArgs(const QString &outDir) const
    {
        return {"segment", mRaster, "--model", "builtin:colour-test", "-q", "the red roofs", "--tile", "256",
                "--overlap", "32", "--gate", "0", "--quiet", "--out-mask", outDir + "/mask.tif", "--out-vector",
                outDir + "/roofs.gpkg"};
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        RasterSpec s;
        s.width = 600;
        s.height = 500;
        s.value = [](int b, int x, int y) {
            const bool inside = x >= kX0 && x < kX1 && y >= kY0 && y < kY1;
            if (b == 1)
                return inside ? 230.0 : 40.0;
            return double((x * 7 + y * 13) % 100); // green/blue noise, all below 128
        };
        mRaster = QString::fromStdString(makeRaster(mDir.filePath("scene.tif").toStdString(), s));
        QVERIFY(!mRaster.isEmpty());
    }

    void segmentWritesGeoreferencedOutputs()
    {
        QTemporaryDir out;
        const Result r = runCli(segmentArgs(out.path()) << "--json");
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        GDALAllRegister();
        GDALDataset *mask = GDALDataset::Open(out.filePath("mask.tif").toUtf8().constData(), GDAL_OF_RASTER);
        QVERIFY(mask);
        QCOMPARE(mask->GetRasterXSize(), 600);
        QCOMPARE(mask->GetRasterYSize(), 500);
        double gt[6];
        mask->GetGeoTransform(gt);
        QCOMPARE(gt[0], 500000.0);
        QCOMPARE(gt[3], 5000000.0);
        QCOMPARE(gt[1], 0.5);
        OGRSpatialReference srs(*mask->GetSpatialRef());
        srs.AutoIdentifyEPSG();
        QCOMPARE(QString(srs.GetAuthorityCode(nullptr)), QString("32633"));
        std::vector<unsigned char> pixels(600 * 500);
        QVERIFY(mask->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, 600, 500, pixels.data(), 600, 500, GDT_Byte, 0, 0) == CE_None);
        GDALClose(mask);
        int wrong = 0;
        for (int y = 0; y < 500; ++y)
            for (int x = 0; x < 600; ++x) {
                const bool inside = x >= kX0 && x < kX1 && y >= kY0 && y < kY1;
                wrong += pixels[size_t(y * 600 + x)] != (inside ? 1 : 0);
            }
        QCOMPARE(wrong, 0); // no seam at the tile borders

        GDALDataset *vec = GDALDataset::Open(out.filePath("roofs.gpkg").toUtf8().constData(), GDAL_OF_VECTOR);
        QVERIFY(vec);
        OGRLayer *layer = vec->GetLayer(0);
        QCOMPARE(layer->GetFeatureCount(), GIntBig(1));
        OGRFeature *f = layer->GetNextFeature();
        OGREnvelope env;
        f->GetGeometryRef()->getEnvelope(&env);
        QCOMPARE(env.MinX, 500000.0 + kX0 * 0.5);
        QCOMPARE(env.MaxX, 500000.0 + kX1 * 0.5);
        QCOMPARE(env.MaxY, 5000000.0 - kY0 * 0.5);
        QCOMPARE(env.MinY, 5000000.0 - kY1 * 0.5);
        QVERIFY(qAbs(f->GetFieldAsDouble("area_m2") - 200 * 200 * 0.25) < 1.0);
        QCOMPARE(QString(f->GetFieldAsString("query")), QString("the red roofs"));
        OGRFeature::DestroyFeature(f);
        GDALClose(vec);
    }

    void badInputs_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("needle");
        QTest::newRow("region outside the raster") << "region" << "outside the raster";
        QTest::newRow("empty query") << "empty" << "empty";
        QTest::newRow("unknown vector extension") << "extension" << "unknown vector format";
        QTest::newRow("output folder missing") << "missing" << "does not exist";
        QTest::newRow("output folder not writable") << "unwritable" << "cannot";
        QTest::newRow("existing output") << "exists" << "already exists";
    }

    void badInputs()
    {
        QFETCH(QString, kind);
        QFETCH(QString, needle);
        QTemporaryDir out;
        QStringList args = segmentArgs(out.path());
        if (kind == "region") {
            args << "--region" << "0,0,10,10";
        } else if (kind == "empty") {
            args[5] = "   ";
        } else if (kind == "extension") {
            args[args.indexOf(out.path() + "/roofs.gpkg")] = out.path() + "/roofs.kml";
        } else if (kind == "missing") {
            args[args.indexOf(out.path() + "/mask.tif")] = out.path() + "/no/such/folder/mask.tif";
        } else if (kind == "unwritable") {
            // /proc refuses new files even for root.
            args[args.indexOf(out.path() + "/mask.tif")] = "/proc/rsrefseg-mask.tif";
        } else if (kind == "exists") {
            std::ofstream((out.path() + "/mask.tif").toStdString()) << "keep me";
        }
        clitest::expectOneLineError(runCli(args), needle, clitest::Notes::Ignore);
        QCOMPARE(entries(out.path()), kind == "exists" ? 1 : 0);
        QVERIFY(!QFile::exists("/proc/rsrefseg-mask.tif"));
    }

    // Runs the CLI with `args` under a 64 KiB file-size limit (SIGXFSZ ignored, so write()
    // fails with EFBIG as a full disk fails with ENOSPC).
    static Result runWithFileSizeLimit(const QStringList &args)
    {
        QStringList quoted;
        for (const QString &a : args)
            quoted << "'" + a + "'";
        return run("/bin/bash", {"-c", "ulimit -f 64; trap '' XFSZ; exec '" + rsrefseg::test::envQPath("RSREFSEG_CLI") +
                                           "' " + quoted.join(' ')});
    }

    void diskFullLeavesNothing()
    {
        // The float32 probability GeoTIFF (1.2 MB of noise) cannot be written, as on a full disk.
        QTemporaryDir out;
        QStringList args = segmentArgs(out.path());
        args << "--out-prob" << out.filePath("prob.tif") << "--prob-type" << "float32" << "-q" << "the green fields";
        const Result r = runWithFileSizeLimit(args);
        QVERIFY2(r.exitCode > 0, qPrintable(r.err));
        QVERIFY2(!r.err.contains("terminate called"), qPrintable(r.err));
        // One error line that names the output whose write failed.
        const QStringList lines = clitest::errorLines(r.err);
        QVERIFY2(lines.size() == 1 && lines[0].contains("prob"), qPrintable(r.err));
        QCOMPARE(entries(out.path()), 0);
    }

    void failedOverwriteKeepsTheOriginal()
    {
        // A finished run's outputs, then the same run with --overwrite failing on the full disk:
        // every original file survives byte for byte, and no temporary file is left.
        QTemporaryDir out;
        QStringList args = segmentArgs(out.path());
        args << "--out-prob" << out.filePath("prob.tif") << "--prob-type" << "float32";
        const Result first = runCli(args);
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        std::map<QString, QByteArray> before;
        for (const QString &name : QDir(out.path()).entryList(QDir::Files)) {
            QFile f(out.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            before[name] = f.readAll();
        }
        QCOMPARE(int(before.size()), 3);
        args[args.indexOf("the red roofs")] = "the green fields"; // different contents if written
        const Result r = runWithFileSizeLimit(args << "--overwrite");
        QVERIFY2(r.exitCode > 0, qPrintable(r.err));
        QCOMPARE(entries(out.path()), 3);
        for (const auto &[name, content] : before) {
            QFile f(out.filePath(name));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(f.readAll() == content, qPrintable(name + " was changed by the failed run"));
        }
        // And without the limit --overwrite does replace them (so the check above can fail).
        QCOMPARE(runCli(args).exitCode, 0);
        QFile mask(out.filePath("mask.tif"));
        QVERIFY(mask.open(QIODevice::ReadOnly));
        QVERIFY(mask.readAll() != before["mask.tif"]);
    }

    void batchRecordsFailuresAndResumes()
    {
        QTemporaryDir in;
        QTemporaryDir out;
        QVERIFY(QFile::copy(mRaster, in.filePath("a.tif")));
        QVERIFY(QFile::copy(mRaster, in.filePath("b.tif")));
        std::ofstream(in.filePath("broken.tif").toStdString()) << "not a raster";
        std::ofstream(in.filePath("queries.txt").toStdString()) << "the red roofs\n# a comment\nthe blue pools\n";
        const QStringList args{"batch", "--input", in.path(), "--pattern", "*.tif", "--queries", in.filePath("queries.txt"),
                               "--out", out.path(), "--model", "builtin:colour-test", "--tile", "256", "--overlap", "32",
                               "--gate", "0", "--quiet"};
        const Result first = runCli(args);
        QVERIFY2(first.exitCode != 0, "a failed raster must show in the exit code");
        std::ifstream manifest(out.filePath("manifest.jsonl").toStdString());
        std::string line;
        int ok = 0, failed = 0;
        while (std::getline(manifest, line)) {
            const auto j = nlohmann::json::parse(line);
            if (j["status"] == "done")
                ++ok;
            else if (j["status"] == "failed") {
                ++failed;
                QVERIFY(j["input"].get<std::string>().find("broken.tif") != std::string::npos);
                QVERIFY(!j["error"].get<std::string>().empty());
            }
        }
        QCOMPARE(ok, 4); // 2 rasters x 2 queries
        QVERIFY(failed >= 1);
        // Resume: nothing finished is redone.
        const Result again = runCli(QStringList(args) << "--resume");
        QVERIFY2(again.out.contains("0 now, 4 earlier (skipped)"), qPrintable(again.out));
        std::ifstream manifest2(out.filePath("manifest.jsonl").toStdString());
        int ok2 = 0;
        while (std::getline(manifest2, line))
            ok2 += nlohmann::json::parse(line)["status"] == "done";
        QCOMPARE(ok2, 4);
    }
};

QTEST_GUILESS_MAIN(TestSegmentCli)
#include "test_segmentcli.moc"
