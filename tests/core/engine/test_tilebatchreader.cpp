// TileBatchReader (engine/tilebatchreader.h): tiles come back batch by batch in tile order with
// exactly the pixels Raster::readRgb8 reads, with and without read-ahead; with read-ahead the
// next batch is read while the caller works on the current one; an unreadable tile comes back
// as nodata with its error; a reader destroyed mid-read stops cleanly.
#include "common/error.h"
#include "engine/tilebatchreader.h"
#include "geo/raster.h"
#include "geo/tilegrid.h"

#include "enginetestsupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <thread>

using namespace rsrefseg;
using namespace rsrefseg::test;

namespace {

const std::vector<SceneBox> kBoxes = {{40, 30, 100, 70, 0, false}, {300, 200, 60, 50, 2, false}};
constexpr int kW = 520, kH = 390;

// A raster with the bands and stretch the engine would choose for it.
struct OpenRaster
{
    explicit OpenRaster(const std::string &file)
        : raster(Raster::open(file))
        , bands(BandSelection::automatic(raster.info()))
        , stretch(raster.computeStretch(bands, StretchOptions()))
    {
    }
    Raster raster;
    BandSelection bands;
    ContrastStretch stretch;
};

bool samePixels(const cv::Mat &a, const cv::Mat &b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0.0;
}

} // namespace

class TestTileBatchReader : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string path(const QString &name) const { return mDir.filePath(name).toStdString(); }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        GDALAllRegister();
        makeRaster(path("scene.tif"), sceneSpec(kW, kH, kBoxes));
    }

    void readsEveryTileInOrder_data()
    {
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<bool>("readAhead");
        QTest::newRow("batch 1, read-ahead") << 1 << true;
        QTest::newRow("batch 3, read-ahead") << 3 << true;
        QTest::newRow("batch 3, no read-ahead") << 3 << false;
        QTest::newRow("batch larger than the grid") << 64 << true;
    }

    void readsEveryTileInOrder()
    {
        QFETCH(int, batchSize);
        QFETCH(bool, readAhead);
        const OpenRaster r(path("scene.tif"));
        // A window inside the raster: tile coordinates are relative to it.
        const PixelWindow window{30, 20, 470, 350};
        const TileGrid grid(window.width, window.height, 160, 24);
        QVERIFY(grid.count() > 6);

        std::vector<TileBatchReader::ReadTile> all;
        {
            TileBatchReader reader(r.raster, grid.tiles(), window, batchSize, r.bands, r.stretch, readAhead);
            int batches = 0;
            while (!reader.done()) {
                std::vector<TileBatchReader::ReadTile> batch = reader.next();
                QVERIFY(!batch.empty());
                QVERIFY(static_cast<int>(batch.size()) <= batchSize);
                ++batches;
                for (auto &t : batch)
                    all.push_back(std::move(t));
            }
            QCOMPARE(batches, (grid.count() + batchSize - 1) / batchSize);
            QVERIFY(reader.next().empty());
            // Without read-ahead every read happens inside next(): the caller waited at least
            // as long as all reads took (nested intervals on one clock, whatever the load).
            double readSeconds = 0.0;
            for (const auto &t : all)
                readSeconds += t.readMs / 1000.0;
            if (!readAhead)
                QVERIFY2(reader.waitedSeconds() >= readSeconds * (1 - 1e-9),
                         qPrintable(QString("waited %1 s, reads took %2 s").arg(reader.waitedSeconds()).arg(readSeconds)));
            QVERIFY(reader.waitedSeconds() > 0.0);
        }
        QCOMPARE(static_cast<int>(all.size()), grid.count());
        for (size_t i = 0; i < all.size(); ++i) {
            const TileBatchReader::ReadTile &t = all[i];
            QCOMPARE(t.tile.id, static_cast<int>(i));
            QVERIFY(t.error.empty());
            const Tile &expected = grid.tile(static_cast<int>(i));
            QCOMPARE(t.source.x, window.x + expected.valid.x);
            QCOMPARE(t.source.y, window.y + expected.valid.y);
            QCOMPARE(t.source.width, expected.valid.width);
            QCOMPARE(t.source.height, expected.valid.height);
            const RgbImage direct = r.raster.readRgb8(t.source, t.source.width, t.source.height, r.bands, r.stretch);
            QVERIFY(samePixels(t.image.rgb, direct.rgb));
            QVERIFY(samePixels(t.image.valid, direct.valid));
            QVERIFY(t.readMs > 0.0); // measured: reading a tile takes time
        }
    }

    void readsAheadWhileTheCallerWorks()
    {
        const OpenRaster r(path("scene.tif"));
        const TileGrid grid(kW, kH, 128, 0);
        const PixelWindow window{0, 0, kW, kH};
        {
            TileBatchReader reader(r.raster, grid.tiles(), window, 2, r.bands, r.stretch, true);
            // The first batch is being read before anyone asks for it...
            QTRY_VERIFY(reader.nextReady());
            QCOMPARE(reader.next().size(), size_t(2));
            // ...and the second while the caller works on the first.
            QTRY_VERIFY(reader.nextReady());
            const std::vector<TileBatchReader::ReadTile> second = reader.next();
            QCOMPARE(second.front().tile.id, 2);
        }
        {
            TileBatchReader reader(r.raster, grid.tiles(), window, 2, r.bands, r.stretch, false);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            QVERIFY(!reader.nextReady()); // without read-ahead nothing is read in advance
            QCOMPARE(reader.next().front().tile.id, 0);
            QVERIFY(!reader.nextReady());
        }
    }

    void unreadableTileIsNodataWithItsError()
    {
        // Blocks of 64 with the one at column 1, row 0 corrupt: with 64 px tiles and no overlap
        // exactly tile 1 fails, and the tiles after it are read as usual.
        const std::string file = corruptTiledRaster(path("corrupt.tif"), sceneSpec(256, 128, kBoxes), 64, {{1, 0}});
        QVERIFY(!file.empty());
        const OpenRaster r(file);
        const TileGrid grid(256, 128, 64, 0);
        TileBatchReader reader(r.raster, grid.tiles(), {0, 0, 256, 128}, 3, r.bands, r.stretch, true);
        std::vector<TileBatchReader::ReadTile> all;
        while (!reader.done())
            for (auto &t : reader.next())
                all.push_back(std::move(t));
        QCOMPARE(static_cast<int>(all.size()), grid.count());
        for (const auto &t : all) {
            if (t.tile.id == 1) {
                QVERIFY(!t.error.empty());
                QCOMPARE(cv::countNonZero(t.image.valid), 0);
                QCOMPARE(t.image.rgb.size(), cv::Size(64, 64));
            } else {
                QVERIFY2(t.error.empty(), t.error.c_str());
                QCOMPARE(cv::countNonZero(t.image.valid), 64 * 64);
            }
        }
    }

    void stopsCleanlyMidway()
    {
        const OpenRaster r(path("scene.tif"));
        const TileGrid grid(kW, kH, 64, 8);
        const PixelWindow window{0, 0, kW, kH};
        for (int i = 0; i < 20; ++i) {
            // Destroyed while the first batch, or the one after the first, is being read.
            TileBatchReader reader(r.raster, grid.tiles(), window, 4, r.bands, r.stretch, true);
            if (i % 2)
                QCOMPARE(reader.next().size(), size_t(4));
        }
        // The raster is still usable afterwards.
        QCOMPARE(r.raster.readRgb8({0, 0, 10, 10}, 10, 10, r.bands, r.stretch).rgb.cols, 10);
    }
};

QTEST_GUILESS_MAIN(TestTileBatchReader)
#include "test_tilebatchreader.moc"
