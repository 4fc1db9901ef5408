// StartupBenchmark: in the real main window with the real worker it times the first drawn view
// and two queries on the visible tiles, and the second query hits the image-feature cache (no
// image encoder run); failures (a raster that does not open) end it with an "error".
#include "ui/startupbenchmark.h"

#include "ui/appsettings.h"
#include "ui/mainwindow.h"

#include "uitestsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rsrefseg;

class TestStartupBenchmark : public QObject
{
    Q_OBJECT
  private:
    QTemporaryDir mDir;
    QString mRaster;

    // Runs the benchmark to its end; returns (ok, parsed JSON).
    std::pair<bool, QJsonObject> run(const QString &raster, int loadMs)
    {
        AppSettings settings(mDir.filePath(QStringLiteral("settings-%1.ini").arg(loadMs)));
        settings.setTileSize(128);
        settings.setOverlap(0);
        settings.setGateThreshold(0.0);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        MainWindow window(&settings, uitest::fixedFactory(model, loadMs));
        window.resize(900, 700);
        window.show();
        StartupBenchmark::Options o;
        o.raster = raster;
        o.queries = {QStringLiteral("red"), QStringLiteral("red things")};
        StartupBenchmark bench(&window, o);
        QSignalSpy done(&bench, &StartupBenchmark::finished);
        bench.start();
        if (!uitest::waitFor([&] { return done.count() > 0; }, 60000))
            return {false, QJsonObject{{QStringLiteral("error"), QStringLiteral("timed out")}}};
        const QJsonObject json = QJsonDocument::fromJson(done.front().at(1).toString().toUtf8()).object();
        return {done.front().at(0).toBool(), json};
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mRaster = mDir.filePath(QStringLiteral("square.tif"));
        uitest::writeRedSquareRaster(mRaster, 256, 64, 64, 64);
    }

    void timesViewLoadAndBothQueries()
    {
        const auto [ok, json] = run(mRaster, 300);
        QVERIFY2(ok, qPrintable(json.value(QStringLiteral("error")).toString()));

        const double shown = json.value(QStringLiteral("window_shown_since_process_start_s")).toDouble();
        const double ready = json.value(QStringLiteral("model_ready_since_process_start_s")).toDouble();
        QVERIFY(shown > 0.0);
        QVERIFY(ready > shown); // the model loads on the worker after the window is up
        QVERIFY(json.value(QStringLiteral("raster_open_to_first_view_s")).toDouble() > 0.0);
        QVERIFY(json.value(QStringLiteral("model_load_s")).toDouble() >= 0.29); // the factory sleeps 300 ms

        const QJsonObject first = json.value(QStringLiteral("first_query")).toObject();
        const QJsonObject second = json.value(QStringLiteral("second_query")).toObject();
        QCOMPARE(first.value(QStringLiteral("query")).toString(), QStringLiteral("red"));
        QCOMPARE(second.value(QStringLiteral("query")).toString(), QStringLiteral("red things"));
        // The visible extent of a 256 px raster with 128 px tiles: 4 tiles, each reported.
        QCOMPARE(first.value(QStringLiteral("tiles")).toInt(), 4);
        QCOMPARE(second.value(QStringLiteral("tiles")).toInt(), 4);
        QCOMPARE(second.value(QStringLiteral("tile_mask_shown_s")).toArray().size(), 4);
        // The first query waited for the model load; the second did not, and ran no image encoder.
        QVERIFY(first.value(QStringLiteral("seconds")).toDouble() >= 0.29);
        const QJsonObject cache2 = second.value(QStringLiteral("cache")).toObject();
        QCOMPARE(cache2.value(QStringLiteral("image_encoder_runs")).toInt(), 0);
        QCOMPARE(cache2.value(QStringLiteral("memory_hits")).toInt(), 4);
        QCOMPARE(first.value(QStringLiteral("cache")).toObject().value(QStringLiteral("image_encoder_runs")).toInt(), 4);
        double last = 0.0;
        for (const QJsonValue &v : second.value(QStringLiteral("tile_mask_shown_s")).toArray()) {
            QVERIFY(v.toDouble() >= last); // in arrival order
            last = v.toDouble();
        }
        QVERIFY(last <= second.value(QStringLiteral("seconds")).toDouble());
        QVERIFY(json.value(QStringLiteral("peak_rss_mb")).toDouble() > 0.0);
    }

    void aRasterThatDoesNotOpenEndsWithAnError()
    {
        const auto [ok, json] = run(mDir.filePath(QStringLiteral("missing.tif")), 0);
        QVERIFY(!ok);
        QVERIFY(json.value(QStringLiteral("error")).toString().contains(QStringLiteral("missing.tif")));
    }

    void processStartIsInThePast()
    {
        const double s = StartupBenchmark::secondsSinceProcessStart();
        QVERIFY(s > 0.0);
        QVERIFY(s < 3600.0);
    }
};

QTEST_MAIN(TestStartupBenchmark)
#include "test_startupbenchmark.moc"
