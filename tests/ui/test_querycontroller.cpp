// QueryController on its own, with a real worker (a deterministic colour model), layer model,
// canvas and message bar but no main window: a query becomes one job and one result layer
// that fills in and finishes; the area (whole raster, visible extent clipped to the raster,
// drawn rectangle) becomes the job's pixel window, worked out here by hand from the viewport;
// input that cannot become a job is refused with a message and submits nothing; a cancelled,
// superseded or failed query leaves no layer.
#include "ui/appsettings.h"
#include "ui/layertreemodel.h"
#include "ui/mapcanvas.h"
#include "ui/messagebar.h"
#include "ui/querycontroller.h"
#include "ui/rasterlayer.h"
#include "ui/resultlayer.h"
#include "ui/segmentationworker.h"

#include "common/error.h"
#include "geo/raster.h"
#include "uitestsupport.h"

#include <QMouseEvent>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace rsrefseg;

namespace {

constexpr int kSize = 256;   // test raster side (0.5 m pixels: 128 m)
constexpr int kSquare = 64;  // the red square's side, at (64, 64)
constexpr double kX0 = 500000.0;
constexpr double kY0 = 5000000.0;

std::shared_ptr<RasterLayer> rasterLayer(const QString &path)
{
    const RasterInfo info = Raster::open(path.toStdString()).info();
    return std::make_shared<RasterLayer>(info, BandSelection::automatic(info), ContrastStretch::identity(3));
}

// The controller and its real collaborators, as the main window wires them.
struct Harness
{
    Harness(const QString &ini, const QString &cacheDir, SegmentationWorker::ModelFactory factory)
        : settings(ini)
        , worker(std::move(factory))
        , controller(&layers, &canvas, &worker, &settings, &messages)
    {
        settings.setTileSize(64);
        settings.setOverlap(0);
        settings.setCacheDir(cacheDir);
        canvas.resize(400, 300);
    }
    LayerTreeModel layers;
    MapCanvas canvas{&layers};
    AppSettings settings;
    SegmentationWorker worker;
    MessageBar messages;
    QueryController controller;
};

QueryBar::Input input(const QString &query, SegmentationSettings::Mode mode, QueryBar::Area area)
{
    QueryBar::Input in;
    in.query = query;
    in.mode = mode;
    in.area = area;
    return in;
}

bool sameWindow(const PixelWindow &a, const PixelWindow &b)
{
    return a.x == b.x && a.y == b.y && a.width == b.width && a.height == b.height;
}

QString windowText(const PixelWindow &w)
{
    return QStringLiteral("%1,%2 %3x%4").arg(w.x).arg(w.y).arg(w.width).arg(w.height);
}

} // namespace

class TestQueryController : public QObject
{
    Q_OBJECT
  private:
    QTemporaryDir mDir;
    QString mRaster;
    int mCase = 0;

    std::unique_ptr<Harness> harness(SegmentationWorker::ModelFactory factory)
    {
        ++mCase;
        return std::make_unique<Harness>(mDir.filePath(QStringLiteral("settings-%1.ini").arg(mCase)),
                                         mDir.filePath(QStringLiteral("cache")), std::move(factory));
    }

