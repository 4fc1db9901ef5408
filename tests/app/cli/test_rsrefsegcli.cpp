// The rsrefseg executable as a user runs it: output, exit codes, one-line errors, and no
// output file left behind by a failed command.
#include "clitestsupport.h"

#include "../../core/geo/rastermaker.h"

#include <nlohmann/json.hpp>
#include <ogrsf_frmts.h>

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using rsrefseg::test::makeRaster;
using rsrefseg::test::RasterSpec;

namespace {

using clitest::Result;
using clitest::run;
using clitest::runCli;
using clitest::expectOneLineError;

} // namespace

class TestRsrefsegCli : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    QString mUtm;

    QString file(const QString &name) const { return mDir.filePath(name); }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        RasterSpec s;
        s.width = 2500;
        s.height = 700;
        mUtm = QString::fromStdString(makeRaster(file("utm.tif").toStdString(), s));
        QVERIFY(!mUtm.isEmpty());
    }

    void versionAndHelp()
    {
        const Result v = runCli({"--version"});
        QCOMPARE(v.exitCode, 0);
        QVERIFY(v.out.startsWith("rsrefseg " RSREFSEG_VERSION));
        QVERIFY(v.out.contains("GDAL"));
        const Result h = runCli({"--help"});
        QCOMPARE(h.exitCode, 0);
        QVERIFY(h.out.contains("info"));
        QVERIFY(h.out.contains("tiles"));
        const Result th = runCli({"tiles", "--help"});
        QCOMPARE(th.exitCode, 0);
        QVERIFY(th.out.contains("--overlap"));
        QVERIFY(runCli({}).exitCode != 0);
    }

    void infoText()
    {
        const Result r = runCli({"info", mUtm});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("2500 x 700 pixels, 3 band(s)"));
        QVERIFY(r.out.contains("EPSG:32633"));
        QVERIFY(r.err.isEmpty());
    }

    void infoJson()
    {
        const Result r = runCli({"info", mUtm, "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["width"].get<int>(), 2500);
        QCOMPARE(j["crs"]["epsg"].get<int>(), 32633);
        QCOMPARE(j["georeferenced"].get<bool>(), true);
        QCOMPARE(j["extent"][2].get<double>(), 500000.0 + 2500 * 0.5);
        QCOMPARE(j["rgb"]["bands"], nlohmann::json({1, 2, 3}));
    }

    void plainPngWorksInPixels()
    {
        RasterSpec s;
        s.epsg = 0;
        s.driver = "PNG";
        const QString png = QString::fromStdString(makeRaster(file("plain.png").toStdString(), s));
        const Result r = runCli({"info", png});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("pixel coordinates"));
        QVERIFY(r.err.contains("no georeference"));
        const Result t = runCli({"tiles", png, "--tile", "32", "--overlap", "8", "--json"});
        QCOMPARE(t.exitCode, 0);
        const auto j = nlohmann::json::parse(t.out.toStdString());
        QCOMPARE(j["georeferenced"].get<bool>(), false);
    }

    void tilesJsonAndGeoJson()
    {
        const QString out = file("tiles.geojson");
        const Result r = runCli({"tiles", mUtm, "--tile", "1024", "--overlap", "128", "--json", "--geojson", out});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["count"].get<int>(), 3);
        QCOMPARE(j["tiles"][2]["window"], nlohmann::json({1476, 0, 1024, 1024}));
        QCOMPARE(j["tiles"][2]["valid"], nlohmann::json({1476, 0, 1024, 700}));

        GDALAllRegister();
        GDALDataset *ds = GDALDataset::FromHandle(GDALOpenEx(out.toUtf8().constData(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
        QVERIFY(ds);
        OGRLayer *layer = ds->GetLayer(0);
        QCOMPARE(layer->GetFeatureCount(), GIntBig(3));
        OGRSpatialReference *srs = layer->GetSpatialRef();
        QVERIFY(srs);
        srs->AutoIdentifyEPSG();
        QCOMPARE(QString(srs->GetAuthorityCode(nullptr)), QString("32633"));
        OGRFeature *f = nullptr;
        int tileOne = 0; // the envelope below must really be checked: exactly one feature has id 1
        while ((f = layer->GetNextFeature()) != nullptr) {
            if (f->GetFieldAsInteger("id") == 1) {
                ++tileOne;
                OGREnvelope env;
                f->GetGeometryRef()->getEnvelope(&env);
                // Tile 1 starts at pixel 896; computed independently from the raster's transform.
                QCOMPARE(env.MinX, 500000.0 + 896 * 0.5);
                QCOMPARE(env.MaxX, 500000.0 + 1920 * 0.5);
                QCOMPARE(env.MaxY, 5000000.0);
                QCOMPARE(env.MinY, 5000000.0 - 700 * 0.5);
            }
            OGRFeature::DestroyFeature(f);
        }
        GDALClose(ds);
        QCOMPARE(tileOne, 1);
        // A second run refuses to overwrite, then succeeds with --overwrite.
        expectOneLineError(runCli({"tiles", mUtm, "--geojson", out}), "already exists");
        QCOMPARE(runCli({"tiles", mUtm, "--geojson", out, "--overwrite"}).exitCode, 0);
    }

    void sizesAroundOneTile_data()
    {
        QTest::addColumn<int>("tile");
        QTest::addColumn<int>("count");
        QTest::newRow("raster larger than a tile") << 1024 << 3;
        QTest::newRow("raster equal to a tile in width") << 2500 << 1;
        QTest::newRow("raster smaller than a tile") << 4096 << 1;
    }

    void sizesAroundOneTile()
    {
        QFETCH(int, tile);
        QFETCH(int, count);
        const Result r = runCli({"tiles", mUtm, "--tile", QString::number(tile), "--overlap", "0", "--json"});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(nlohmann::json::parse(r.out.toStdString())["count"].get<int>(), count);
    }

    void badInputs_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("needle");
        QTest::newRow("missing file") << "missing" << "no such file";
        QTest::newRow("directory") << "directory" << "directory";
        QTest::newRow("text file") << "text" << "cannot open raster";
        QTest::newRow("empty file") << "empty" << "empty";
        QTest::newRow("0 bands") << "nobands" << "no raster bands";
        QTest::newRow("2 bands") << "twobands" << "--bands";
        QTest::newRow("tile 0") << "tile0" << "tile size";
        QTest::newRow("overlap >= tile") << "overlap" << "overlap";
        QTest::newRow("unknown vector extension") << "extension" << "unknown vector format";
    }

    void badInputs()
    {
        QFETCH(QString, kind);
        QFETCH(QString, needle);
        QTemporaryDir outDir;
        const QString out = outDir.filePath("tiles.geojson");
        QString raster = mUtm;
        QStringList extra;
        if (kind == "missing") {
            raster = file("nope.tif");
        } else if (kind == "directory") {
            raster = mDir.path();
        } else if (kind == "text") {
            raster = file("readme.txt");
            std::ofstream(raster.toStdString()) << "hello\n";
        } else if (kind == "empty") {
            raster = file("empty.tif");
            std::ofstream(raster.toStdString()).flush();
        } else if (kind == "nobands") {
            raster = file("container.nc");
            QVERIFY(rsrefseg::test::makeNoBandContainer(raster.toStdString()));
        } else if (kind == "twobands") {
            RasterSpec s;
            s.bands = 2;
            raster = QString::fromStdString(makeRaster(file("two.tif").toStdString(), s));
        } else if (kind == "tile0") {
            extra = {"--tile", "0"};
        } else if (kind == "overlap") {
            extra = {"--tile", "256", "--overlap", "256"};
        }
        const QString target = kind == "extension" ? outDir.filePath("tiles.kml") : out;
        for (const QString &command : {QString("info"), QString("tiles")}) {
            if (command == "info" && (kind == "tile0" || kind == "overlap" || kind == "extension"))
                continue;
            QStringList args{command, raster};
            if (command == "tiles")
                args << extra << "--geojson" << target;
            expectOneLineError(runCli(args), needle);
        }
        // Nothing written, not even a temporary file.
        QCOMPARE(QDir(outDir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRsrefsegCli)
#include "test_rsrefsegcli.moc"
