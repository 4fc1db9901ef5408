// ResultLayer: the tiles of a request are listed before they arrive and change state as
// reports come in; a click finds the reported tile with the nearest centre; finished rows paint
// the mask in the layer's colour (a darker rim on its edge, nodata transparent) and tile
// previews never overwrite final rows; the object area prefers the polygons' square metres;
// finishing takes the engine's threshold. References are worked out by hand below.
#include "ui/resultlayer.h"

#include <QTest>

using namespace rsrefseg;

namespace {

RasterInfo rasterInfo(int width, int height, double pixel)
{
    RasterInfo i;
    i.path = "/data/scene.tif";
    i.width = width;
    i.height = height;
    i.geoTransform = GeoTransform({1000.0, pixel, 0.0, 5000.0, 0.0, -pixel});
    i.hasGeoTransform = true;
    return i;
}

SegmentationRequest request(bool tiled, int tileSize = 64, int overlap = 0)
{
    SegmentationRequest r;
    r.raster = "/data/scene.tif";
    r.queries = {"roofs"};
    r.settings.mode = tiled ? SegmentationSettings::Mode::Tiled : SegmentationSettings::Mode::View;
    r.settings.tileSize = tileSize;
    r.settings.overlap = overlap;
    return r;
}

int indexOf(const ResultLayer &layer, int row, int column)
{
    for (size_t i = 0; i < layer.tiles().size(); ++i)
        if (layer.tiles()[i].tile.row == row && layer.tiles()[i].tile.column == column)
            return static_cast<int>(i);
    return -1;
}

void report(ResultLayer &layer, int row, int column, TileReport::State state = TileReport::State::Segmented,
            TileReport::Cache cache = TileReport::Cache::Miss)
{
    TileUpdate u;
    u.report.tileId = layer.tiles()[static_cast<size_t>(indexOf(layer, row, column))].tile.id;
    u.report.row = row;
    u.report.column = column;
    u.report.state = state;
    u.report.cache = cache;
    layer.applyTile(u);
}

QRgb premultiplied(const QColor &c)
{
    return qPremultiply(qRgba(c.red(), c.green(), c.blue(), 255));
}

} // namespace

class TestResultLayer : public QObject
{
    Q_OBJECT
  private slots:
    // A 200 x 150 window at (32, 16) in 64 px tiles: 4 x 3 tiles (the last ones end at the
    // window's edge), in source pixels, pending until reported.
    void tilesArePendingUntilReported()
    {
        ResultLayer layer(QStringLiteral("roofs"), rasterInfo(400, 300, 2.0), request(true), {32, 16, 200, 150});
        QCOMPARE(int(layer.tiles().size()), 12);
        QCOMPARE(layer.gridColumns(), 4);
        const int i = indexOf(layer, 1, 2);
        const Tile &t = layer.tiles()[static_cast<size_t>(i)].tile;
        QCOMPARE(t.valid.x, 32 + 128);
        QCOMPARE(t.valid.y, 16 + 64);
        const Tile &last = layer.tiles()[static_cast<size_t>(indexOf(layer, 2, 3))].tile;
        QCOMPARE(last.valid.x, 32 + 200 - 64);
        QCOMPARE(last.valid.y, 16 + 150 - 64);
        for (const TileRecord &r : layer.tiles())
            QCOMPARE(r.display(), TileRecord::Display::Pending);
        QCOMPARE(layer.reportedTiles(), 0);

        report(layer, 1, 2, TileReport::State::Segmented, TileReport::Cache::Memory);
        QCOMPARE(layer.tiles()[static_cast<size_t>(i)].display(), TileRecord::Display::Cached);
        QCOMPARE(layer.reportedTiles(), 1);
        report(layer, 1, 2); // reported again: counted once
        QCOMPARE(layer.tiles()[static_cast<size_t>(i)].display(), TileRecord::Display::Segmented);
        QCOMPARE(layer.reportedTiles(), 1);
        report(layer, 0, 0, TileReport::State::Gated);
        report(layer, 0, 1, TileReport::State::NoData);
        report(layer, 0, 2, TileReport::State::Segmented, TileReport::Cache::Disk);
        QCOMPARE(layer.tiles()[static_cast<size_t>(indexOf(layer, 0, 0))].display(), TileRecord::Display::Gated);
        QCOMPARE(layer.tiles()[static_cast<size_t>(indexOf(layer, 0, 1))].display(), TileRecord::Display::NoData);
        QCOMPARE(layer.tiles()[static_cast<size_t>(indexOf(layer, 0, 2))].display(), TileRecord::Display::Cached);
        QCOMPARE(layer.reportedTiles(), 4);
        // The extent is the window's: x 1000 + 2 * 32 .., y 5000 - 2 * 16 ..
        const MapBox e = layer.extent();
        QCOMPARE(e.minX, 1064.0);
        QCOMPARE(e.maxX, 1464.0);
        QCOMPARE(e.maxY, 4968.0);
        QCOMPARE(e.minY, 4668.0);
    }

