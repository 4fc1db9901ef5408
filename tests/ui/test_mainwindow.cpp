// The desktop application end to end, offscreen: open a raster, run queries with the tiny
// golden model and with a deterministic test model, watch tiles arrive, cancel, export and
// reopen, restart the window with the same settings, keep the event loop responsive during a
// long job, and let a burst of queries end with only the last one run.
#include "ui/appsettings.h"
#include "ui/exportdialog.h"
#include "ui/jobprogresspanel.h"
#include "ui/layertreemodel.h"
#include "ui/mainwindow.h"
#include "ui/mapcanvas.h"
#include "ui/mapstatusbar.h"
#include "ui/messagebar.h"
#include "ui/querybar.h"
#include "ui/querycontroller.h"
#include "ui/rasterlayer.h"
#include "ui/resultlayer.h"
#include "ui/settingsdialog.h"
#include "ui/tileinspector.h"

#include "geo/raster.h"
#include "uitestsupport.h"

#include <QElapsedTimer>
#include <QComboBox>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <QMouseEvent>

#include <algorithm>
#include <cmath>
#include "testpathsqt.h"

using namespace rsrefseg;

namespace {

const int kSize = 256;   // test raster side
const int kSquare = 64;  // the red square, at (64, 64)

std::shared_ptr<ResultLayer> onlyResult(MainWindow &w)
{
    const auto results = w.layers()->resultLayers();
    return results.size() == 1 ? results.front() : nullptr;
}

int openAndWait(MainWindow &w, const QString &path)
{
    QSignalSpy opened(&w, &MainWindow::rasterOpened);
    w.openRaster(path);
    if (!opened.wait(20000))
        return 0;
    return opened.first().at(0).toInt();
}

// Where the query bar's key presses go: the editable combo box, which holds the focus for its
// line edit (the line edit's focus proxy) and passes keys on to it. Pressing Return on the line
// edit itself would deliver the key twice (the line edit ignores Return after handling it, so
// it reaches the combo box, which hands it to the line edit again): two runs per key press.
QComboBox *queryBox(MainWindow &w)
{
    for (QComboBox *c : w.queryBar()->findChildren<QComboBox *>())
        if (c->isEditable())
            return c;
    return nullptr;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
  private:
    QTemporaryDir mDir;
    QString mRaster;
    QString mTinyBundle;

    std::unique_ptr<AppSettings> settings(const QString &name)
    {
        auto s = std::make_unique<AppSettings>(mDir.filePath(name + QStringLiteral(".ini")));
        s->setTileSize(64);
        s->setOverlap(0);
        s->setCacheDir(mDir.filePath(QStringLiteral("cache")));
        return s;
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mRaster = mDir.filePath(QStringLiteral("square.tif"));
        uitest::writeRedSquareRaster(mRaster, kSize, kSquare, kSquare, kSquare);
        mTinyBundle = mDir.filePath(QStringLiteral("tiny"));
        uitest::buildTinyBundle(mTinyBundle);
    }

    void openRasterAddsALayerWithTheRightExtent()
    {
        auto s = settings(QStringLiteral("open"));
        MainWindow w(s.get(), uitest::fixedFactory(std::make_shared<ColourTestModel>()));
        w.show();
        const int id = openAndWait(w, mRaster);
        QVERIFY(id);
        const auto layer = w.layers()->rasterLayer(id);
        QVERIFY(layer);
        const MapBox e = layer->extent();
        QCOMPARE(e.minX, 500000.0);
        QCOMPARE(e.maxX, 500000.0 + kSize * 0.5);
        QCOMPARE(e.maxY, 5000000.0);
        QCOMPARE(e.minY, 5000000.0 - kSize * 0.5);
        QVERIFY(w.windowTitle().startsWith(QStringLiteral("square")));
        // The view fits the raster and the raster is drawn (in the background).
        const MapBox view = w.canvas()->viewport().extent();
        QVERIFY(view.minX <= e.minX && view.maxX >= e.maxX && view.minY <= e.minY && view.maxY >= e.maxY);
        QTRY_VERIFY_WITH_TIMEOUT(w.canvas()->rendersFinished() > 0, 10000);
        const QImage img = w.canvas()->rasterImage();
        const QPointF red = w.canvas()->viewport().toScreen(QPointF(500000 + 48.0, 5000000 - 48.0));
        QCOMPARE(QColor(img.pixel(red.toPoint())), QColor(255, 0, 0));
        // The status bar follows the mouse in map, geographic and pixel coordinates.
        QTest::mouseMove(w.canvas(), red.toPoint());
        QTRY_VERIFY(w.mapStatusBar()->coordinateText().contains(QStringLiteral("EPSG:32633")));
        QVERIFY(w.mapStatusBar()->lonLatText().contains(QStringLiteral("°E")));
        QVERIFY(w.mapStatusBar()->pixelText().contains(QStringLiteral("96")));
        QVERIFY(w.mapStatusBar()->scaleText().startsWith(QStringLiteral("1:")));
        // And the file is remembered.
        QCOMPARE(s->recentFiles().first(), QFileInfo(mRaster).absoluteFilePath());
    }

    void unreadableRasterGivesOneMessageNoDialog()
    {
        auto s = settings(QStringLiteral("bad"));
        MainWindow w(s.get(), uitest::fixedFactory(std::make_shared<ColourTestModel>()));
        QSignalSpy failed(&w, &MainWindow::rasterFailed);
        const QString bogus = mDir.filePath(QStringLiteral("not-a-raster.tif"));
        QFile f(bogus);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("hello");
        f.close();
        w.openRaster(bogus);
        QVERIFY(failed.wait(10000));
        QCOMPARE(w.layers()->count(), 0);
        QVERIFY(w.messageBar()->isVisibleTo(&w));
        QVERIFY(w.messageBar()->currentTitle().contains(QStringLiteral("not-a-raster.tif")));
    }

    void tinyModelQueryFillsAResultLayerTileByTile()
    {
        auto s = settings(QStringLiteral("tiny"));
        s->setModelBundle(mTinyBundle);
        s->setTileSize(128);
        s->setOverlap(16);
        s->setGateThreshold(0.0);
        MainWindow w(s.get()); // the real bundle loader
        w.show();
        const QString sample = rsrefseg::test::qSourceDir() + QStringLiteral("/resources/samples/sample.tif");
        QVERIFY(openAndWait(w, sample));
        // Observe the layer after every tile: it must exist and fill in while the job runs.
        std::vector<int> seen;
        bool runningEachTime = true;
        connect(w.worker(), &SegmentationWorker::tileFinished, this, [&] {
            if (const auto r = onlyResult(w)) {
                seen.push_back(r->reportedTiles());
                runningEachTime = runningEachTime && r->state() == ResultLayer::State::Running;
            }
        });
        QSignalSpy finished(w.queryController(), &QueryController::resultFinished);
        QSignalSpy requested(w.queryBar(), &QueryBar::runRequested);
        w.queryBar()->setText(QStringLiteral("the plane on the right"));
        w.queryBar()->setMode(SegmentationSettings::Mode::Tiled);
        w.queryBar()->setArea(QueryBar::Area::WholeRaster);
        QTest::keyClick(queryBox(w), Qt::Key_Return);
        QCOMPARE(requested.size(), 1); // one key press, one run
        QVERIFY(finished.wait(120000));
        QTRY_COMPARE_WITH_TIMEOUT(w.worker()->completedJobs(), 1, 10000);
        const auto r = onlyResult(w);
        QVERIFY(r);
        QCOMPARE(r->state(), ResultLayer::State::Finished);
        QVERIFY(!r->modelTrained());
        QCOMPARE(r->window().width, 512);
        QCOMPARE(r->window().height, 512);
        QCOMPARE(r->probabilityImage().width(), 512);
        QVERIFY(r->result());
        QCOMPARE(r->result()->grid.width, 512);
        QCOMPARE(r->result()->grid.height, 512);
        // 512 px with 128 px tiles and 16 px overlap: 5 x 5 tiles, reported one by one.
        QCOMPARE(int(r->tiles().size()), 25);
        QCOMPARE(int(seen.size()), 25);
        QVERIFY(runningEachTime);
        for (size_t i = 0; i < seen.size(); ++i)
            QCOMPARE(seen[i], int(i) + 1);
        const MapBox e = r->extent();
        const MapBox re = w.layers()->topRasterLayer()->extent();
        QCOMPARE(e.minX, re.minX);
        QCOMPARE(e.maxY, re.maxY);
        QVERIFY(w.mapStatusBar()->modelText().contains(QStringLiteral("UNTRAINED")));
    }

    void colourModelResultIsExactAndInspectable()
    {
        auto s = settings(QStringLiteral("colour"));
        MainWindow w(s.get(), uitest::fixedFactory(std::make_shared<ColourTestModel>()));
        w.resize(1200, 800);
        w.show();
        QVERIFY(openAndWait(w, mRaster));
        QSignalSpy finished(w.queryController(), &QueryController::resultFinished);
        w.queryBar()->setText(QStringLiteral("the red square"));
        w.queryBar()->setMode(SegmentationSettings::Mode::Tiled);
        w.queryBar()->setArea(QueryBar::Area::WholeRaster);
        QVERIFY(w.queryController()->run(w.queryBar()->input()));
        QVERIFY(finished.wait(30000));
        const auto r = onlyResult(w);
        QVERIFY(r);
        QCOMPARE(r->objectPixels(), int64_t(kSquare * kSquare));
        QCOMPARE(r->polygonCount(), int64_t(1));
        bool m2 = false;
        QCOMPARE(r->objectArea(&m2), kSquare * kSquare * 0.25); // 0.5 m pixels
        QVERIFY(m2);
        // The display: inside the square above the threshold, outside below.
        QVERIFY(qAlpha(r->colouredImage().pixel(96, 96)) > 0);
        QCOMPARE(qAlpha(r->colouredImage().pixel(10, 10)), 0);
        // Tiles without red are gated out, the square's tile segmented.
        int gated = 0;
        for (const TileRecord &t : r->tiles())
            gated += t.display() == TileRecord::Display::Gated;
        QCOMPARE(gated, 15);

        // Inspect the tile under the square's centre by clicking it.
        w.action(QStringLiteral("actionInspect"))->trigger();
        QCOMPARE(w.canvas()->tool(), MapCanvas::Tool::InspectTile);
        const QPointF p = w.canvas()->viewport().toScreen(QPointF(500000 + 48.0, 5000000 - 48.0));
        QSignalSpy loaded(w.tileInspector(), &TileInspector::imageLoaded);
        QTest::mouseClick(w.canvas(), Qt::LeftButton, Qt::NoModifier, p.toPoint());
        QVERIFY(loaded.wait(10000));
        QCOMPARE(w.tileInspector()->layerId(), r->id());
        const TileRecord &t = r->tiles()[static_cast<size_t>(w.tileInspector()->tileIndex())];
        QCOMPARE(t.tile.row, 1);
        QCOMPARE(t.tile.column, 1);
        QVERIFY(w.tileInspector()->valueText(QStringLiteral("relevance")).startsWith(QStringLiteral("1.000")));
        QVERIFY(w.tileInspector()->valueText(QStringLiteral("state")).contains(QStringLiteral("segmented")));
        const QImage input = w.tileInspector()->inputImage();
        QCOMPARE(QColor(input.pixel(input.width() / 2, input.height() / 2)), QColor(255, 0, 0));
        // The heat map: the activation of a red tile is high everywhere -> turbo's red end.
        const QImage heat = w.tileInspector()->heatMapImage();
        QVERIFY(!heat.isNull());
        QVERIFY(heat != input.convertToFormat(heat.format()));
        QVERIFY(QColor(heat.pixel(heat.width() / 2, heat.height() / 2)).red() > 150);
    }

    void viewModeUsesTheVisibleExtentAndDrawnRectangle()
    {
        auto s = settings(QStringLiteral("view"));
        MainWindow w(s.get(), uitest::fixedFactory(std::make_shared<ColourTestModel>()));
        w.resize(1000, 700);
        w.show();
        QVERIFY(openAndWait(w, mRaster));
        // Zoom so that the view shows only the raster's top-left quarter.
        w.canvas()->zoomToExtent({500000.0, 5000000.0 - 64.0, 500000.0 + 64.0, 5000000.0});
        const MapBox view = w.canvas()->viewport().extent();
        QSignalSpy finished(w.queryController(), &QueryController::resultFinished);
        QVERIFY(w.queryController()->run({QStringLiteral("red"), SegmentationSettings::Mode::View,
                                          QueryBar::Area::VisibleExtent}));
        QVERIFY(finished.wait(30000));
        auto r = onlyResult(w);
        QVERIFY(r);
        QCOMPARE(int(r->tiles().size()), 1); // one model input
        QCOMPARE(r->window().x, 0);
        QCOMPARE(r->window().y, 0);
        // The visible part of the raster (view clipped to it), in whole pixels.
        const int expectW = int(std::ceil((std::min(view.maxX, 500000.0 + kSize * 0.5) - 500000.0) / 0.5 - 1e-6));
        QCOMPARE(r->window().width, expectW);
        QVERIFY(r->window().width < kSize);

        // Draw a rectangle with the mouse and segment only that.
        w.layers()->removeLayer(r->id());
        w.canvas()->zoomToFullExtent();
        w.action(QStringLiteral("actionRegion"))->trigger();
        const QPoint a = w.canvas()->viewport().toScreen(QPointF(500000 + 20.0, 5000000 - 20.0)).toPoint();
        const QPoint b = w.canvas()->viewport().toScreen(QPointF(500000 + 60.0, 5000000 - 60.0)).toPoint();
        QSignalSpy drawn(w.canvas(), &MapCanvas::regionDrawn);
        QTest::mousePress(w.canvas(), Qt::LeftButton, Qt::NoModifier, a);
        QMouseEvent move(QEvent::MouseMove, QPointF(b), w.canvas()->mapToGlobal(QPointF(b)), Qt::NoButton,
                         Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(w.canvas(), &move);
        QTest::mouseRelease(w.canvas(), Qt::LeftButton, Qt::NoModifier, b);
        QCOMPARE(drawn.size(), 1);
        QCOMPARE(w.queryBar()->area(), QueryBar::Area::DrawnRegion);
        QVERIFY(w.queryController()->run({QStringLiteral("red"), SegmentationSettings::Mode::View,
                                          QueryBar::Area::DrawnRegion}));
        QVERIFY(finished.wait(30000));
        r = onlyResult(w);
        QVERIFY(r);
        // About 40 m x 40 m at 0.5 m: 80 pixels (the mouse works in whole screen pixels).
        QVERIFY2(qAbs(r->window().width - 80) <= 4, qPrintable(QString::number(r->window().width)));
        QVERIFY(qAbs(r->window().x - 40) <= 2);
        // Without a drawn rectangle the query is refused with a message, not a dialog.
        w.canvas()->clearDrawnRegion();
        QCOMPARE(w.queryController()->run({QStringLiteral("red"), SegmentationSettings::Mode::View,
                                           QueryBar::Area::DrawnRegion}),
                 0);
        QCOMPARE(w.messageBar()->currentTitle(), QStringLiteral("No rectangle"));
    }

    void cancelStopsAndLeavesNoPartialLayer()
    {
        auto s = settings(QStringLiteral("cancel"));
        s->setTileSize(32);
        auto model = std::make_shared<uitest::GatedModel>();
        model->allow(2); // two tiles finish, the third is held while the query is cancelled
        MainWindow w(s.get(), uitest::fixedFactory(model));
        w.show();
        QVERIFY(openAndWait(w, mRaster));
        QSignalSpy started(w.queryController(), &QueryController::resultStarted);
        QSignalSpy removed(w.queryController(), &QueryController::resultRemoved);
        w.queryBar()->setText(QStringLiteral("red"));
        w.queryBar()->setMode(SegmentationSettings::Mode::Tiled);
        w.queryBar()->setArea(QueryBar::Area::WholeRaster);
        QVERIFY(w.queryController()->run(w.queryBar()->input()));
        QVERIFY(started.wait(10000));
        QVERIFY(model->waitUntilDecoding(10000));
        QVERIFY(uitest::waitFor([&] { return onlyResult(w) && onlyResult(w)->reportedTiles() >= 2; }, 10000));
        QCOMPARE(w.layers()->count(), 2);
        w.action(QStringLiteral("actionCancel"))->trigger();
        model->open();
        QVERIFY(removed.wait(30000));
        QVERIFY(uitest::waitFor([&] { return w.worker()->isIdle(); }, 30000));
        QCOMPARE(model->decodeCalls(), int64_t(3)); // the held decode ended; no tile after it
        QCOMPARE(w.layers()->count(), 1);           // the raster only
        QVERIFY(w.layers()->resultLayers().empty());
        QVERIFY(!w.queryController()->isRunning());
        QCOMPARE(w.worker()->completedJobs(), 0);
        // Nothing left in the session folder, hidden temporary files and work folders included.
        const QStringList left = uitest::allEntries(w.queryController()->sessionDir());
        QVERIFY2(left.isEmpty(), qPrintable(left.join(QStringLiteral(", "))));
    }

    void exportWritesFilesThatReopenWithTheRightCrs()
    {
        auto s = settings(QStringLiteral("export"));
        MainWindow w(s.get(), uitest::fixedFactory(std::make_shared<ColourTestModel>()));
        QVERIFY(openAndWait(w, mRaster));
        QSignalSpy finished(w.queryController(), &QueryController::resultFinished);
        QVERIFY(w.queryController()->run({QStringLiteral("red"), SegmentationSettings::Mode::Tiled,
                                          QueryBar::Area::WholeRaster}));
        QVERIFY(finished.wait(30000));
        const auto layer = onlyResult(w);
        QVERIFY(layer);

        const QString mask = mDir.filePath(QStringLiteral("out/red.tif"));
        const QString prob = mDir.filePath(QStringLiteral("out/red.prob.tif"));
        const QString vector = mDir.filePath(QStringLiteral("out/red.gpkg"));
        QDir().mkpath(mDir.filePath(QStringLiteral("out")));
        ExportDialog d(layer, w.worker(), s.get());
        d.setMaskPath(mask);
        d.setProbabilityPath(prob);
        d.setVectorPath(vector);
        d.setSimplifyTolerance(0.0);
        d.setMinimumArea(10.0, true);
        QSignalSpy done(&d, &ExportDialog::exportFinished);
        QVERIFY(d.startExport());
        QVERIFY(done.wait(30000));
        QVERIFY(done.first().at(0).toBool());
        QVERIFY(d.progressPanel()->logText().contains(QStringLiteral("1 polygon")));

        const Raster source = Raster::open(mRaster.toStdString());
        for (const QString &path : {mask, prob}) {
            const Raster out = Raster::open(path.toStdString());
            QVERIFY(out.info().epsg);
            QCOMPARE(*out.info().epsg, 32633);
            QCOMPARE(out.info().width, kSize);
            QCOMPARE(out.info().geoTransform.coefficients(), source.info().geoTransform.coefficients());
        }
        // The mask holds exactly the square.
        GDALDataset *m = GDALDataset::Open(mask.toUtf8().constData(), GDAL_OF_RASTER);
        QVERIFY(m);
        std::vector<unsigned char> px(static_cast<size_t>(kSize) * kSize);
        QCOMPARE(m->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, kSize, kSize, px.data(), kSize, kSize, GDT_Byte, 0, 0),
                 CE_None);
        GDALClose(m);
        QCOMPARE(int(std::count(px.begin(), px.end(), 1)), kSquare * kSquare);
        // The polygons: one feature in EPSG:32633 with the query as attribute, area 1024 m2.
        GDALDataset *v = GDALDataset::Open(vector.toUtf8().constData(), GDAL_OF_VECTOR);
        QVERIFY(v);
        OGRLayer *l = v->GetLayer(0);
        QVERIFY(l->GetSpatialRef());
        QCOMPARE(QString::fromLatin1(l->GetSpatialRef()->GetAuthorityCode(nullptr)), QStringLiteral("32633"));
        QCOMPARE(int(l->GetFeatureCount()), 1);
        OGRFeature *f = l->GetNextFeature();
        QCOMPARE(QString::fromUtf8(f->GetFieldAsString("query")), QStringLiteral("red"));
        QVERIFY(qAbs(f->GetGeometryRef()->toPolygon()->get_Area() - kSquare * kSquare * 0.25) < 1e-6);
        OGRFeature::DestroyFeature(f);
        GDALClose(v);
    }

    void settingsPersistAcrossARestartOfTheWindow()
    {
        const QString ini = mDir.filePath(QStringLiteral("restart.ini"));
        {
            AppSettings s(ini);
            MainWindow w(&s, uitest::fixedFactory(std::make_shared<ColourTestModel>()));
            w.show();
            SettingsDialog d(&s, &w);
            d.setTileSize(320);
            d.setOverlap(40);
            d.setGateThreshold(0.25);
            d.setCacheBudgetMb(640);
            d.setLanguage(QStringLiteral("de"));
            d.setModelBundle(mTinyBundle);
            d.apply();
            QVERIFY(d.languageChanged());
            QVERIFY(openAndWait(w, mRaster));
            QSignalSpy finished(w.queryController(), &QueryController::resultFinished);
            w.action(QStringLiteral("actionTileGrid"))->setChecked(false);
            w.queryBar()->setText(QStringLiteral("red roofs"));
            s.setTileSize(64); // keep the query fast; the dialog's values are checked below
            s.setModelBundle(QString());
            QVERIFY(w.queryController()->run(w.queryBar()->input()));
            QVERIFY(finished.wait(30000));
            s.setTileSize(320);
            s.setModelBundle(mTinyBundle);
            w.resize(1000, 700);
            w.close();
        }
        AppSettings s(ini);
        QCOMPARE(s.tileSize(), 320);
        QCOMPARE(s.overlap(), 40);
        QCOMPARE(s.gateThreshold(), 0.25);
        QCOMPARE(s.cacheBudgetMb(), 640);
        QCOMPARE(s.language(), QStringLiteral("de"));
        QCOMPARE(s.modelBundle(), mTinyBundle);
        MainWindow w(&s, uitest::fixedFactory(std::make_shared<ColourTestModel>()));
        w.show();
        QCOMPARE(w.size(), QSize(1000, 700));
        QVERIFY(!w.action(QStringLiteral("actionTileGrid"))->isChecked());
        QVERIFY(w.queryBar()->history().contains(QStringLiteral("red roofs")));
        QCOMPARE(s.recentFiles().first(), QFileInfo(mRaster).absoluteFilePath());
        QCOMPARE(w.worker()->modelSpec().bundleDir, mTinyBundle);
        SettingsDialog again(&s, &w);
        again.loadFromSettings();
        QVERIFY(!again.languageChanged());
    }

    void eventLoopKeepsAnsweringDuringALongJob()
    {
        // Event-driven, not timed: while the job's decode is held at the model's gate, the GUI
        // thread must go on handling timers and finishing map renders (it would not if the
        // forward pass ran on it), and no model call may ever run on the GUI thread. The
        // latency of the event loop is printed for information (benchmarks hold the targets).
        auto s = settings(QStringLiteral("responsive"));
        s->setTileSize(32);
        auto model = std::make_shared<uitest::GatedModel>();
        model->allow(1);
        MainWindow w(s.get(), uitest::fixedFactory(model));
        w.show();
        QVERIFY(openAndWait(w, mRaster));
        QSignalSpy started(w.queryController(), &QueryController::resultStarted);
        QVERIFY(w.queryController()->run({QStringLiteral("red"), SegmentationSettings::Mode::Tiled,
                                          QueryBar::Area::WholeRaster}));
        QVERIFY(started.wait(10000));
        QVERIFY(model->waitUntilDecoding(10000)); // the second decode is held from here on
        std::vector<qint64> latencies;
        QElapsedTimer clock;
        clock.start();
        qint64 last = clock.elapsed();
        int ticks = 0;
        QTimer tick;
        tick.setInterval(20);
        connect(&tick, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            latencies.push_back(now - last - 20);
            last = now;
            ++ticks;
            // Interact meanwhile: zoom the map (renders start and are cancelled or finish).
            if (ticks % 10 == 0)
                w.canvas()->zoomIn();
            if (ticks % 10 == 5)
                w.canvas()->zoomOut();
        });
        tick.start();
        QVERIFY(uitest::waitFor([&] { return ticks >= 40; }, 60000));
        tick.stop();
        const int rendersBefore = w.canvas()->rendersFinished();
        w.canvas()->zoomOut();
        QVERIFY(uitest::waitFor([&] { return w.canvas()->rendersFinished() > rendersBefore; }, 30000));
        QVERIFY(model->waitUntilDecoding(0)); // still held: all of that happened during the job
        QVERIFY(w.queryController()->isRunning());
        QVERIFY(!model->ranOn(QThread::currentThreadId()));
        std::sort(latencies.begin(), latencies.end());
        qInfo("event loop latency over %d ticks: p95 %lld ms, max %lld ms", int(latencies.size()),
              latencies[latencies.size() * 95 / 100], latencies.back());
        QSignalSpy removed(w.queryController(), &QueryController::resultRemoved);
        w.queryController()->cancel();
        model->open();
        QVERIFY(removed.wait(30000));
        QVERIFY(!model->ranOn(QThread::currentThreadId()));
    }

