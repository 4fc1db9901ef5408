// TileGrid: windows cover the raster with the requested overlap, edge tiles shift inward,
// small rasters pad, ids are row-major and footprints follow the geotransform.
#include "common/error.h"
#include "geo/tilegrid.h"

#include <QtTest>

using namespace rsrefseg;

class TestTileGrid : public QObject
{
    Q_OBJECT

    // Independent check of one axis: inside the raster, covering it, overlapping enough.
    static void checkAxis(const std::vector<int> &starts, int length, int tile, int overlap)
    {
        QVERIFY(!starts.empty());
        QCOMPARE(starts.front(), 0);
        if (length <= tile) {
            QCOMPARE(starts.size(), size_t(1));
            return;
        }
        QCOMPARE(starts.back() + tile, length);
        for (size_t i = 1; i < starts.size(); ++i) {
            QVERIFY(starts[i] > starts[i - 1]);
            QVERIFY(starts[i - 1] + tile - starts[i] >= overlap); // at least the overlap
            QVERIFY(starts[i] + tile <= length);
        }
        // Minimal count: n tiles with stride (tile - overlap) reach length.
        const int stride = tile - overlap;
        const size_t minimal = size_t((length - tile + stride - 1) / stride + 1);
        QCOMPARE(starts.size(), minimal);
    }

  private slots:
    void starts_data()
    {
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("tile");
        QTest::addColumn<int>("overlap");
        QTest::newRow("smaller") << 700 << 1024 << 128;
        QTest::newRow("equal") << 1024 << 1024 << 128;
        QTest::newRow("one more") << 1025 << 1024 << 128;
        QTest::newRow("larger") << 2500 << 1024 << 128;
        QTest::newRow("exact stride") << 1024 + 896 << 1024 << 128;
        QTest::newRow("no overlap") << 3000 << 1000 << 0;
        QTest::newRow("tiny tiles") << 97 << 10 << 3;
    }

    void starts()
    {
        QFETCH(int, length);
        QFETCH(int, tile);
        QFETCH(int, overlap);
        checkAxis(TileGrid::starts(length, tile, overlap), length, tile, overlap);
    }

    void knownGrid()
    {
        const TileGrid grid(2500, 700, 1024, 128);
        QCOMPARE(grid.columns(), 3);
        QCOMPARE(grid.rows(), 1);
        QCOMPARE(grid.count(), 3);
        QCOMPARE(TileGrid::starts(2500, 1024, 128), (std::vector<int>{0, 896, 1476}));
        const Tile &last = grid.tile(2);
        QCOMPARE(last.id, 2);
        QCOMPARE(last.column, 2);
        QCOMPARE(last.window, (PixelWindow{1476, 0, 1024, 1024}));
        QCOMPARE(last.valid, (PixelWindow{1476, 0, 1024, 700})); // padded vertically only
        QCOMPARE(last.name(), std::string("r0c2"));
    }

    void rowMajorIds()
    {
        const TileGrid grid(300, 250, 100, 20);
        int expected = 0;
        for (const Tile &t : grid.tiles()) {
            QCOMPARE(t.id, expected++);
            QCOMPARE(t.id, t.row * grid.columns() + t.column);
        }
        // Every pixel is covered by at least one valid window.
        std::vector<int> cover(300 * 250, 0);
        for (const Tile &t : grid.tiles())
            for (int y = t.valid.y; y < t.valid.bottom(); ++y)
                for (int x = t.valid.x; x < t.valid.right(); ++x)
                    cover[size_t(y * 300 + x)]++;
        QVERIFY(std::find(cover.begin(), cover.end(), 0) == cover.end());
    }

    void footprint()
    {
        const TileGrid grid(2500, 700, 1024, 128);
        const GeoTransform gt({500000.0, 0.5, 0.0, 5000000.0, 0.0, -0.5});
        const auto fp = TileGrid::footprint(grid.tile(1), gt);
        QCOMPARE(fp[0].first, 500000.0 + 896 * 0.5);
        QCOMPARE(fp[0].second, 5000000.0);
        QCOMPARE(fp[2].first, 500000.0 + (896 + 1024) * 0.5);
        QCOMPARE(fp[2].second, 5000000.0 - 700 * 0.5);
        // Pixel coordinates without georeference: y up.
        const auto px = TileGrid::footprint(grid.tile(0), GeoTransform::pixelCoordinates());
        QCOMPARE(px[2].first, 1024.0);
        QCOMPARE(px[2].second, -700.0);
    }

    void badSizes()
    {
        QVERIFY_THROWS_EXCEPTION(Error, TileGrid(100, 100, 0, 0));
        QVERIFY_THROWS_EXCEPTION(Error, TileGrid(100, 100, 64, 64));
        QVERIFY_THROWS_EXCEPTION(Error, TileGrid(100, 100, 64, 100));
        QVERIFY_THROWS_EXCEPTION(Error, TileGrid(100, 100, 64, -1));
        QVERIFY_THROWS_EXCEPTION(Error, TileGrid(0, 100, 64, 8));
    }
};

QTEST_APPLESS_MAIN(TestTileGrid)
#include "test_tilegrid.moc"
