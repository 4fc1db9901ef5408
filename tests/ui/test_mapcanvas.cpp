// MapCanvas on its own (offscreen): the first layer fits the view; wheel, keys and drags move
// the view by amounts worked out here from the viewport maths (map units per screen pixel);
// bursts of refreshes make one render; the region tool reports the dragged rectangle in map
// coordinates, the inspect tool the reported tile under the click; the tile grid follows the
// layers; result layers are drawn over the raster only while visible; dropped local files are
// announced.
#include "ui/layertreemodel.h"
#include "ui/mapcanvas.h"
#include "ui/rasterlayer.h"
#include "ui/resultlayer.h"

#include "geo/raster.h"
#include "uitestsupport.h"

#include <QDropEvent>
#include <QMimeData>
#include <QMouseEvent>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

using namespace rsrefseg;

namespace {

constexpr int kSize = 256; // test raster side, 0.5 m pixels: 128 m
constexpr double kX0 = 500000.0;
constexpr double kY0 = 5000000.0;

RasterInfo infoOf(const QString &path)
{
    return Raster::open(path.toStdString()).info();
}

std::shared_ptr<RasterLayer> rasterLayer(const RasterInfo &info)
{
    return std::make_shared<RasterLayer>(info, BandSelection::automatic(info), ContrastStretch::identity(3));
}

// A result layer over the whole raster: tiled (64 px tiles, no overlap) or one view input.
std::shared_ptr<ResultLayer> resultLayer(const RasterInfo &info, bool tiled)
{
    SegmentationRequest request;
    request.raster = info.path;
    request.queries = {"red"};
    request.settings.mode = tiled ? SegmentationSettings::Mode::Tiled : SegmentationSettings::Mode::View;
    request.settings.tileSize = 64;
    request.settings.overlap = 0;
    return std::make_shared<ResultLayer>(QStringLiteral("red"), info, request, PixelWindow{0, 0, info.width, info.height});
}

// Marks the tile at (row, column) of a tiled result as reported; returns its index.
int reportTile(ResultLayer &layer, int row, int column)
{
    for (size_t i = 0; i < layer.tiles().size(); ++i) {
        const Tile &t = layer.tiles()[i].tile;
        if (t.row == row && t.column == column) {
            TileUpdate u;
            u.report.tileId = t.id;
            u.report.row = row;
            u.report.column = column;
            layer.applyTile(u);
            return static_cast<int>(i);
        }
    }
    return -1;
}

// One screen pixel = one raster pixel, raster pixel (128, 128) at the centre of a 400 x 300
// canvas: raster pixel (px, py) is at screen (px + 72, py + 22).
MapViewport oneToOne()
{
    MapViewport v;
    v.setCenter(QPointF(kX0 + 64.0, kY0 - 64.0));
    v.setResolution(0.5);
    return v;
}

QPoint screenOfPixel(double px, double py)
{
    return QPoint(static_cast<int>(px) + 72, static_cast<int>(py) + 22);
}

void drag(QWidget *w, Qt::MouseButton button, const QPoint &from, const QPoint &to)
{
    QTest::mousePress(w, button, Qt::NoModifier, from);
    QMouseEvent move(QEvent::MouseMove, QPointF(to), w->mapToGlobal(QPointF(to)), Qt::NoButton, button,
                     Qt::NoModifier);
    QCoreApplication::sendEvent(w, &move);
    QTest::mouseRelease(w, button, Qt::NoModifier, to);
}

bool near(double a, double b, double tolerance = 1e-9)
{
    return std::abs(a - b) <= tolerance * std::max(1.0, std::max(std::abs(a), std::abs(b)));
}

} // namespace

class TestMapCanvas : public QObject
{
    Q_OBJECT
  private:
    QTemporaryDir mDir;
    QString mRaster;
    RasterInfo mInfo;

    // A shown 400 x 300 canvas.
    static bool showCanvas(MapCanvas &c)
    {
        c.resize(400, 300);
        c.show();
        return QTest::qWaitForWindowExposed(&c) && c.size() == QSize(400, 300);
    }