    void rapidQueriesEndWithOnlyTheLastOneRun()
    {
        auto s = settings(QStringLiteral("rapid"));
        auto model = std::make_shared<uitest::SlowModel>(0, 0);
        MainWindow w(s.get(), uitest::fixedFactory(model, 500)); // the model takes 0.5 s to load
        w.show();
        QVERIFY(openAndWait(w, mRaster));
        QSignalSpy finished(w.queryController(), &QueryController::resultFinished);
        const QStringList queries = {QStringLiteral("the red square"), QStringLiteral("red things"),
                                     QStringLiteral("anything red"), QStringLiteral("a red patch"),
                                     QStringLiteral("red, finally")};
        QSignalSpy requested(w.queryBar(), &QueryBar::runRequested);
        for (const QString &q : queries) {
            w.queryBar()->setText(q);
            QTest::keyClick(queryBox(w), Qt::Key_Return);
        }
        QCOMPARE(requested.size(), queries.size()); // one request per key press
        QVERIFY(finished.wait(30000));
        // Idle with nothing queued and no query running: no other job can start after this.
        QVERIFY(uitest::waitFor([&] { return w.worker()->isIdle() && !w.queryController()->isRunning(); }, 10000));
        const auto results = w.layers()->resultLayers();
        QCOMPARE(int(results.size()), 1);
        QCOMPARE(results.front()->query(), queries.last());
        QCOMPARE(w.worker()->completedJobs(), 1);
        QCOMPARE(model->textEncoderCalls(), int64_t(1));
    }
};

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