    static SegmentationWorker::ModelFactory colourModel()
    {
        return uitest::fixedFactory(std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"}));
    }

    // Runs a query that must succeed and returns its finished layer.
    static std::shared_ptr<ResultLayer> runToEnd(Harness &h, const QueryBar::Input &in)
    {
        QSignalSpy finished(&h.controller, &QueryController::resultFinished);
        if (!h.controller.run(in) || !finished.wait(30000))
            return nullptr;
        return h.layers.resultLayer(finished.first().at(0).toInt());
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mRaster = mDir.filePath(QStringLiteral("square.tif"));
        uitest::writeRedSquareRaster(mRaster, kSize, kSquare, kSquare, kSquare);
    }

    void wholeRasterQueryBecomesAFinishedLayer()
    {
        auto h = harness(colourModel());
        const int rasterId = h->layers.addLayer(rasterLayer(mRaster));
        QSignalSpy running(&h->controller, &QueryController::runningChanged);
        QSignalSpy started(&h->controller, &QueryController::resultStarted);
        QSignalSpy finished(&h->controller, &QueryController::resultFinished);
        QSignalSpy progress(&h->controller, &QueryController::progressChanged);
        QSignalSpy jobs(&h->worker, &SegmentationWorker::jobFinished);

        const int id = h->controller.run(input(QStringLiteral("  the red square "), SegmentationSettings::Mode::Tiled,
                                               QueryBar::Area::WholeRaster));
        QVERIFY(id > 0);
        QVERIFY(h->controller.isRunning());
        QCOMPARE(h->controller.currentJob(), id);
        QCOMPARE(running.size(), 1);
        QCOMPARE(running.first().at(0).toBool(), true);
        QCOMPARE(progress.first().at(0).toDouble(), -1.0);
        QCOMPARE(progress.first().at(1).toString(), QStringLiteral("waiting for the model"));

        QVERIFY(finished.wait(30000));
        QCOMPARE(started.size(), 1);
        const int layerId = started.first().at(0).toInt();
        QCOMPARE(finished.first().at(0).toInt(), layerId);
        const auto layer = h->layers.resultLayer(layerId);
        QVERIFY(layer);
        QCOMPARE(layer->query(), QStringLiteral("the red square")); // trimmed
        QCOMPARE(layer->state(), ResultLayer::State::Finished);
        QCOMPARE(layer->sourceLayerId(), rasterId);
        QVERIFY2(sameWindow(layer->window(), {0, 0, kSize, kSize}), qPrintable(windowText(layer->window())));
        QVERIFY(!layer->request().settings.region);
        QCOMPARE(layer->request().settings.mode, SegmentationSettings::Mode::Tiled);
        QCOMPARE(layer->request().settings.tileSize, 64); // from the settings
        QCOMPARE(int(layer->tiles().size()), 16);
        QCOMPARE(layer->reportedTiles(), 16);
        // The colour model marks exactly the red square: one polygon of 64 x 64 pixels.
        QCOMPARE(layer->objectPixels(), int64_t(kSquare * kSquare));
        QCOMPARE(layer->polygonCount(), int64_t(1));
        QVERIFY(h->controller.hasModelInfo());
        QCOMPARE(layer->modelName(), QStringLiteral("colour test model"));
        QCOMPARE(h->canvas.tileGridLayer(), layerId);
        // The polygons went to the session folder; the query to the history.
        QVERIFY(QFileInfo::exists(QDir(h->controller.sessionDir()).filePath(QStringLiteral("result-1.gpkg"))));
        QCOMPARE(h->settings.queryHistory().value(0), QStringLiteral("the red square"));
        QCOMPARE(h->messages.currentLevel(), MessageBar::Level::Success);
        QCOMPARE(h->messages.currentTitle(), QStringLiteral("Query finished"));
        QVERIFY2(h->messages.currentText().startsWith(QStringLiteral("\"the red square\": 1 polygon")),
                 qPrintable(h->messages.currentText()));
        // Not running any more; one job went to the worker.
        QVERIFY(!h->controller.isRunning());
        QCOMPARE(running.size(), 2);
        QCOMPARE(running.at(1).at(0).toBool(), false);
        // (The worker's signal reaches each receiver in its own queued call.)
        QTRY_VERIFY(!jobs.isEmpty());
        QCOMPARE(jobs.size(), 1);
        QCOMPARE(jobs.first().at(0).toInt(), id);

        // A second result gets the next colour of the palette.
        const auto second = runToEnd(*h, input(QStringLiteral("red"), SegmentationSettings::Mode::Tiled,
                                               QueryBar::Area::WholeRaster));
        QVERIFY(second);
        QVERIFY(second->colour() != layer->colour());
        QVERIFY(QFileInfo::exists(QDir(h->controller.sessionDir()).filePath(QStringLiteral("result-2.gpkg"))));
    }

    // The visible extent, clipped to the raster, is the region; a view of the whole raster is none.
    void visibleExtentIsClippedToTheRaster()
    {
        auto h = harness(colourModel());
        h->layers.addLayer(rasterLayer(mRaster));
        // 400 x 300 screen pixels at 0.25 m around (32 m, -32 m) from the raster's corner:
        // x 500032 +- 50, y 4999968 +- 37.5. Clipped to the raster: x 500000..500082,
        // y 4999930.5..5000000, i.e. pixels 0..164 x 0..139.
        MapViewport v;
        v.setCenter(QPointF(kX0 + 32.0, kY0 - 32.0));
        v.setResolution(0.25);
        h->canvas.setViewport(v);
        QCOMPARE(h->canvas.viewport().size(), QSize(400, 300));
        auto layer = runToEnd(*h, input(QStringLiteral("red"), SegmentationSettings::Mode::View,
                                        QueryBar::Area::VisibleExtent));
        QVERIFY(layer);
        QVERIFY2(sameWindow(layer->window(), {0, 0, 164, 139}), qPrintable(windowText(layer->window())));
        QVERIFY(layer->request().settings.region);
        const MapBox r = *layer->request().settings.region;
        QCOMPARE(r.minX, kX0);
        QCOMPARE(r.maxX, kX0 + 82.0);
        QCOMPARE(r.minY, kY0 - 69.5);
        QCOMPARE(r.maxY, kY0);
        QCOMPARE(int(layer->tiles().size()), 1); // view mode: one model input

        // The whole raster in view: no region at all.
        h->canvas.zoomToFullExtent();
        layer = runToEnd(*h, input(QStringLiteral("red"), SegmentationSettings::Mode::View,
                                   QueryBar::Area::VisibleExtent));
        QVERIFY(layer);
        QVERIFY(!layer->request().settings.region);
        QVERIFY2(sameWindow(layer->window(), {0, 0, kSize, kSize}), qPrintable(windowText(layer->window())));
    }

    // The rectangle drawn on the canvas is the region; without one the query is refused.
    void drawnRectangleIsTheRegion()
    {
        auto h = harness(colourModel());
        h->layers.addLayer(rasterLayer(mRaster));
        h->canvas.show();
        QVERIFY(QTest::qWaitForWindowExposed(&h->canvas));
        QSignalSpy shown(&h->messages, &MessageBar::messageShown);
        QCOMPARE(h->controller.run(input(QStringLiteral("red"), SegmentationSettings::Mode::View,
                                         QueryBar::Area::DrawnRegion)),
                 0);
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.first().at(1).toString(), QStringLiteral("No rectangle"));
        QVERIFY(!h->controller.isRunning());

        // One screen pixel = one raster pixel, the raster's pixel (128, 128) at the centre
        // (200, 150): screen (sx, sy) is pixel (sx - 72, sy - 22).
        MapViewport v;
        v.setCenter(QPointF(kX0 + 64.0, kY0 - 64.0));
        v.setResolution(0.5);
        h->canvas.setViewport(v);
        h->canvas.setTool(MapCanvas::Tool::DrawRegion);
        const QPoint a(92, 42);
        const QPoint b(132, 102);
        QTest::mousePress(&h->canvas, Qt::LeftButton, Qt::NoModifier, a);
        QMouseEvent move(QEvent::MouseMove, QPointF(b), h->canvas.mapToGlobal(QPointF(b)), Qt::NoButton,
                         Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&h->canvas, &move);
        QTest::mouseRelease(&h->canvas, Qt::LeftButton, Qt::NoModifier, b);
        QVERIFY(h->canvas.drawnRegion());

        const auto layer = runToEnd(*h, input(QStringLiteral("red"), SegmentationSettings::Mode::View,
                                              QueryBar::Area::DrawnRegion));
        QVERIFY(layer);
        QVERIFY2(sameWindow(layer->window(), {20, 20, 40, 60}), qPrintable(windowText(layer->window())));
    }