    // Waits for the renders in flight to end; returns the number finished (-1: timed out).
    static int settle(MapCanvas &c)
    {
        if (!QTest::qWaitFor([&] { return !c.isRendering(); }, 20000))
            return -1;
        return c.rendersFinished();
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mRaster = mDir.filePath(QStringLiteral("square.tif"));
        uitest::writeRedSquareRaster(mRaster, kSize, 64, 64, 64);
        mInfo = infoOf(mRaster);
    }

    // The first layer fits the view (2 % margin) and is rendered; later layers keep the view.
    void firstLayerFitsTheViewAndIsRendered()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        QVERIFY(showCanvas(canvas));
        QSignalSpy changed(&canvas, &MapCanvas::viewportChanged);
        QSignalSpy started(&canvas, &MapCanvas::renderStarted);
        QSignalSpy finished(&canvas, &MapCanvas::renderFinished);
        layers.addLayer(rasterLayer(mInfo));
        QVERIFY(changed.size() >= 1);
        // 128 m on 400 x 300 pixels: the height limits, 128 / 300 m per pixel, plus 2 % each side.
        QCOMPARE(canvas.viewport().center(), QPointF(kX0 + 64.0, kY0 - 64.0));
        QVERIFY2(near(canvas.viewport().resolution(), 128.0 / 300.0 * 1.04),
                 qPrintable(QString::number(canvas.viewport().resolution(), 'g', 17)));
        QVERIFY(finished.wait(20000));
        QCOMPARE(started.size(), 1);
        QCOMPARE(canvas.rendersFinished(), 1);
        const QImage img = canvas.rasterImage();
        QCOMPARE(img.size(), QSize(400, 300));
        const QPoint red = canvas.viewport().toScreen(QPointF(kX0 + 48.0, kY0 - 48.0)).toPoint();
        const QPoint grey = canvas.viewport().toScreen(QPointF(kX0 + 100.0, kY0 - 100.0)).toPoint();
        QCOMPARE(QColor(img.pixel(red)), QColor(255, 0, 0));
        QCOMPARE(QColor(img.pixel(grey)), QColor(40, 40, 40));

