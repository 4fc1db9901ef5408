// AreaCalculator: planar areas in square metres for projected CRSs (metre and foot units),
// geodesic areas on the ellipsoid for geographic CRSs, checked against an independent
// closed-form computation (geodesicreference.h).
#include "crswkt.h"
#include "geodesicreference.h"

#include "common/error.h"
#include "geo/areacalculator.h"

#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <QtTest>

using namespace rsrefseg;

namespace {

std::string wktOf(int epsg)
{
    return rsrefseg::test::wktOfEpsg(epsg);
}

Ring rect(double x0, double y0, double x1, double y1)
{
    return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
}

// The rectangle's outline with a vertex every `step` along each side (like polygonized pixels).
Ring densified(double x0, double y0, double x1, double y1, double step)
{
    Ring r;
    const int nx = static_cast<int>(std::round((x1 - x0) / step));
    const int ny = static_cast<int>(std::round((y1 - y0) / step));
    for (int i = 0; i < nx; ++i)
        r.emplace_back(x0 + i * step, y0);
    for (int i = 0; i < ny; ++i)
        r.emplace_back(x1, y0 + i * step);
    for (int i = 0; i < nx; ++i)
        r.emplace_back(x1 - i * step, y1);
    for (int i = 0; i < ny; ++i)
        r.emplace_back(x0, y1 - i * step);
    return r;
}

} // namespace

class TestAreaCalculator : public QObject
{
    Q_OBJECT

  private slots:
    void planarMetres()
    {
        const AreaCalculator a(wktOf(32633));
        QCOMPARE(a.kind(), AreaCalculator::Kind::Planar);
        QCOMPARE(a.area({rect(500000, 5000000, 500100, 5000050)}), 5000.0);
        // With a hole, any orientation, closed or not.
        Ring hole = rect(500010, 5000010, 500020, 5000020);
        std::reverse(hole.begin(), hole.end());
        hole.push_back(hole.front());
        QCOMPARE(a.area({rect(500000, 5000000, 500100, 5000050), hole}), 4900.0);
        OGRPolygon p;
        OGRLinearRing r;
        for (const auto &c : rect(500000, 5000000, 500100, 5000050))
            r.addPoint(c.first, c.second);
        r.closeRings();
        p.addRing(&r);
        QCOMPARE(a.area(p), 5000.0);
        QCOMPARE(a.pixelArea(GeoTransform({500000, 0.5, 0, 5000000, 0, -0.5}), 3, 4), 0.25);
    }

    void planarFeet()
    {
        // NAD83 / California zone 3 (ftUS): 1 US survey foot = 1200/3937 m.
        const AreaCalculator a(wktOf(2227));
        QCOMPARE(a.kind(), AreaCalculator::Kind::Planar);
        const double ft = 1200.0 / 3937.0;
        QVERIFY(std::abs(a.metresPerUnit() - ft) < 1e-12);
        QVERIFY(std::abs(a.area({rect(0, 0, 100, 100)}) - 10000.0 * ft * ft) < 1e-6);
    }

    void geodesic_data()
    {
        QTest::addColumn<double>("lon0");
        QTest::addColumn<double>("lat0");
        QTest::addColumn<double>("size");
        QTest::addColumn<double>("step");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("100 m at 50N") << 10.0 << 50.0 << 0.001 << 0.001 << 1e-6;
        QTest::newRow("pixels at 50N") << 10.0 << 50.0 << 0.01 << 0.0001 << 1e-6;
        QTest::newRow("equator") << -3.0 << -0.005 << 0.01 << 0.001 << 1e-6;
        QTest::newRow("70S") << 120.0 << -70.0 << 0.002 << 0.0005 << 1e-6;
        QTest::newRow("1 degree, dense") << 0.0 << 0.0 << 1.0 << 0.01 << 1e-5;
    }

    void geodesic()
    {
        QFETCH(double, lon0);
        QFETCH(double, lat0);
        QFETCH(double, size);
        QFETCH(double, step);
        QFETCH(double, tolerance);
        const AreaCalculator a(wktOf(4326));
        QCOMPARE(a.kind(), AreaCalculator::Kind::Geodesic);
        QVERIFY(std::abs(a.semiMajor() - 6378137.0) < 1e-6);
        const double expected = test::lonLatRectangleArea(lon0, lat0, lon0 + size, lat0 + size);
        const double got = a.area({densified(lon0, lat0, lon0 + size, lat0 + size, step)});
        QVERIFY2(std::abs(got - expected) <= tolerance * expected,
                 qPrintable(QString("%1 vs %2").arg(got, 0, 'f', 6).arg(expected, 0, 'f', 6)));
    }

    void geodesicPixel()
    {
        const AreaCalculator a(wktOf(4326));
        const GeoTransform gt({10.0, 0.0001, 0.0, 50.0, 0.0, -0.0001});
        for (int row : {0, 500, 5000}) {
            const double lat1 = 50.0 - row * 0.0001;
            const double expected = test::lonLatRectangleArea(10.0, lat1 - 0.0001, 10.0001, lat1);
            QVERIFY(std::abs(a.pixelArea(gt, 0, row) - expected) < 1e-6 * expected);
        }
        // Pixels shrink towards the pole.
        QVERIFY(a.pixelArea(gt, 0, 0) < a.pixelArea(gt, 0, 5000));
    }

    void noCrs()
    {
        const AreaCalculator a("");
        QCOMPARE(a.kind(), AreaCalculator::Kind::None);
        QCOMPARE(a.area({rect(0, 0, 3, 4)}), 12.0);
        QVERIFY_EXCEPTION_THROWN(AreaCalculator("not a crs"), Error);
    }
};

QTEST_APPLESS_MAIN(TestAreaCalculator)
#include "test_areacalculator.moc"
