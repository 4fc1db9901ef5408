// CoordinateFormatter: the status bar's texts for a map position. Longitude/latitude are
// checked against facts that need no projection library (a UTM zone's central meridian, the
// equator) and against the meridian arc of WGS 84 inverted here; pixels and scales are worked
// out by hand. The C locale keeps the number formats fixed.
#include "crswkt.h"
#include "ui/coordinateformatter.h"

#include <ogr_spatialref.h>

#include <QLocale>
#include <QTest>

#include <cmath>

using namespace rsrefseg;

namespace {

std::string wktOf(int epsg)
{
    return rsrefseg::test::wktOfEpsg(epsg);
}

RasterInfo utmInfo()
{
    RasterInfo i;
    i.width = 256;
    i.height = 256;
    i.hasGeoTransform = true;
    i.geoTransform = GeoTransform({500000.0, 0.5, 0.0, 5000000.0, 0.0, -0.5});
    i.crsWkt = wktOf(32633);
    i.epsg = 32633;
    return i;
}

// Latitude (degrees) on a UTM zone's central meridian at `northing` (northern hemisphere):
// northing = k0 * M(lat) with the WGS 84 meridian arc series M, inverted by bisection.
double centralMeridianLatitude(double northing)
{
    const double a = 6378137.0;
    const double f = 1.0 / 298.257223563;
    const double e2 = f * (2.0 - f);
    const double e4 = e2 * e2;
    const double e6 = e4 * e2;
    auto arc = [&](double phi) {
        return a * ((1.0 - e2 / 4.0 - 3.0 * e4 / 64.0 - 5.0 * e6 / 256.0) * phi -
                    (3.0 * e2 / 8.0 + 3.0 * e4 / 32.0 + 45.0 * e6 / 1024.0) * std::sin(2.0 * phi) +
                    (15.0 * e4 / 256.0 + 45.0 * e6 / 1024.0) * std::sin(4.0 * phi) -
                    (35.0 * e6 / 3072.0) * std::sin(6.0 * phi));
    };
    double lo = 0.0;
    double hi = M_PI / 2.0;
    for (int i = 0; i < 100; ++i) {
        const double mid = (lo + hi) / 2.0;
        (0.9996 * arc(mid) < northing ? lo : hi) = mid;
    }
    return lo * 180.0 / M_PI;
}

} // namespace

class TestCoordinateFormatter : public QObject
{
    Q_OBJECT
  private slots:
    void initTestCase() { QLocale::setDefault(QLocale::c()); }

    void projectedRaster()
    {
        const CoordinateFormatter f(utmInfo());
        QVERIFY(f.isValid());
        QVERIFY(f.hasLonLat());
        QCOMPARE(f.crsLabel(), QStringLiteral("EPSG:32633"));
        QCOMPARE(f.mapText(QPointF(500012.25, 4999987.75)), QStringLiteral("500012.25, 4999987.75"));
        // (12.25 m, -12.25 m) from the corner in 0.5 m pixels: inside pixel (24, 24).
        QCOMPARE(f.pixelText(QPointF(500012.25, 4999987.75)), QStringLiteral("col 24, row 24"));
        QCOMPARE(f.pixel(QPointF(500012.25, 4999987.75)), QPointF(24.5, 24.5));

        // UTM 33N: easting 500000 is the central meridian, 15 degrees east; northing 0 the equator.
        double lon = 0.0;
        double lat = 0.0;
        QVERIFY(f.lonLat(QPointF(500000.0, 0.0), &lon, &lat));
        QVERIFY2(std::abs(lon - 15.0) < 1e-9 && std::abs(lat) < 1e-9, qPrintable(QStringLiteral("%1 %2").arg(lon).arg(lat)));
        QCOMPARE(f.lonLatText(QPointF(500000.0, 0.0)), QStringLiteral("15.00000°E, 0.00000°N"));
        // Along the meridian the latitude follows the meridian arc (1e-7 degrees: ~1 cm).
        QVERIFY(f.lonLat(QPointF(500000.0, 5000000.0), &lon, &lat));
        const double expected = centralMeridianLatitude(5000000.0);
        QVERIFY2(std::abs(lat - expected) < 1e-7, qPrintable(QStringLiteral("%1 vs %2").arg(lat, 0, 'f', 9).arg(expected, 0, 'f', 9)));
        QVERIFY(std::abs(lon - 15.0) < 1e-9);

        // 1 m per screen pixel on a 96 dpi screen (0.0254 / 96 m per pixel): 1 : 3779.5.
        const double d = f.scaleDenominator(1.0, 96.0, QPointF(500000.0, 5000000.0));
        QVERIFY(std::abs(d - 96.0 / 0.0254) < 1e-6);
        QCOMPARE(CoordinateFormatter::scaleText(d), QStringLiteral("1:3780"));
        QCOMPARE(f.scaleDenominator(1.0, 0.0, QPointF()), 0.0);
    }

    void geographicRaster()
    {
        RasterInfo i;
        i.width = 100;
        i.height = 100;
        i.hasGeoTransform = true;
        i.geoTransform = GeoTransform({-5.0, 0.01, 0.0, 0.0, 0.0, -0.01});
        i.crsWkt = wktOf(4326);
        i.epsg = 4326;
        i.isGeographic = true;
        const CoordinateFormatter f(i);
        QCOMPARE(f.crsLabel(), QStringLiteral("EPSG:4326"));
        QCOMPARE(f.mapText(QPointF(-3.495, -0.245)), QStringLiteral("-3.495000, -0.245000"));
        QCOMPARE(f.lonLatText(QPointF(-3.495, -0.245)), QStringLiteral("3.49500°W, 0.24500°S"));
        QCOMPARE(f.pixelText(QPointF(-3.495, -0.245)), QStringLiteral("col 150, row 24")); // 150.5, 24.5
        // A degree of longitude is 111319.49 m at the equator and half that at 60 degrees: one
        // metre per screen pixel there is 1 : 3779.5, and a pixel twice as wide at 60 degrees.
        const double perMetre = 1.0 / 111319.49;
        QVERIFY(std::abs(f.scaleDenominator(perMetre, 96.0, QPointF(0.0, 0.0)) - 96.0 / 0.0254) < 1e-6);
        QVERIFY(std::abs(f.scaleDenominator(2.0 * perMetre, 96.0, QPointF(0.0, 60.0)) - 96.0 / 0.0254) < 1e-6);
    }

    void withoutGeoreference()
    {
        RasterInfo i;
        i.width = 64;
        i.height = 48;
        i.geoTransform = GeoTransform::pixelCoordinates();
        const CoordinateFormatter f(i);
        QVERIFY(f.isValid());
        QVERIFY(!f.hasLonLat());
        QCOMPARE(f.crsLabel(), QStringLiteral("pixel coordinates"));
        QCOMPARE(f.mapText(QPointF(10.5, -20.4)), QStringLiteral("10.5, -20.4"));
        QCOMPARE(f.lonLatText(QPointF(10.5, -20.4)), QString());
        QCOMPARE(f.pixelText(QPointF(10.5, -20.4)), QStringLiteral("col 10, row 20")); // y up: row = -y
        QCOMPARE(f.scaleDenominator(1.0, 96.0, QPointF()), 0.0);
        QCOMPARE(CoordinateFormatter::scaleText(0.0), QString());
    }

    void noRaster()
    {
        const CoordinateFormatter f;
        QVERIFY(!f.isValid());
        QCOMPARE(f.crsLabel(), QString());
        QCOMPARE(f.scaleDenominator(1.0, 96.0, QPointF()), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestCoordinateFormatter)
#include "test_coordinateformatter.moc"