        // A second raster elsewhere does not move the view.
        RasterInfo other = mInfo;
        other.geoTransform = GeoTransform({kX0 + 1000.0, 0.5, 0.0, kY0, 0.0, -0.5});
        const MapViewport before = canvas.viewport();
        layers.addLayer(rasterLayer(other));
        QVERIFY(canvas.viewport() == before);
        QVERIFY(settle(canvas) >= 0);
    }

    void fullExtentIsTheUnionOfTheLayers()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        canvas.resize(400, 300);
        const MapBox none = canvas.fullExtent();
        QCOMPARE(none.minX, 0.0);
        QCOMPARE(none.maxX, 0.0);
        layers.addLayer(rasterLayer(mInfo)); // 500000..500128 x 4999872..5000000
        RasterInfo other = mInfo;
        other.width = 100;
        other.height = 100;
        other.geoTransform = GeoTransform({kX0 + 100.0, 1.0, 0.0, kY0 + 50.0, 0.0, -1.0});
        layers.addLayer(rasterLayer(other)); // 500100..500200 x 4999950..5000050
        const MapBox e = canvas.fullExtent();
        QCOMPARE(e.minX, kX0);
        QCOMPARE(e.maxX, kX0 + 200.0);
        QCOMPARE(e.minY, kY0 - 128.0);
        QCOMPARE(e.maxY, kY0 + 50.0);
        canvas.zoomToFullExtent();
        QCOMPARE(canvas.viewport().center(), QPointF(kX0 + 100.0, kY0 - 39.0));
        // 200 m wide on 400 px (0.5) vs 178 m on 300 px (0.593): the height limits.
        QVERIFY(near(canvas.viewport().resolution(), 178.0 / 300.0 * 1.04));
        QVERIFY(settle(canvas) >= 0);
    }

    // Many refreshes and view changes in one go: one render, for the last view.
    void burstsMergeIntoOneRender()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        QVERIFY(showCanvas(canvas));
        layers.addLayer(rasterLayer(mInfo));
        const int done = settle(canvas);
        QSignalSpy started(&canvas, &MapCanvas::renderStarted);
        QSignalSpy finished(&canvas, &MapCanvas::renderFinished);
        for (int i = 0; i < 5; ++i)
            canvas.refresh();
        canvas.zoomIn();
        canvas.zoomIn();
        canvas.zoomOut();
        QVERIFY(canvas.isRendering());
        QVERIFY(finished.wait(20000));
        QCOMPARE(settle(canvas), done + 1);
        QCOMPARE(started.size(), 1);
        QCOMPARE(finished.size(), 1);
    }

    // The wheel zooms by 1.25 per notch, keeping the map point under the cursor in place.
    void wheelZoomsAroundTheCursor()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        QVERIFY(showCanvas(canvas));
        layers.addLayer(rasterLayer(mInfo));
        const QPointF cursor(100.0, 80.0);
        const QPointF anchor = canvas.viewport().toMap(cursor);
        const double r0 = canvas.viewport().resolution();
        QSignalSpy changed(&canvas, &MapCanvas::viewportChanged);
        auto wheel = [&](int delta) {
            QWheelEvent e(cursor, canvas.mapToGlobal(cursor), QPoint(), QPoint(0, delta), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
            QCoreApplication::sendEvent(&canvas, &e);
        };
        wheel(120);
        QVERIFY(near(canvas.viewport().resolution(), r0 / 1.25));
        QPointF now = canvas.viewport().toMap(cursor);
        QVERIFY(near(now.x(), anchor.x()) && near(now.y(), anchor.y()));
        wheel(-240);
        QVERIFY(near(canvas.viewport().resolution(), r0 * 1.25));
        now = canvas.viewport().toMap(cursor);
        QVERIFY(near(now.x(), anchor.x()) && near(now.y(), anchor.y()));
        QCOMPARE(changed.size(), 2);
        QVERIFY(settle(canvas) >= 0);
    }

    // +/- zoom by 1.5 around the centre, arrows pan by a quarter of the canvas, Home fits.
    void keysZoomPanAndGoHome()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        QVERIFY(showCanvas(canvas));
        layers.addLayer(rasterLayer(mInfo));
        const MapViewport home = canvas.viewport();
        const double r0 = home.resolution();
        const QPointF c0 = home.center();
        QTest::keyClick(&canvas, Qt::Key_Plus);
        QVERIFY(near(canvas.viewport().resolution(), r0 / 1.5));
        QCOMPARE(canvas.viewport().center(), c0);
        const double r1 = canvas.viewport().resolution();
        QTest::keyClick(&canvas, Qt::Key_Left); // the view moves left: content moves right by 100 px
        QVERIFY(near(canvas.viewport().center().x(), c0.x() - 100.0 * r1));
        QTest::keyClick(&canvas, Qt::Key_Up); // up by 75 px
        QVERIFY(near(canvas.viewport().center().y(), c0.y() + 75.0 * r1));
        QTest::keyClick(&canvas, Qt::Key_Minus);
        QVERIFY(near(canvas.viewport().resolution(), r0));
        QTest::keyClick(&canvas, Qt::Key_Home);
        QCOMPARE(canvas.viewport().center(), c0);
        QVERIFY(near(canvas.viewport().resolution(), r0));
        QVERIFY(settle(canvas) >= 0);
    }

    // A drag pans with the mouse (the render waits for the release); a click does not move.
    void dragPansAndRendersOnRelease()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        QVERIFY(showCanvas(canvas));
        layers.addLayer(rasterLayer(mInfo));
        const int done = settle(canvas);
        const QPointF c0 = canvas.viewport().center();
        const double r = canvas.viewport().resolution();
        QCOMPARE(canvas.tool(), MapCanvas::Tool::Pan);

        QTest::mousePress(&canvas, Qt::LeftButton, Qt::NoModifier, QPoint(100, 100));
        QMouseEvent move(QEvent::MouseMove, QPointF(160, 130), canvas.mapToGlobal(QPointF(160, 130)), Qt::NoButton,
                         Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&canvas, &move);
        // The content follows the mouse: 60 px right and 30 px down.
        QVERIFY(near(canvas.viewport().center().x(), c0.x() - 60.0 * r));
        QVERIFY(near(canvas.viewport().center().y(), c0.y() + 30.0 * r));
        QVERIFY(!canvas.isRendering());
        QTest::mouseRelease(&canvas, Qt::LeftButton, Qt::NoModifier, QPoint(160, 130));
        QVERIFY(canvas.isRendering());
        QCOMPARE(settle(canvas), done + 1);

        // A click (no movement) changes nothing and renders nothing.
        const MapViewport before = canvas.viewport();
        QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier, QPoint(200, 150));
        QVERIFY(canvas.viewport() == before);
        QVERIFY(!canvas.isRendering());

        // The middle button pans in any tool and draws no region.
        canvas.setTool(MapCanvas::Tool::DrawRegion);
        QSignalSpy drawn(&canvas, &MapCanvas::regionDrawn);
        drag(&canvas, Qt::MiddleButton, QPoint(200, 150), QPoint(180, 150));
        QVERIFY(near(canvas.viewport().center().x(), before.center().x() + 20.0 * r));
        QCOMPARE(drawn.size(), 0);
        QVERIFY(!canvas.drawnRegion());
        QVERIFY(settle(canvas) >= 0);
    }

    // The region tool reports the dragged rectangle in map coordinates; tiny drags are ignored.
    void regionToolReportsTheRectangleInMapCoordinates()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        QVERIFY(showCanvas(canvas));
        layers.addLayer(rasterLayer(mInfo));
        canvas.setViewport(oneToOne());
        QSignalSpy tools(&canvas, &MapCanvas::toolChanged);
        canvas.setTool(MapCanvas::Tool::DrawRegion);
        canvas.setTool(MapCanvas::Tool::DrawRegion);
        QCOMPARE(tools.size(), 1);
        QCOMPARE(tools.first().at(0).value<MapCanvas::Tool>(), MapCanvas::Tool::DrawRegion);
        const MapViewport view = canvas.viewport();

        QSignalSpy drawn(&canvas, &MapCanvas::regionDrawn);
        // Dragged up-left: the rectangle is normalised. Pixels 20..60 x 20..80.
        drag(&canvas, Qt::LeftButton, screenOfPixel(60, 80), screenOfPixel(20, 20));
        QCOMPARE(drawn.size(), 1);
        const MapBox b = drawn.first().at(0).value<MapBox>();
        QCOMPARE(b.minX, kX0 + 10.0);
        QCOMPARE(b.maxX, kX0 + 30.0);
        QCOMPARE(b.minY, kY0 - 40.0);
        QCOMPARE(b.maxY, kY0 - 10.0);
        QVERIFY(canvas.drawnRegion());
        QCOMPARE(canvas.drawnRegion()->minX, b.minX);
        QVERIFY(canvas.viewport() == view); // drawing does not pan

        // Under 4 px in one direction: not a rectangle; the previous one stays.
        drag(&canvas, Qt::LeftButton, QPoint(100, 100), QPoint(103, 140));
        QCOMPARE(drawn.size(), 1);
        QCOMPARE(canvas.drawnRegion()->maxY, b.maxY);
        canvas.clearDrawnRegion();
        QVERIFY(!canvas.drawnRegion());
        QVERIFY(settle(canvas) >= 0);
    }

    // The inspect tool names the reported tile under a click; unreported tiles and other tools
    // give nothing.
    void inspectToolClicksTheReportedTile()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        QVERIFY(showCanvas(canvas));
        layers.addLayer(rasterLayer(mInfo));
        auto result = resultLayer(mInfo, true);
        const int centre = reportTile(*result, 1, 1);
        const int corner = reportTile(*result, 0, 0);
        QVERIFY(centre >= 0 && corner >= 0);
        const int resultId = layers.addLayer(result);
        canvas.setViewport(oneToOne());
        QSignalSpy clicked(&canvas, &MapCanvas::tileClicked);

        QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier, screenOfPixel(96, 96));
        QCOMPARE(clicked.size(), 0); // the pan tool does not inspect
        canvas.setTool(MapCanvas::Tool::InspectTile);
        QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier, screenOfPixel(96, 96));
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked.last().at(0).toInt(), resultId);
        QCOMPARE(clicked.last().at(1).toInt(), centre);
        QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier, screenOfPixel(10, 60));
        QCOMPARE(clicked.size(), 2);
        QCOMPARE(clicked.last().at(1).toInt(), corner);
        QTest::mouseClick(&canvas, Qt::LeftButton, Qt::NoModifier, screenOfPixel(200, 200)); // not reported
        QCOMPARE(clicked.size(), 2);
        QVERIFY(settle(canvas) >= 0);
    }

    // The grid shows the chosen result layer, else the topmost visible one.
    void tileGridFollowsTheLayers()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        canvas.resize(400, 300);
        QCOMPARE(canvas.tileGridLayer(), 0);
        const int lower = layers.addLayer(resultLayer(mInfo, true));
        const int upper = layers.addLayer(resultLayer(mInfo, true));
        QCOMPARE(canvas.tileGridLayer(), upper);
        layers.setVisible(upper, false);
        QCOMPARE(canvas.tileGridLayer(), lower);
        layers.setVisible(upper, true);
        canvas.setTileGridLayer(lower);
        QCOMPARE(canvas.tileGridLayer(), lower);
        layers.removeLayer(lower);
        QCOMPARE(canvas.tileGridLayer(), upper);
        layers.setVisible(upper, false);
        QCOMPARE(canvas.tileGridLayer(), 0);
    }

    // A result layer is drawn over the raster in its colour while visible.
    void resultLayerIsDrawnOverTheRasterWhileVisible()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        QVERIFY(showCanvas(canvas));
        layers.addLayer(rasterLayer(mInfo));
        canvas.setShowTileGrid(false);
        canvas.setViewport(oneToOne());
        QVERIFY(settle(canvas) >= 0);
        auto result = resultLayer(mInfo, false);
        // Probability 1 in pixels 150..199 x 150..199 (display = source pixels: 256 px raster).
        RowsUpdate rows;
        rows.rows = cv::Mat(kSize, kSize, CV_8UC1, cv::Scalar(0));
        rows.rows(cv::Rect(150, 150, 50, 50)).setTo(254);
        result->applyRows(rows);
        const int id = layers.addLayer(result);
        layers.setOpacity(id, 1.0);
        const QPoint inside = screenOfPixel(175, 175);
        const QPoint outside = screenOfPixel(175, 230);
        QImage shot = canvas.grab().toImage();
        QCOMPARE(QColor(shot.pixel(inside)), result->colour());
        QCOMPARE(QColor(shot.pixel(outside)), QColor(40, 40, 40)); // the raster
        layers.setVisible(id, false);
        shot = canvas.grab().toImage();
        QCOMPARE(QColor(shot.pixel(inside)), QColor(40, 40, 40));
        QVERIFY(settle(canvas) >= 0);
    }

    // Dropped local files are announced (other URLs are not); a drag without one is refused.
    void dropAnnouncesLocalFiles()
    {
        LayerTreeModel layers;
        MapCanvas canvas(&layers);
        canvas.resize(400, 300);
        QSignalSpy dropped(&canvas, &MapCanvas::filesDropped);
        QMimeData local;
        local.setUrls({QUrl::fromLocalFile(QStringLiteral("/data/a.tif")), QUrl(QStringLiteral("https://example.org/b.tif")),
                       QUrl::fromLocalFile(QStringLiteral("/data/c.tif"))});
        QMimeData remote;
        remote.setUrls({QUrl(QStringLiteral("https://example.org/b.tif"))});

        QDragEnterEvent enterLocal(QPoint(10, 10), Qt::CopyAction, &local, Qt::LeftButton, Qt::NoModifier);
        enterLocal.setAccepted(false);
        QCoreApplication::sendEvent(&canvas, &enterLocal);
        QVERIFY(enterLocal.isAccepted());
        QDragEnterEvent enterRemote(QPoint(10, 10), Qt::CopyAction, &remote, Qt::LeftButton, Qt::NoModifier);
        enterRemote.setAccepted(false);
        QCoreApplication::sendEvent(&canvas, &enterRemote);
        QVERIFY(!enterRemote.isAccepted());

        QDropEvent dropLocal(QPointF(10, 10), Qt::CopyAction, &local, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&canvas, &dropLocal);
        QCOMPARE(dropped.size(), 1);
        QCOMPARE(dropped.first().at(0).toStringList(),
                 (QStringList{QStringLiteral("/data/a.tif"), QStringLiteral("/data/c.tif")}));
        QDropEvent dropRemote(QPointF(10, 10), Qt::CopyAction, &remote, Qt::LeftButton, Qt::NoModifier);
        QCoreApplication::sendEvent(&canvas, &dropRemote);
        QCOMPARE(dropped.size(), 1);
    }
};

QTEST_MAIN(TestMapCanvas)
#include "test_mapcanvas.moc"