    // Input that cannot become a job submits nothing (the one later query is the worker's
    // first job) and says why on the message bar.
    void unusableInputSubmitsNothing()
    {
        auto h = harness(colourModel());
        QSignalSpy running(&h->controller, &QueryController::runningChanged);
        QSignalSpy shown(&h->messages, &MessageBar::messageShown);
        QSignalSpy jobs(&h->worker, &SegmentationWorker::jobFinished);
        const auto tiled = SegmentationSettings::Mode::Tiled;
        const auto whole = QueryBar::Area::WholeRaster;

        // No raster open.
        QCOMPARE(h->controller.run(input(QStringLiteral("red"), tiled, whole)), 0);
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.last().at(0).value<MessageBar::Level>(), MessageBar::Level::Warning);
        QCOMPARE(shown.last().at(1).toString(), QStringLiteral("No raster"));

        h->layers.addLayer(rasterLayer(mRaster));
        // Nothing to look for: refused by the request's validate(), which names the query.
        QCOMPARE(h->controller.run(input(QStringLiteral("   "), tiled, whole)), 0);
        QCOMPARE(shown.size(), 2);
        QCOMPARE(shown.last().at(1).toString(), QStringLiteral("Cannot run the query"));
        QVERIFY2(shown.last().at(2).toString().contains(QStringLiteral("empty")),
                 qPrintable(shown.last().at(2).toString()));
        // A view that does not touch the raster: the region is empty.
        MapViewport far;
        far.setCenter(QPointF(kX0 - 1000.0, kY0 + 1000.0));
        far.setResolution(0.5);
        h->canvas.setViewport(far);
        const int before = static_cast<int>(shown.size());
        QCOMPARE(h->controller.run(input(QStringLiteral("red"), SegmentationSettings::Mode::View,
                                         QueryBar::Area::VisibleExtent)),
                 0);
        QCOMPARE(int(shown.size()), before + 1);
        QCOMPARE(shown.last().at(0).value<MessageBar::Level>(), MessageBar::Level::Warning);
        QCOMPARE(shown.last().at(1).toString(), QStringLiteral("Cannot run the query"));
        QVERIFY(!shown.last().at(2).toString().isEmpty());

