// MapViewport: screen <-> map transforms, fitting an extent, zooming around a point, panning.
#include "ui/mapviewport.h"

#include <QTest>

using rsrefseg::MapBox;
using rsrefseg::MapViewport;

class TestMapViewport : public QObject
{
    Q_OBJECT
  private slots:
    void roundTrip()
    {
        MapViewport v;
        v.setSize(QSize(800, 600));
        v.setCenter(QPointF(500000, 5000000));
        v.setResolution(0.5);
        const QPointF s(123.5, 456.25);
        const QPointF m = v.toMap(s);
        QCOMPARE(m.x(), 500000 + (123.5 - 400) * 0.5);
        QCOMPARE(m.y(), 5000000 - (456.25 - 300) * 0.5); // y up on the map
        const QPointF back = v.toScreen(m);
        QVERIFY(qAbs(back.x() - s.x()) < 1e-9 && qAbs(back.y() - s.y()) < 1e-9);
    }

    void zoomToExtentFitsAndCentres()
    {
        MapViewport v;
        v.setSize(QSize(400, 200));
        v.zoomToExtent({0, 0, 1000, 1000}, 0.0);
        QCOMPARE(v.resolution(), 5.0); // the taller side decides
        QCOMPARE(v.center(), QPointF(500, 500));
        const MapBox e = v.extent();
        QVERIFY(e.minY <= 0.0 && e.maxY >= 1000.0 && e.minX <= 0.0 && e.maxX >= 1000.0);
    }

    void zoomAroundKeepsAnchor()
    {
        MapViewport v;
        v.setSize(QSize(800, 600));
        v.setCenter(QPointF(100, 200));
        v.setResolution(2.0);
        const QPointF screen(700, 50);
        const QPointF before = v.toMap(screen);
        v.zoomAround(screen, 4.0);
        QCOMPARE(v.resolution(), 0.5);
        const QPointF after = v.toMap(screen);
        QVERIFY(qAbs(after.x() - before.x()) < 1e-9);
        QVERIFY(qAbs(after.y() - before.y()) < 1e-9);
    }

    void panFollowsTheMouse()
    {
        MapViewport v;
        v.setSize(QSize(100, 100));
        v.setResolution(3.0);
        const QPointF grabbed = v.toMap(QPointF(10, 10));
        v.panByPixels(QPointF(25, -5));
        QCOMPARE(v.toMap(QPointF(35, 5)), grabbed);
    }

    void resolutionIsClamped()
    {
        MapViewport v;
        v.setResolution(0.0);
        QVERIFY(v.resolution() >= MapViewport::kMinResolution);
        v.setResolution(1e30);
        QVERIFY(v.resolution() <= MapViewport::kMaxResolution);
    }
};

QTEST_GUILESS_MAIN(TestMapViewport)
#include "test_mapviewport.moc"
