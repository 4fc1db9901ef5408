// MapBox::pixelWindow: a map-coordinate box becomes the source pixels it covers (every pixel it
// touches, exactly the pixels of a box on pixel edges), clipped to the raster; a box outside the
// raster is an error that names the raster and its extent. (Moved here with the geometry from
// SegmentationEngine::regionWindow.) MapBox::transformed: a box in another CRS becomes the
// bounding box in the raster's CRS, checked against spherical Mercator's closed form.
#include "common/error.h"
#include "geo/mapbox.h"

#include <ogr_spatialref.h>

#include <QtTest>

#include <cmath>

using namespace rsrefseg;

class TestMapBox : public QObject
{
    Q_OBJECT

    // 100 x 50 pixels of 2 map units, top-left corner at (1000, 2000), north up.
    static RasterInfo northUp()
    {
        RasterInfo info;
        info.path = "r.tif";
        info.width = 100;
        info.height = 50;
        info.geoTransform = GeoTransform({1000.0, 2.0, 0.0, 2000.0, 0.0, -2.0});
        return info;
    }

  private slots:
    void regionWindow()
    {
        const RasterInfo info = northUp();
        QCOMPARE((MapBox{1010, 1980, 1030, 1990}.pixelWindow(info)), (PixelWindow{5, 5, 10, 5}));
        // Partly outside: clipped.
        QCOMPARE((MapBox{900, 1950, 1004, 2100}.pixelWindow(info)), (PixelWindow{0, 0, 2, 25}));
        // Not on pixel edges: every touched pixel.
        QCOMPARE((MapBox{1011, 1981, 1013, 1983}.pixelWindow(info)), (PixelWindow{5, 8, 2, 2}));
        QVERIFY_EXCEPTION_THROWN(MapBox({0, 0, 10, 10}).pixelWindow(info), Error);
        QVERIFY_EXCEPTION_THROWN(MapBox({1200, 1980, 1300, 1990}).pixelWindow(info), Error);
    }

    void wholeRasterAndBeyond()
    {
        const RasterInfo info = northUp();
        // The raster's own extent, and a box far larger: the whole raster either way.
        QCOMPARE((MapBox{1000, 1900, 1200, 2000}.pixelWindow(info)), (PixelWindow{0, 0, 100, 50}));
        QCOMPARE((MapBox{-1e6, -1e6, 1e6, 1e6}.pixelWindow(info)), (PixelWindow{0, 0, 100, 50}));
        // Rounding noise on pixel edges does not add a pixel row or column.
        QCOMPARE((MapBox{1010 - 1e-9, 1980 + 1e-9, 1030 + 1e-9, 1990 - 1e-9}.pixelWindow(info)),
                 (PixelWindow{5, 5, 10, 5}));
        // A box touching the raster's bottom edge only (no pixel inside) is outside.
        QVERIFY_EXCEPTION_THROWN(MapBox({1010, 1850, 1030, 1900}).pixelWindow(info), Error);
    }

    void withoutGeoreference()
    {
        // Pixel coordinates (GeoTransform::pixelCoordinates): map y = -row.
        RasterInfo info;
        info.path = "plain.png";
        info.width = 40;
        info.height = 30;
        info.geoTransform = GeoTransform::pixelCoordinates();
        QCOMPARE((MapBox{4, -20, 12, -10}.pixelWindow(info)), (PixelWindow{4, 10, 8, 10}));
    }

    void clippedFlag()
    {
        const RasterInfo info = northUp();
        bool clipped = true;
        MapBox{1010, 1980, 1030, 1990}.pixelWindow(info, &clipped);
        QVERIFY(!clipped);
        MapBox{1000, 1900, 1200, 2000}.pixelWindow(info, &clipped); // exactly the raster
        QVERIFY(!clipped);
        MapBox{900, 1950, 1004, 2100}.pixelWindow(info, &clipped);
        QVERIFY(clipped);
        MapBox{1010, 1980, 1200.5, 1990}.pixelWindow(info, &clipped); // half a pixel beyond the right edge
        QVERIFY(clipped);
    }

    void transformedToWebMercator()
    {
        // EPSG:3857 (spherical Mercator, R = 6378137 m): x = R lon, y = R ln tan(pi/4 + lat/2).
        // Meridians and parallels are straight lines there, so the box's image is a box.
        OGRSpatialReference mercator;
        QCOMPARE(mercator.importFromEPSG(3857), OGRERR_NONE);
        char *wkt = nullptr;
        mercator.exportToWkt(&wkt);
        const std::string mercatorWkt = wkt;
        CPLFree(wkt);
        const double r = 6378137.0, d = M_PI / 180.0;
        const auto y = [&](double lat) { return r * std::log(std::tan(M_PI / 4 + lat * d / 2)); };
        const MapBox m = MapBox{10.0, 50.0, 11.5, 51.0}.transformed("EPSG:4326", mercatorWkt);
        QVERIFY(std::abs(m.minX - r * 10.0 * d) < 1e-3);
        QVERIFY(std::abs(m.maxX - r * 11.5 * d) < 1e-3);
        QVERIFY(std::abs(m.minY - y(50.0)) < 1e-3);
        QVERIFY(std::abs(m.maxY - y(51.0)) < 1e-3);
        // x is the longitude (QGIS's order), also for a CRS given as WKT.
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        wgs84.exportToWkt(&wkt);
        const MapBox w = MapBox{10.0, 50.0, 11.5, 51.0}.transformed(wkt, mercatorWkt);
        CPLFree(wkt);
        QVERIFY(std::abs(w.minX - m.minX) < 1e-6 && std::abs(w.maxY - m.maxY) < 1e-6);
    }

    void badCrsIsNamed()
    {
        MapBox::checkCrs("EPSG:32633");
        for (const char *crs : {"EPSG:999999", "not a crs", "", "/etc/hostname"}) {
            try {
                MapBox::checkCrs(crs);
                QFAIL(crs);
            } catch (const Error &e) {
                const QString m = QString::fromStdString(e.what());
                QVERIFY2(m.contains(QString("region CRS '%1' is not a CRS (use EPSG:XXXX or WKT)").arg(crs)), qPrintable(m));
            }
        }
    }

    void errorNamesRasterAndExtent()
    {
        try {
            MapBox{0, 0, 10, 10}.pixelWindow(northUp());
            QFAIL("no error for a box outside the raster");
        } catch (const Error &e) {
            const QString m = QString::fromStdString(e.what());
            QVERIFY2(m.contains("region 0,0,10,10 lies outside the raster 'r.tif'"), qPrintable(m));
            QVERIFY2(m.contains("(extent 1000,1900,1200,2000)"), qPrintable(m));
        }
    }
};

QTEST_GUILESS_MAIN(TestMapBox)
#include "test_mapbox.moc"
