// What programs that run rsrefseg rely on (the QGIS provider in app/qgis, scripts): the
// `--progress jsonl` stream, checked line by line (every line one JSON object of a known type,
// a progress line per tile, fractions that never decrease, the untrained-model warning as a
// message, a result, error or cancelled line last), the exit status (0, 1, 2 usage, 130 for
// SIGINT and SIGTERM, with no output left), `--region-crs` (clipped with a warning, outside is
// an error) and `rsrefseg model list --json`.
#include "testpaths.h"
#include "clitestsupport.h"

#include "../../core/geo/rastermaker.h"

#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogr_spatialref.h>

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <set>

using rsrefseg::test::makeRaster;
using rsrefseg::test::RasterSpec;

namespace {

using clitest::Result;
using clitest::runCli;

// Every line of standard error as JSON; a line that is not one JSON object fails the test.
std::vector<nlohmann::json> jsonLines(const QString &err)
{
    std::vector<nlohmann::json> out;
    for (const QString &line : err.split('\n', Qt::SkipEmptyParts)) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(line.toStdString());
        } catch (const nlohmann::json::exception &) {
            qWarning("not JSON: %s", qPrintable(line));
            return {};
        }
        if (!j.is_object() || !j.contains("type")) {
            qWarning("not an event: %s", qPrintable(line));
            return {};
        }
        out.push_back(j);
    }
    return out;
}

// The schema of each line type (README, "--progress jsonl"); returns "" or what is wrong.
std::string checkLine(const nlohmann::json &j)
{
    static const std::set<std::string> types{"progress", "message", "result", "error", "cancelled"};
    const std::string type = j["type"].get<std::string>();
    if (!types.count(type))
        return "unknown type " + type;
    if (type == "progress") {
        if (!j["stage"].is_string() || !j["done"].is_number_integer() || !j["total"].is_number_integer())
            return "progress without stage/done/total";
        if (!j["fraction"].is_number() || j["fraction"].get<double>() < 0.0 || j["fraction"].get<double>() > 1.0)
            return "fraction outside 0..1";
        if (!j.contains("eta_s") || !(j["eta_s"].is_null() || (j["eta_s"].is_number() && j["eta_s"].get<double>() >= 0)))
            return "bad eta_s";
    }
    if (type == "message" && (!j["text"].is_string() || (j["level"] != "info" && j["level"] != "warning")))
        return "message without level info|warning or text";
    if (type == "error" && (!j["text"].is_string() || j["text"].get<std::string>().empty()))
        return "error without text";
    return {};
}

} // namespace