    // View mode: one tile, the whole window; any report is that tile's.
    void viewModeHasOneTile()
    {
        ResultLayer layer(QStringLiteral("roofs"), rasterInfo(400, 300, 2.0), request(false), {10, 20, 300, 200});
        QCOMPARE(int(layer.tiles().size()), 1);
        QCOMPARE(layer.tiles().front().tile.valid.width, 300);
        TileUpdate u;
        u.report.tileId = 7;
        u.report.state = TileReport::State::View;
        layer.applyTile(u);
        QCOMPARE(layer.reportedTiles(), 1);
        QCOMPARE(layer.tiles().front().display(), TileRecord::Display::Segmented);
        QCOMPARE(layer.tileIndexAt(10, 20), 0);
        QCOMPARE(layer.tileIndexAt(309.5, 219.5), 0);
        QCOMPARE(layer.tileIndexAt(310, 100), -1);
        QCOMPARE(layer.tileIndexAt(9.9, 100), -1);
    }

    // 64 px tiles overlapping by 16: starts 0, 48, 96, ... A pixel in two reported tiles
    // belongs to the one whose centre (32, 80, ...) is nearer.
    void tileIndexAtPicksTheNearestReportedCentre()
    {
        ResultLayer layer(QStringLiteral("roofs"), rasterInfo(256, 256, 1.0), request(true, 64, 16), {0, 0, 256, 256});
        const int a = indexOf(layer, 0, 0);
        const int b = indexOf(layer, 0, 1);
        QCOMPARE(layer.tiles()[static_cast<size_t>(b)].tile.valid.x, 48);
        QCOMPARE(layer.tileIndexAt(60, 10), -1); // nothing reported yet
        report(layer, 0, 0);
        QCOMPARE(layer.tileIndexAt(60, 10), a); // only (0, 0) reported
        report(layer, 0, 1);
        QCOMPARE(layer.tileIndexAt(60, 10), b);  // 20 px from 80, 28 from 32
        QCOMPARE(layer.tileIndexAt(50, 10), a);  // 18 from 32, 30 from 80
        QCOMPARE(layer.tileIndexAt(100, 10), b); // only in (0, 1) among the reported
        QCOMPARE(layer.tileIndexAt(120, 10), -1);
    }

    // Rows above the threshold byte (0.5 * 254 = 127) are object: filled inside, rim on the
    // edge, transparent elsewhere and at nodata (255).
    void rowsPaintTheMask()
    {
        ResultLayer layer(QStringLiteral("roofs"), rasterInfo(40, 30, 1.0), request(false), {0, 0, 40, 30});
        QCOMPARE(layer.colouredImage().size(), QSize(40, 30));
        RowsUpdate u;
        u.rows = cv::Mat(30, 40, CV_8UC1, cv::Scalar(127)); // exactly the threshold: background
        u.rows(cv::Rect(10, 5, 10, 10)).setTo(128);
        u.rows(cv::Rect(30, 0, 10, 30)).setTo(255); // nodata
        const QRect changed = layer.applyRows(u);
        QVERIFY(changed.contains(QRect(0, 0, 40, 30)));
        const QRgb fill = premultiplied(layer.colour());
        const QRgb rim = premultiplied(layer.colour().darker(170));
        for (int y = 0; y < 30; ++y)
            for (int x = 0; x < 40; ++x) {
                const bool object = x >= 10 && x < 20 && y >= 5 && y < 15;
                const bool edge = object && (x == 10 || x == 19 || y == 5 || y == 14);
                const QRgb expected = !object ? 0 : edge ? rim : fill;
                QVERIFY2(layer.colouredImage().pixel(x, y) == expected, qPrintable(QStringLiteral("%1,%2").arg(x).arg(y)));
                QCOMPARE(int(qGray(layer.probabilityImage().pixel(x, y))), int(u.rows.at<uchar>(y, x)));
            }
        // A new colour repaints the mask.
        layer.setColour(QColor(0, 0, 255));
        QCOMPARE(layer.colouredImage().pixel(15, 10), premultiplied(QColor(0, 0, 255)));
        QCOMPARE(layer.colouredImage().pixel(0, 0), QRgb(0));
    }