        QVERIFY(!h->controller.isRunning());
        QCOMPARE(running.size(), 0);
        QCOMPARE(h->layers.count(), 1);
        QVERIFY(h->settings.queryHistory().isEmpty());
        // The worker's first job is the next valid query: a job submitted before it would
        // have finished (superseded) before it.
        QSignalSpy finished(&h->controller, &QueryController::resultFinished);
        const int id = h->controller.run(input(QStringLiteral("red"), tiled, whole));
        QVERIFY(id);
        QVERIFY(finished.wait(30000));
        QTRY_VERIFY(!jobs.isEmpty());
        QCOMPARE(jobs.size(), 1);
        QCOMPARE(jobs.first().at(0).toInt(), id);
        QCOMPARE(h->settings.queryHistory(), QStringList{QStringLiteral("red")});
    }

    void cancelRemovesTheLayer()
    {
        auto model = std::make_shared<uitest::SlowModel>(40, 40);
        auto h = harness(uitest::fixedFactory(model));
        h->settings.setTileSize(32); // 64 tiles
        h->layers.addLayer(rasterLayer(mRaster));
        QSignalSpy running(&h->controller, &QueryController::runningChanged);
        QSignalSpy started(&h->controller, &QueryController::resultStarted);
        QSignalSpy removed(&h->controller, &QueryController::resultRemoved);
        QSignalSpy finished(&h->controller, &QueryController::resultFinished);
        QSignalSpy progress(&h->controller, &QueryController::progressChanged);
        const int id = h->controller.run(input(QStringLiteral("red"), SegmentationSettings::Mode::Tiled,
                                               QueryBar::Area::WholeRaster));
        QVERIFY(id);
        QVERIFY(started.wait(10000));
        const int layerId = started.first().at(0).toInt();
        QVERIFY(h->layers.resultLayer(layerId));
        // Progress names the tiles as they arrive.
        const QRegularExpression tileText(QStringLiteral("^tile \\d+ of 64$"));
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(progress.begin(), progress.end(),
                                             [&](const QList<QVariant> &a) {
                                                 return tileText.match(a.at(1).toString()).hasMatch();
                                             }),
                                 20000);
        h->controller.cancel();
        QVERIFY(removed.wait(10000));
        QCOMPARE(removed.first().at(0).toInt(), id);
        QVERIFY(!h->layers.resultLayer(layerId));
        QVERIFY(h->layers.resultLayers().empty());
        QCOMPARE(finished.size(), 0);
        QVERIFY(!h->controller.isRunning());
        QCOMPARE(running.size(), 2);
        QCOMPARE(running.last().at(0).toBool(), false);
        QCOMPARE(h->messages.currentLevel(), MessageBar::Level::Info);
        QCOMPARE(h->messages.currentTitle(), QStringLiteral("Query cancelled"));
        QCOMPARE(h->messages.currentText(), QStringLiteral("red"));
    }

    // A new query replaces the running one: the old layer goes without a message, the new
    // one finishes, and the controller stays "running" from the first run to the last end.
    void newQuerySupersedesTheRunningOne()
    {
        auto model = std::make_shared<uitest::SlowModel>(40, 40);
        auto h = harness(uitest::fixedFactory(model));
        h->settings.setTileSize(32);
        h->layers.addLayer(rasterLayer(mRaster));
        QSignalSpy running(&h->controller, &QueryController::runningChanged);
        QSignalSpy started(&h->controller, &QueryController::resultStarted);
        QSignalSpy removed(&h->controller, &QueryController::resultRemoved);
        QSignalSpy finished(&h->controller, &QueryController::resultFinished);
        QSignalSpy shown(&h->messages, &MessageBar::messageShown);
        const auto tiled = SegmentationSettings::Mode::Tiled;
        const auto whole = QueryBar::Area::WholeRaster;
        const int first = h->controller.run(input(QStringLiteral("red first"), tiled, whole));
        QVERIFY(started.wait(10000));
        const int second = h->controller.run(input(QStringLiteral("red second"), tiled, whole));
        QVERIFY(second != first);
        QCOMPARE(h->controller.currentJob(), second);
        model->decodeMs = 0;
        model->encodeMs = 0;
        QVERIFY(finished.wait(30000));
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.first().at(0).toInt(), first);
        const auto results = h->layers.resultLayers();
        QCOMPARE(int(results.size()), 1);
        QCOMPARE(results.front()->query(), QStringLiteral("red second"));
        QCOMPARE(results.front()->state(), ResultLayer::State::Finished);
        QCOMPARE(running.size(), 2);
        QCOMPARE(running.first().at(0).toBool(), true);
        QCOMPARE(running.last().at(0).toBool(), false);
        QCOMPARE(shown.size(), 1);
        QCOMPARE(shown.first().at(1).toString(), QStringLiteral("Query finished"));
    }

    void failedQueryReportsAndLeavesNoLayer()
    {
        auto h = harness([](const ModelSpec &, const std::function<bool(double)> &)
                             -> std::shared_ptr<SegmentationModel> { throw Error("no weights in this bundle"); });
        h->layers.addLayer(rasterLayer(mRaster));
        QSignalSpy failed(&h->controller, &QueryController::queryFailed);
        QSignalSpy removed(&h->controller, &QueryController::resultRemoved);
        const int id = h->controller.run(input(QStringLiteral("red"), SegmentationSettings::Mode::Tiled,
                                               QueryBar::Area::WholeRaster));
        QVERIFY(id);
        QVERIFY(removed.wait(10000));
        QCOMPARE(removed.first().at(0).toInt(), id);
        QCOMPARE(failed.size(), 1);
        QVERIFY2(failed.first().at(0).toString().contains(QStringLiteral("no weights in this bundle")),
                 qPrintable(failed.first().at(0).toString()));
        QVERIFY(h->layers.resultLayers().empty());
        QCOMPARE(h->messages.currentLevel(), MessageBar::Level::Error);
        QCOMPARE(h->messages.currentTitle(), QStringLiteral("Query failed"));
        QVERIFY(!h->controller.isRunning());
        QVERIFY(!h->controller.hasModelInfo());
    }

    // The raster removed before the job starts: the job runs, its result is dropped.
    void resultOfARemovedRasterIsDropped()
    {
        auto h = harness(colourModel());
        const int rasterId = h->layers.addLayer(rasterLayer(mRaster));
        QSignalSpy removed(&h->controller, &QueryController::resultRemoved);
        QSignalSpy started(&h->controller, &QueryController::resultStarted);
        const int id = h->controller.run(input(QStringLiteral("red"), SegmentationSettings::Mode::Tiled,
                                               QueryBar::Area::WholeRaster));
        h->layers.removeLayer(rasterId); // the worker's jobStarted is queued: not handled yet
        QVERIFY(removed.wait(30000));
        QCOMPARE(removed.first().at(0).toInt(), id);
        QCOMPARE(started.size(), 0);
        QCOMPARE(h->layers.count(), 0);
        QVERIFY(!h->controller.isRunning());
    }
};

QTEST_MAIN(TestQueryController)
#include "test_querycontroller.moc"