class TestProcessingCli : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    QString mRaster;
    QString mLarge;
    static constexpr int kX0 = 200, kX1 = 400, kY0 = 150, kY1 = 350;

    static int entries(const QString &dir)
    {
        return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot).size();
    }

    // Checks every line and the order; returns the lines.
    static std::vector<nlohmann::json> checkedStream(const Result &r, const std::string &lastType)
    {
        const std::vector<nlohmann::json> lines = jsonLines(r.err);
        if (lines.empty())
            return {};
        double fraction = 0.0;
        for (const nlohmann::json &j : lines) {
            const std::string problem = checkLine(j);
            if (!problem.empty()) {
                qWarning("%s: %s", problem.c_str(), j.dump().c_str());
                return {};
            }
            if (j["type"] == "progress") {
                if (j["fraction"].get<double>() < fraction) {
                    qWarning("fraction decreased: %s", j.dump().c_str());
                    return {};
                }
                fraction = j["fraction"].get<double>();
            }
        }
        if (lines.back()["type"] != lastType) {
            qWarning("last line %s, expected type %s", lines.back().dump().c_str(), lastType.c_str());
            return {};
        }
        return lines;
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        RasterSpec s;
        s.width = 600;
        s.height = 500;
        s.value = [](int b, int x, int y) {
            if (b == 1)
                return x >= kX0 && x < kX1 && y >= kY0 && y < kY1 ? 230.0 : 40.0;
            return double((x * 7 + y * 13) % 100);
        };
        mRaster = QString::fromStdString(makeRaster(mDir.filePath("scene.tif").toStdString(), s));
        QVERIFY(!mRaster.isEmpty());
        s.width = s.height = 1024;
        mLarge = QString::fromStdString(makeRaster(mDir.filePath("large.tif").toStdString(), s));
        QVERIFY(!mLarge.isEmpty());
    }

    void segmentStreamHasALinePerTileAndEndsWithTheResult()
    {
        QTemporaryDir out;
        const Result r = runCli({"segment", mRaster, "--model", "builtin:colour-test", "-q", "the red roofs", "--tile",
                                 "256", "--overlap", "32", "--gate", "0", "--progress", "jsonl", "--out-mask",
                                 out.filePath("mask.tif")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const std::vector<nlohmann::json> lines = checkedStream(r, "result");
        QVERIFY2(!lines.empty(), qPrintable(r.err));
        const nlohmann::json &result = lines.back();
        QCOMPARE(result["command"], "segment");
        QCOMPARE(result["queries"][0]["outputs"]["mask"].get<std::string>(), out.filePath("mask.tif").toStdString());
        QCOMPARE(result["queries"][0]["object_pixels"].get<int64_t>(), int64_t((kX1 - kX0) * (kY1 - kY0)));
        // 600 x 500 in 256 px tiles with 32 px overlap: 3 x 3 tiles. A line for each, in order.
        const int64_t tiles = result["tiles"].get<int64_t>();
        QCOMPARE(tiles, int64_t(9));
        std::vector<int64_t> done;
        for (const nlohmann::json &j : lines)
            if (j["type"] == "progress" && j["stage"] == "tiles") {
                QCOMPARE(j["total"].get<int64_t>(), tiles);
                done.push_back(j["done"].get<int64_t>());
            }
        for (int64_t i = 1; i <= tiles; ++i)
            QVERIFY2(std::find(done.begin(), done.end(), i) != done.end(), qPrintable(QString("tile %1").arg(i)));
        QCOMPARE(lines[lines.size() - 2]["fraction"].get<double>(), 1.0); // the last progress line
        QVERIFY(r.out.contains("Query:")); // the summary stays on standard output
    }

    void untrainedModelWarningIsAMessage()
    {
        // The untrained golden tiny model the build makes (the bundled one until a demo exists).
        QTemporaryDir out;
        const QString tiny = rsrefseg::test::qBinaryDir() + "/share/rsrefseg/models/golden-tiny";
        const Result r = runCli({"segment", mRaster, "--model", tiny, "-q", "roofs", "--tile", "256", "--overlap", "0",
                                 "--progress", "jsonl", "--out-mask", out.filePath("mask.tif")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const std::vector<nlohmann::json> lines = checkedStream(r, "result");
        QVERIFY2(!lines.empty(), qPrintable(r.err));
        bool warned = false;
        for (const nlohmann::json &j : lines)
            warned = warned || (j["type"] == "message" && j["level"] == "warning" &&
                                j["text"].get<std::string>().find("untrained") != std::string::npos);
        QVERIFY2(warned, qPrintable(r.err));
    }

    void errorsAreOneLineAndExitOne()
    {
        QTemporaryDir out;
        const QString missing = mDir.filePath("missing.tif");
        const Result r = runCli({"segment", missing, "--model", "builtin:colour-test", "-q", "roofs", "--progress",
                                 "jsonl", "--out-mask", out.filePath("mask.tif")});
        QCOMPARE(r.exitCode, 1);
        const std::vector<nlohmann::json> lines = checkedStream(r, "error");
        QVERIFY2(!lines.empty(), qPrintable(r.err));
        QVERIFY2(lines.back()["text"].get<std::string>().find(missing.toStdString()) != std::string::npos,
                 qPrintable(r.err));
        QCOMPARE(entries(out.path()), 0);
        // The same for the other commands that stream.
        for (const QStringList &args :
             {QStringList{"batch", "--input", mDir.filePath("none"), "--queries", mDir.filePath("none.txt"), "--out",
                          out.filePath("b")},
              QStringList{"eval", "--model", mDir.filePath("none"), "--data", "d.jsonl", "--images", "."},
              QStringList{"train", "--config", mDir.filePath("none.json")}}) {
            const Result e = runCli(args + QStringList{"--progress", "jsonl"});
            QCOMPARE(e.exitCode, 1);
            QVERIFY2(!checkedStream(e, "error").empty(), qPrintable(args.join(' ') + ": " + e.err));
        }
    }

    void usageErrorsExitTwo()
    {
        for (const QStringList &args : {QStringList{"segment", mRaster, "--no-such-option"}, QStringList{"segment"},
                                        QStringList{"segment", mRaster, "--progress", "xml"},
                                        QStringList{"no-such-command"}}) {
            const Result r = runCli(args);
            QVERIFY2(r.exitCode == 2, qPrintable(args.join(' ') + QString(": exit %1 %2").arg(r.exitCode).arg(r.err)));
        }
        QCOMPARE(runCli({"segment", "--help"}).exitCode, 0);
    }

    void signalsCancelWith130_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }

    void signalsCancelWith130()
    {
        QFETCH(int, signal);
        QTemporaryDir out;
        QProcess p;
        // 1024 x 1024 pixels in 16 px tiles: 4096 tiles, far more than are done before the
        // signal arrives (the test sends it after the first tile's line).
        p.start(rsrefseg::test::envQPath("RSREFSEG_CLI"),
                {"segment", mLarge, "--model", "builtin:colour-test", "-q", "red", "--tile", "16", "--overlap", "0",
                 "--progress", "jsonl", "--out-mask", out.filePath("mask.tif"), "--out-vector", out.filePath("v.gpkg")});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        while (!err.contains("\"stage\":\"tiles\"") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += p.readAllStandardError();
        }
        QVERIFY2(p.state() == QProcess::Running, err.constData());
        ::kill(static_cast<pid_t>(p.processId()), signal);
        QVERIFY(p.waitForFinished(120000));
        err += p.readAllStandardError();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        Result r;
        r.exitCode = p.exitCode();
        r.err = QString::fromUtf8(err);
        const std::vector<nlohmann::json> lines = checkedStream(r, "cancelled");
        QVERIFY2(!lines.empty(), err.constData());
        QCOMPARE(entries(out.path()), 0); // no output, no hidden work folder
    }

    void regionInAnotherCrsIsConvertedAndClipped()
    {
        // scene.tif: EPSG:32633, origin (500000, 5000000), 0.5 m pixels, 600 x 500. The region:
        // x 500050..500250 m, y 4999900..5000100 m (100 m above the raster), given in EPSG:4326.
        OGRSpatialReference utm, wgs84;
        utm.importFromEPSG(32633);
        wgs84.importFromEPSG(4326);
        utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> toWgs(OGRCreateCoordinateTransformation(&utm, &wgs84));
        std::unique_ptr<OGRCoordinateTransformation> toUtm(OGRCreateCoordinateTransformation(&wgs84, &utm));
        double lon0, lat0, lon1, lat1;
        QVERIFY(toWgs->TransformBounds(500050, 4999900, 500250, 5000100, &lon0, &lat0, &lon1, &lat1, 21));
        double x0, y0, x1, y1;
        QVERIFY(toUtm->TransformBounds(lon0, lat0, lon1, lat1, &x0, &y0, &x1, &y1, 21));
        const int c0 = std::max(0, int(std::floor((x0 - 500000) / 0.5 + 1e-6)));
        const int c1 = std::min(600, int(std::ceil((x1 - 500000) / 0.5 - 1e-6)));
        QVERIFY(c0 > 0 && c1 < 600); // clipped at the top only
        const int r1 = int(std::ceil((5000000 - y0) / 0.5 - 1e-6));
        const QString region = QString("%1,%2,%3,%4").arg(lon0, 0, 'g', 17).arg(lat0, 0, 'g', 17).arg(lon1, 0, 'g', 17).arg(lat1, 0, 'g', 17);

        QTemporaryDir out;
        const Result r = runCli({"segment", mRaster, "--model", "builtin:colour-test", "-q", "red", "--tile", "256",
                                 "--overlap", "0", "--gate", "0", "--region", region, "--region-crs", "EPSG:4326",
                                 "--progress", "jsonl", "--out-mask", out.filePath("mask.tif")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const std::vector<nlohmann::json> lines = checkedStream(r, "result");
        QVERIFY2(!lines.empty(), qPrintable(r.err));
        bool clipped = false;
        for (const nlohmann::json &j : lines)
            clipped = clipped || (j["type"] == "message" && j["level"] == "warning" &&
                                  j["text"].get<std::string>().find("lies partly outside the raster") != std::string::npos);
        QVERIFY2(clipped, qPrintable(r.err));
        GDALAllRegister();
        GDALDataset *mask = GDALDataset::Open(out.filePath("mask.tif").toUtf8().constData(), GDAL_OF_RASTER);
        QVERIFY(mask);
        double gt[6];
        mask->GetGeoTransform(gt);
        QCOMPARE(gt[0], 500000.0 + 0.5 * c0);
        QCOMPARE(gt[3], 5000000.0); // clipped at the raster's top
        QCOMPARE(mask->GetRasterXSize(), c1 - c0);
        QCOMPARE(mask->GetRasterYSize(), r1);
        GDALClose(mask);

        // Entirely outside, no region, a CRS that is not one: one error each, nothing written.
        const QStringList base{"segment", mRaster, "--model", "builtin:colour-test", "-q", "red", "--out-mask",
                               out.filePath("other.tif")};
        clitest::expectError(runCli(base + QStringList{"--region", "10,10,11,11", "--region-crs", "EPSG:4326"}),
                             "lies outside the raster", 1);
        clitest::expectError(runCli(base + QStringList{"--region-crs", "EPSG:4326"}), "needs a region", 1);
        clitest::expectError(runCli(base + QStringList{"--region", region, "--region-crs", "EPSG:0"}),
                             "region CRS 'EPSG:0' is not a CRS", 1);
        QVERIFY(!QFile::exists(out.filePath("other.tif")));
    }

    void trainAndEvalStream()
    {
        // A few LoRA steps of the golden tiny model on synthetic scenes, then SIGTERM during a
        // long run (a checkpoint, exit 130), then an evaluation: each a checked stream.
        const QString tiny = rsrefseg::test::qBinaryDir() + "/share/rsrefseg/models/golden-tiny";
        QTemporaryDir d;
        QVERIFY(runCli({"synth", "--out", d.filePath("train"), "--count", "2", "--seed", "5", "--size", "256"}).exitCode == 0);
        const QStringList common{"train", "--init-bundle", tiny, "--lora-rank", "4", "--lora-alpha", "8",
                                 "--batch-size", "1", "--log-every", "1", "--threads", "1", "--train-data",
                                 d.filePath("train/train.jsonl"), "--train-images", d.filePath("train/images"),
                                 "--progress", "jsonl"};
        const Result r = runCli(common + QStringList{"--max-steps", "3", "--out", d.filePath("run")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const std::vector<nlohmann::json> lines = checkedStream(r, "result");
        QVERIFY2(!lines.empty(), qPrintable(r.err));
        std::vector<int64_t> steps;
        for (const nlohmann::json &j : lines)
            if (j["type"] == "progress" && j["stage"] == "train")
                steps.push_back(j["done"].get<int64_t>());
        QCOMPARE(steps, (std::vector<int64_t>{1, 2, 3}));
        QCOMPARE(lines.back()["command"], "train");
        QCOMPARE(lines.back()["steps"].get<int64_t>(), int64_t(3));

        QProcess p;
        p.start(rsrefseg::test::envQPath("RSREFSEG_CLI"),
                common + QStringList{"--epochs", "1000", "--out", d.filePath("long")});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        while (!err.contains("\"stage\":\"train\"") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += p.readAllStandardError();
        }
        QVERIFY2(p.state() == QProcess::Running, err.constData());
        ::kill(static_cast<pid_t>(p.processId()), SIGTERM);
        QVERIFY(p.waitForFinished(120000));
        err += p.readAllStandardError();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        Result stopped;
        stopped.err = QString::fromUtf8(err);
        QVERIFY2(!checkedStream(stopped, "cancelled").empty(), err.constData());
        QVERIFY(QFile::exists(d.filePath("long/last.safetensors")));

        const Result e = runCli({"eval", "--model", tiny, "--data", d.filePath("train/train.jsonl"), "--images",
                                 d.filePath("train/images"), "--threads", "1", "--batch", "1", "--progress", "jsonl"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        const std::vector<nlohmann::json> evalLines = checkedStream(e, "result");
        QVERIFY2(!evalLines.empty(), qPrintable(e.err));
        bool progressed = false, warned = false;
        for (const nlohmann::json &j : evalLines) {
            progressed = progressed || (j["type"] == "progress" && j["stage"] == "eval" && j["done"] == j["total"]);
            warned = warned || (j["type"] == "message" && j["level"] == "warning");
        }
        QVERIFY2(progressed && warned, qPrintable(e.err)); // the untrained model's warning
        QCOMPARE(evalLines.back()["command"], "eval");
    }

    void modelListJson()
    {
        const Result r = runCli({"model", "list", "--json", "--builtin"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const nlohmann::json models = nlohmann::json::parse(r.out.toStdString());
        QVERIFY(models.is_array() && models.size() >= 2);
        const nlohmann::json &first = models.front();
        QVERIFY(first["default"].get<bool>() && first["bundled"].get<bool>());
        QVERIFY(first["architecture"].is_string() && first["name"].is_string() && first["trained"].is_boolean());
        QVERIFY(QFile::exists(QString::fromStdString(first["path"].get<std::string>()) + "/manifest.json"));
        QCOMPARE(models.back()["path"], "builtin:colour-test");

        // A given bundle (a copy of the bundled one) is listed after the bundled ones.
        QTemporaryDir copy;
        for (const QString &f : QDir(QString::fromStdString(first["path"].get<std::string>())).entryList(QDir::Files))
            QVERIFY(QFile::copy(QString::fromStdString(first["path"].get<std::string>()) + "/" + f, copy.filePath(f)));
        const Result given = runCli({"model", "list", "--json", copy.path()});
        QVERIFY2(given.exitCode == 0, qPrintable(given.err));
        const nlohmann::json listed = nlohmann::json::parse(given.out.toStdString());
        QCOMPARE(listed.back()["path"].get<std::string>(), copy.path().toStdString());
        QCOMPARE(listed.back()["bundled"], false);
        for (const char *key : {"name", "architecture", "trained", "path"})
            QVERIFY(listed.back().contains(key));
        // A folder that is not a bundle: one error naming it.
        clitest::expectError(runCli({"model", "list", mDir.path()}), mDir.path(), 1);
    }
};

QTEST_GUILESS_MAIN(TestProcessingCli)
#include "test_processingcli.moc"