    // A tile preview fills in rows not yet final, never those the blended rows wrote.
    void tilePreviewsStayBelowFinalRows()
    {
        ResultLayer layer(QStringLiteral("roofs"), rasterInfo(40, 30, 1.0), request(false), {0, 0, 40, 30});
        RowsUpdate u;
        u.rows = cv::Mat(10, 40, CV_8UC1, cv::Scalar(20)); // rows 0..9 final
        layer.applyRows(u);
        TileUpdate t;
        t.displayRect = QRect(0, 5, 40, 15); // rows 5..19
        t.display = cv::Mat(15, 40, CV_8UC1, cv::Scalar(200));
        layer.applyTile(t);
        for (int y = 0; y < 30; ++y) {
            const int expected = y < 10 ? 20 : y < 20 ? 200 : 0;
            QCOMPARE(int(qGray(layer.probabilityImage().pixel(7, y))), expected);
        }
        QVERIFY(qAlpha(layer.colouredImage().pixel(7, 15)) > 0); // the preview is drawn
        QCOMPARE(qAlpha(layer.colouredImage().pixel(7, 7)), 0);
    }

    void objectAreaPrefersPolygonSquareMetres()
    {
        ResultLayer layer(QStringLiteral("roofs"), rasterInfo(40, 30, 2.0), request(false), {0, 0, 40, 30});
        bool m2 = true;
        QCOMPARE(layer.objectArea(&m2), 0.0); // no result yet
        QVERIFY(!m2);
        auto result = std::make_shared<SegmentationResult>();
        QueryResult q;
        q.objectPixels = 100;
        q.polygonCount = 2;
        PolygonReport a;
        a.areaM2 = 10.0;
        PolygonReport b;
        b.areaM2 = 15.5;
        q.polygons = {a, b};
        result->queries = {q};
        layer.finish(result, 1.5);
        QCOMPARE(layer.state(), ResultLayer::State::Finished);
        QCOMPARE(layer.seconds(), 1.5);
        QCOMPARE(layer.polygonCount(), int64_t(2));
        QCOMPARE(layer.objectPixels(), int64_t(100));
        QCOMPARE(layer.objectArea(&m2), 25.5);
        QVERIFY(m2);

        // A polygon without m2 (no CRS): pixels x pixel area (2 x 2 map units).
        result->queries[0].polygons[1].areaM2 = -1.0;
        QCOMPARE(layer.objectArea(&m2), 400.0);
        QVERIFY(!m2);
        // Reports capped below the polygon count: the m2 sum would be short, so pixels again.
        result->queries[0].polygons[1].areaM2 = 15.5;
        result->queries[0].polygonCount = 3;
        QCOMPARE(layer.objectArea(&m2), 400.0);
        QVERIFY(!m2);
    }

    // The engine's threshold (the model's, when the request named none) replaces the display
    // threshold at the end, and the mask on the map follows it.
    void finishTakesTheEngineThreshold()
    {
        ResultLayer layer(QStringLiteral("roofs"), rasterInfo(40, 30, 1.0), request(false), {0, 0, 40, 30});
        QCOMPARE(layer.threshold(), 0.5);
        RowsUpdate u;
        u.rows = cv::Mat(30, 40, CV_8UC1, cv::Scalar(0));
        u.rows(cv::Rect(10, 10, 10, 10)).setTo(102); // p = 0.4
        layer.applyRows(u);
        QCOMPARE(qAlpha(layer.colouredImage().pixel(15, 15)), 0);
        auto result = std::make_shared<SegmentationResult>();
        result->threshold = 0.3;
        layer.finish(result, 1.0);
        QCOMPARE(layer.threshold(), 0.3);
        QCOMPARE(layer.colouredImage().pixel(15, 15), premultiplied(layer.colour()));
        QCOMPARE(layer.colouredImage().pixel(5, 5), QRgb(0));
    }
};

QTEST_MAIN(TestResultLayer)
#include "test_resultlayer.moc"
