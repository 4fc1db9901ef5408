// SegmentationEngine with the deterministic ColourTestModel: masks land on the right map
// coordinates across tile borders without seams, outputs keep the source grid and CRS
// (UTM and EPSG:4326, uint8 and uint16, nodata, rasters smaller than a tile and several
// tiles wide), polygons carry exact coordinates, areas (planar and geodesic, checked against
// an independent formula) and attributes, gating and the cache behave, memory stays bounded
// on a tall raster, and every bad input is a clear error that leaves nothing behind.
#include "enginetestsupport.h"

#include "../geo/geodesicreference.h"
#include "common/addresssanitizer.h"
#include "common/error.h"
#include "engine/colourtestmodel.h"
#include "engine/querylist.h"
#include "engine/segmentationengine.h"
#include "geo/areacalculator.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fstream>
#include <random>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace rsrefseg;
using namespace rsrefseg::test;

namespace {

// 200 x 150: tiles of 64 with overlap 16 -> x starts 0,48,96,136, y starts 0,48,86.
const std::vector<SceneBox> kBoxes = {
    {50, 20, 40, 40, 0, false},   // A: red, across tile borders
    {120, 90, 60, 50, 0, false},  // B: red with a hole
    {140, 100, 10, 10, 0, true},  //    the hole (100 px)
    {10, 130, 3, 3, 0, false},    // C: tiny red (9 px)
    {20, 80, 20, 20, 1, false},   // D: green
};

int64_t count(const cv::Mat &m, uint8_t v)
{
    return cv::countNonZero(m == v);
}

double readVmKb(const char *field)
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0)
            return std::stod(line.substr(std::strlen(field) + 1));
    return -1;
}

} // namespace

class TestSegmentationEngine : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

    std::string path(const QString &name) { return mDir.filePath(name).toStdString(); }

    std::string scene(const QString &name, int w, int h, const std::vector<SceneBox> &boxes, int epsg = 32633,
                      GDALDataType type = GDT_Byte, double scale = 1.0)
    {
        const std::string p = path(name);
        if (!QFile::exists(QString::fromStdString(p)))
            makeRaster(p, sceneSpec(w, h, boxes, epsg, type, scale));
        return p;
    }

    static SegmentationSettings tiled(int tile = 64, int overlap = 16)
    {
        SegmentationSettings s;
        s.mode = SegmentationSettings::Mode::Tiled;
        s.tileSize = tile;
        s.overlap = overlap;
        return s;
    }

    static QString errorOf(const std::function<void()> &f)
    {
        try {
            f();
        } catch (const Error &e) {
            return e.what();
        }
        return {};
    }

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    // The heart of it: exact masks at the right place, probability continuous across tiles.
    void tiledExact_data()
    {
        QTest::addColumn<int>("epsg");
        QTest::addColumn<int>("type");
        QTest::newRow("utm uint8") << 32633 << int(GDT_Byte);
        QTest::newRow("4326 uint8") << 4326 << int(GDT_Byte);
        QTest::newRow("utm uint16") << 32633 << int(GDT_UInt16);
    }

    void tiledExact()
    {
        QFETCH(int, epsg);
        QFETCH(int, type);
        const bool u16 = type == GDT_UInt16;
        const QString tag = QString("exact_%1_%2").arg(epsg).arg(type);
        const std::string src = scene(tag + ".tif", 200, 150, kBoxes, epsg, GDALDataType(type), u16 ? 10.0 : 1.0);
        const QString out = mDir.filePath(tag);
        QVERIFY(QDir().mkpath(out));

        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"the red roofs"};
        r.outputs = {{(out + "/mask.tif").toStdString(), (out + "/prob.tif").toStdString(),
                      (out + "/poly.gpkg").toStdString()}};
        r.settings = tiled();
        r.settings.probabilityType = SegmentationSettings::ProbabilityType::Float32;
        if (u16) {
            r.settings.stretch.mode = StretchOptions::Mode::MinMax;
        }
        std::vector<TileReport> reported;
        Feedback fb;
        fb.onTile = [&](const TileReport &t, const cv::Mat &) { reported.push_back(t); };
        double lastFraction = -1;
        bool monotonic = true;
        fb.onProgress = [&](const ProgressInfo &p) {
            monotonic = monotonic && p.fraction >= lastFraction - 1e-12;
            lastFraction = p.fraction;
        };
        const SegmentationResult res = engine.run(r, &fb);
        QVERIFY(monotonic);
        QCOMPARE(lastFraction, 1.0);

        // Grid and CRS equal the source's.
        const RasterRead source = readRaster(src);
        const RasterRead mask = readRaster(r.outputs[0].mask);
        QCOMPARE(mask.width, 200);
        QCOMPARE(mask.height, 150);
        QCOMPARE(mask.gt, source.gt);
        QCOMPARE(mask.epsg, QString::number(epsg).toStdString());
        QCOMPARE(mask.epsg, source.epsg);
        QCOMPARE(mask.noData.value_or(-1), 255.0);
        QCOMPARE(mask.compression, std::string("DEFLATE"));
        QVERIFY(mask.hasColorTable);
        QCOMPARE(mask.blockX, 256);

        // The mask is exactly the known one, across every tile border.
        const cv::Mat expected = expectedMask(kBoxes, 200, 150, 0);
        const int wrong = cv::countNonZero(mask.band != expected);
        QVERIFY2(wrong == 0, qPrintable(QString("%1 wrong pixels").arg(wrong)));

        // No seams: the blended probability equals the per-pixel model value everywhere.
        const RasterRead prob = readRaster(r.outputs[0].probability, CV_32FC1);
        QCOMPARE(prob.gt, source.gt);
        QCOMPARE(prob.noData.value_or(0), -1.0);
        double worst = 0;
        int gatedObjects = 0;
        for (int y = 0; y < 150; ++y)
            for (int x = 0; x < 200; ++x) {
                const auto v = sceneRgb(kBoxes, x, y);
                const double red = u16 ? std::lround((v[0] * 10.0 - 400.0) / 1600.0 * 255.0) : v[0];
                const float p = prob.band.at<float>(y, x);
                if (red >= 128)
                    worst = std::max(worst, std::abs(p - sigmoid((red - 127.5) / 8.0)));
                else if (p > 0.5f)
                    ++gatedObjects;
            }
        QVERIFY2(worst < 1e-5, qPrintable(QString("max deviation %1").arg(worst)));
        QCOMPARE(gatedObjects, 0);

        // Tiles: 4 x 3, in row order; those without a bright pixel are gated.
        QCOMPARE(res.tileCount, 12);
        QCOMPARE(reported.size(), size_t(12));
        QCOMPARE(res.queries[0].tiles.size(), size_t(12));
        int gated = 0;
        for (size_t i = 0; i < reported.size(); ++i) {
            QCOMPARE(reported[i].tileId, int(i));
            if (reported[i].state == TileReport::State::Gated) {
                ++gated;
                QVERIFY(reported[i].relevance < 0.05f);
            } else {
                QCOMPARE(reported[i].state, TileReport::State::Segmented);
                QVERIFY(reported[i].relevance > 0.9f);
                QVERIFY(reported[i].objectPixels > 0);
            }
        }
        QVERIFY(gated >= 3);
        QCOMPARE(res.queries[0].objectPixels, int64_t(cv::countNonZero(expected)));
        QCOMPARE(res.queries[0].validPixels, int64_t(200 * 150));

        // Polygons: A, B (with its hole), C; exact coordinates and areas.
        const VectorRead vec = readVector(r.outputs[0].vector);
        QCOMPARE(vec.epsg, QString::number(epsg).toStdString());
        QCOMPARE(vec.features.size(), size_t(3));
        QCOMPARE(res.queries[0].polygonCount, int64_t(3));
        const auto &gt = source.gt;
        auto corner = [&](double px, double py) { return std::make_pair(gt[0] + px * gt[1], gt[3] + py * gt[5]); };
        const AreaCalculator areas(mask.wkt);
        struct Want
        {
            int x, y, w, h, holes, pixels;
        };
        const Want wants[] = {{50, 20, 40, 40, 0, 1600}, {120, 90, 60, 50, 1, 2900}, {10, 130, 3, 3, 0, 9}};
        for (const Want &want : wants) {
            const auto tl = corner(want.x, want.y);
            const auto br = corner(want.x + want.w, want.y + want.h);
            const Feature *found = nullptr;
            for (const Feature &f : vec.features) {
                OGREnvelope e;
                f.geometry->getEnvelope(&e);
                if (std::abs(e.MinX - tl.first) < 1e-9 && std::abs(e.MaxY - tl.second) < 1e-9 &&
                    std::abs(e.MaxX - br.first) < 1e-9 && std::abs(e.MinY - br.second) < 1e-9)
                    found = &f;
            }
            QVERIFY2(found, qPrintable(QString("no polygon for the box at %1,%2").arg(want.x).arg(want.y)));
            QCOMPARE(found->geometry->toPolygon()->getNumInteriorRings(), want.holes);
            QCOMPARE(found->number.at("area_px"), double(want.pixels));
            const double pw = std::abs(gt[1]);
            const double ph = std::abs(gt[5]);
            double expectedArea;
            if (epsg == 4326) {
                const double lon0 = tl.first;
                const double lat1 = tl.second;
                expectedArea = lonLatRectangleArea(lon0, lat1 - want.h * ph, lon0 + want.w * pw, lat1);
                if (want.holes) {
                    const auto htl = corner(140, 100);
                    expectedArea -= lonLatRectangleArea(htl.first, htl.second - 10 * ph, htl.first + 10 * pw, htl.second);
                }
            } else {
                expectedArea = want.pixels * pw * ph;
            }
            const double got = found->number.at("area_m2");
            QVERIFY2(std::abs(got - expectedArea) <= 1e-5 * expectedArea,
                     qPrintable(QString("area %1 vs %2").arg(got, 0, 'f', 6).arg(expectedArea, 0, 'f', 6)));
            QCOMPARE(found->text.at("query"), std::string("the red roofs"));
            QCOMPARE(found->text.at("source"), src);
            QVERIFY(found->text.at("model").find("colour") != std::string::npos);
            QVERIFY(QDateTime::fromString(QString::fromStdString(found->text.at("created")), Qt::ISODate).isValid());
            const double objectValue = u16 ? 255.0 : 200.0; // uint16 2000 stretched by min/max to 255
            const double pObject = sigmoid((objectValue - 127.5) / 8.0);
            QVERIFY(std::abs(found->number.at("score") - pObject) < 1.0 / 255.0);
            QVERIFY(std::abs(found->number.at("relevance") - pObject) < 1e-6);
            QVERIFY(std::abs(found->number.at("iou_pred") - pObject) < 1e-6);
        }
        QVERIFY(leftovers(out).isEmpty());
    }

    // Rasters smaller than a tile: one padded tile that covers the raster.
    // Reading the next batch of tiles while the current one is processed changes no output.
    void readAheadChangesNothing()
    {
        const std::string src = scene("readahead.tif", 200, 150, kBoxes);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        std::vector<RasterRead> probabilities;
        for (const bool ahead : {true, false}) {
            const QString out = mDir.filePath(ahead ? "readahead-on" : "readahead-off");
            QVERIFY(QDir().mkpath(out));
            SegmentationRequest r;
            r.raster = src;
            r.queries = {"the red roofs"};
            r.outputs = {{(out + "/mask.tif").toStdString(), (out + "/prob.tif").toStdString(), ""}};
            r.settings = tiled();
            r.settings.batchSize = 2;
            r.settings.readAhead = ahead;
            r.settings.probabilityType = SegmentationSettings::ProbabilityType::Float32;
            const SegmentationResult res = engine.run(r);
            QCOMPARE(res.queries.at(0).tiles.size(), size_t(res.tileCount));
            QVERIFY(res.readSeconds > 0.0);
            QCOMPARE(res.toJson().at("read_wait_s").get<double>(), res.readWaitSeconds);
            if (!ahead) // every read happens while the engine waits for it
                QVERIFY(res.readWaitSeconds >= res.readSeconds);
            probabilities.push_back(readRaster(r.outputs[0].probability, CV_32FC1));
            QVERIFY(cv::countNonZero(readRaster(r.outputs[0].mask).band != expectedMask(kBoxes, 200, 150, 0)) == 0);
        }
        QCOMPARE(cv::norm(probabilities[0].band, probabilities[1].band, cv::NORM_INF), 0.0);
    }

    void smallerThanTile()
    {
        const std::vector<SceneBox> boxes = {{10, 10, 20, 15, 0, false}};
        const std::string src = scene("small.tif", 40, 30, boxes);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"red"};
        r.outputs = {{path("small_mask.tif"), "", ""}};
        r.settings = tiled();
        const SegmentationResult res = engine.run(r);
        QCOMPARE(res.tileCount, 1);
        const RasterRead m = readRaster(r.outputs[0].mask);
        QCOMPARE(m.width, 40);
        QCOMPARE(m.height, 30);
        // The 40 x 30 tile is resized to the model's 64 and back: edges may move by a pixel.
        const cv::Mat expected = expectedMask(boxes, 40, 30, 0);
        for (int y = 0; y < 30; ++y)
            for (int x = 0; x < 40; ++x) {
                const bool inner = x >= 12 && x < 28 && y >= 12 && y < 23;
                const bool outer = x < 8 || x >= 32 || y < 8 || y >= 27;
                if (inner)
                    QCOMPARE(int(m.band.at<uint8_t>(y, x)), 1);
                if (outer)
                    QCOMPARE(int(m.band.at<uint8_t>(y, x)), 0);
            }
        QCOMPARE(int(count(m.band, 255)), 0);
        (void)expected;
    }

    void nodata()
    {
        // nodata = 7 in every band: the top-right tile (x >= 136, y < 64) is all nodata, and an
        // object whose green band is nodata must not become object.
        RasterSpec s = sceneSpec(200, 150, kBoxes);
        s.hasNoData = true;
        s.noData = 7;
        s.value = [](int b, int x, int y) {
            if (x >= 136 && y < 64)
                return 7.0;
            if (x >= 60 && x < 70 && y >= 30 && y < 40 && b == 2)
                return 7.0; // inside object A
            return double(sceneRgb(kBoxes, x, y)[static_cast<size_t>(b - 1)]);
        };
        const std::string src = path("nodata.tif");
        makeRaster(src, s);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"red"};
        r.outputs = {{path("nodata_mask.tif"), path("nodata_prob.tif"), ""}};
        r.settings = tiled();
        r.settings.maxHoleArea = 1e9; // even so, nodata is never filled
        const SegmentationResult res = engine.run(r);
        const RasterRead m = readRaster(r.outputs[0].mask);
        for (int y = 0; y < 150; ++y)
            for (int x = 0; x < 200; ++x) {
                const bool nd = (x >= 136 && y < 64) || (x >= 60 && x < 70 && y >= 30 && y < 40);
                if (nd)
                    QCOMPARE(int(m.band.at<uint8_t>(y, x)), 255);
                else
                    QVERIFY(m.band.at<uint8_t>(y, x) != 255);
            }
        // The nodata-only tile was never read into the model.
        QCOMPARE(res.tilesNoData, 1);
        QCOMPARE(res.queries[0].tiles[3].state, TileReport::State::NoData);
        QCOMPARE(model->imagesEncoded(), int64_t(11));
        QCOMPARE(res.tilesEncoded, 11);
        // uint8 probability: nodata as an internal mask.
        const RasterRead p = readRaster(r.outputs[0].probability);
        QCOMPARE(p.maskFlags, GMF_PER_DATASET);
        QCOMPARE(int(p.mask.at<uint8_t>(5, 150)), 0);
        QCOMPARE(int(p.mask.at<uint8_t>(100, 10)), 255);
        QCOMPARE(int(p.band.at<uint8_t>(30, 55)), int(std::lround(sigmoid((200 - 127.5) / 8) * 255)));
        // B's hole is filled (it touches no nodata and no border).
        QCOMPARE(int(m.band.at<uint8_t>(105, 145)), 1);
    }

    void gatingThreshold()
    {
        const std::string src = scene("exact_32633_1.tif", 200, 150, kBoxes);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"red"};
        r.settings = tiled();
        r.settings.gateThreshold = 0.0; // disabled: every tile segmented, same mask
        const SegmentationResult a = engine.run(r);
        for (const TileReport &t : a.queries[0].tiles)
            QCOMPARE(t.state, TileReport::State::Segmented);
        r.settings.gateThreshold = 0.99995; // above every tile (objects: 0.99988): nothing at all
        const SegmentationResult b = engine.run(r);
        for (const TileReport &t : b.queries[0].tiles)
            QCOMPARE(t.state, TileReport::State::Gated);
        QCOMPARE(b.queries[0].objectPixels, int64_t(0));
        QCOMPARE(a.queries[0].objectPixels, int64_t(cv::countNonZero(expectedMask(kBoxes, 200, 150, 0))));
    }

    void multipleQueries()
    {
        const std::string src = scene("exact_32633_1.tif", 200, 150, kBoxes);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"red things", "green things"};
        const QueryOutputs base{path("mq/mask.tif"), "", path("mq/poly.geojson")};
        QVERIFY(QDir().mkpath(mDir.filePath("mq")));
        for (size_t i = 0; i < r.queries.size(); ++i)
            r.outputs.push_back(QueryList::outputsFor(base, r.queries[i], i, r.queries.size()));
        QVERIFY(r.outputs[0].mask != r.outputs[1].mask);
        QVERIFY(r.outputs[0].mask.find("red-things") != std::string::npos);
        r.settings = tiled();
        r.settings.stitchMemoryMb = 16; // both fit: one tile pass
        const SegmentationResult res = engine.run(r);
        QCOMPARE(res.queryGroups, 1);
        QCOMPARE(model->imagesEncoded(), int64_t(12)); // shared by both queries
        for (int q = 0; q < 2; ++q) {
            const RasterRead m = readRaster(r.outputs[static_cast<size_t>(q)].mask);
            QCOMPARE(cv::countNonZero(m.band != expectedMask(kBoxes, 200, 150, q)), 0);
        }
        QCOMPARE(readVector(r.outputs[1].vector).features.size(), size_t(1)); // D
        QCOMPARE(readVector(r.outputs[1].vector).features[0].text.at("query"), std::string("green things"));
    }

    void cacheCounters()
    {
        const std::string src = scene("exact_32633_1.tif", 200, 150, kBoxes);
        const std::string cacheDir = path("cache");
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine::Options eo;
        eo.cache.diskDir = cacheDir;
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"red"};
        r.settings = tiled();
        {
            SegmentationEngine engine(model, eo);
            const SegmentationResult first = engine.run(r);
            QCOMPARE(first.cache.misses, uint64_t(12));
            QCOMPARE(first.cache.imageEncoderRuns, uint64_t(12));
            QCOMPARE(first.cache.diskWrites, uint64_t(12));
            QCOMPARE(first.cache.textMisses, uint64_t(1));
            // A second query over the same raster runs no image encoder.
            r.queries = {"green"};
            const int64_t before = model->imagesEncoded();
            const SegmentationResult second = engine.run(r);
            QCOMPARE(second.cache.imageEncoderRuns, uint64_t(0));
            QCOMPARE(second.cache.memoryHits, uint64_t(12));
            QCOMPARE(second.cache.misses, uint64_t(0));
            QCOMPARE(model->imagesEncoded(), before);
            for (const TileReport &t : second.queries[0].tiles)
                QCOMPARE(t.cache, TileReport::Cache::Memory);
            // Same query again: its text features are cached too.
            const int64_t textBefore = model->textEncoderCalls();
            const SegmentationResult third = engine.run(r);
            QCOMPARE(third.cache.textHits, uint64_t(1));
            QCOMPARE(model->textEncoderCalls(), textBefore);
            QCOMPARE(engine.cache().counters().imageEncoderRuns, uint64_t(12));
        }
        // A restart: a new engine finds the features on disk.
        {
            SegmentationEngine engine(model, eo);
            const SegmentationResult again = engine.run(r);
            QCOMPARE(again.cache.diskHits, uint64_t(12));
            QCOMPARE(again.cache.imageEncoderRuns, uint64_t(0));
            // Other bands: other features.
            r.settings.bands = "3,2,1";
            const SegmentationResult bands = engine.run(r);
            QCOMPARE(bands.cache.imageEncoderRuns, uint64_t(12));
        }
        // A changed raster (new modification time): nothing stale is reused.
        {
            r.settings.bands.clear();
            const std::string copy = path("exact_copy.tif");
            QFile::remove(QString::fromStdString(copy));
            QVERIFY(QFile::copy(QString::fromStdString(src), QString::fromStdString(copy)));
            r.raster = copy;
            SegmentationEngine engine(model, eo);
            QCOMPARE(engine.run(r).cache.imageEncoderRuns, uint64_t(12));
            QCOMPARE(engine.run(r).cache.imageEncoderRuns, uint64_t(0));
            QFile f(QString::fromStdString(copy));
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.setFileTime(QDateTime::currentDateTime().addSecs(60), QFileDevice::FileModificationTime));
            f.close();
            engine.cache().clearMemory();
            QCOMPARE(engine.run(r).cache.imageEncoderRuns, uint64_t(12));
        }
    }

    void viewMode()
    {
        const std::string src = scene("exact_32633_1.tif", 200, 150, kBoxes);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        const RasterRead source = readRaster(src);
        const auto &gt = source.gt;
        // A region of exactly the model's input size: nothing is resampled, the mask is exact.
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"red"};
        r.outputs = {{path("view_region.tif"), "", path("view_region.gpkg")}};
        r.settings.mode = SegmentationSettings::Mode::View;
        MapBox box{gt[0] + 40 * gt[1], gt[3] + 74 * gt[5], gt[0] + 104 * gt[1], gt[3] + 10 * gt[5]};
        r.settings.region = box;
        const SegmentationResult res = engine.run(r);
        QCOMPARE(res.window, (PixelWindow{40, 10, 64, 64}));
        QCOMPARE(res.queries[0].tiles.size(), size_t(1));
        QCOMPARE(res.queries[0].tiles[0].state, TileReport::State::View);
        const RasterRead m = readRaster(r.outputs[0].mask);
        QCOMPARE(m.width, 64);
        QCOMPARE(m.height, 64);
        QCOMPARE(m.gt[0], gt[0] + 40 * gt[1]);
        QCOMPARE(m.gt[3], gt[3] + 10 * gt[5]);
        QCOMPARE(m.gt[1], gt[1]);
        QCOMPARE(m.epsg, source.epsg);
        const cv::Mat expected = expectedMask(kBoxes, 200, 150, 0)(cv::Rect(40, 10, 64, 64));
        QCOMPARE(cv::countNonZero(m.band != expected), 0);
        const VectorRead v = readVector(r.outputs[0].vector);
        QCOMPARE(v.features.size(), size_t(1));
        OGREnvelope e;
        v.features[0].geometry->getEnvelope(&e);
        QCOMPARE(e.MinX, gt[0] + 50 * gt[1]);
        QCOMPARE(e.MaxX, gt[0] + 90 * gt[1]);

        // The whole raster resampled into one input: same grid as the source; the mask may
        // differ from the exact one only next to object edges.
        SegmentationRequest w;
        w.raster = src;
        w.queries = {"red"};
        w.outputs = {{path("view_whole.tif"), "", ""}};
        w.settings.mode = SegmentationSettings::Mode::View;
        engine.run(w);
        const RasterRead whole = readRaster(w.outputs[0].mask);
        QCOMPARE(whole.gt, source.gt);
        QCOMPARE(whole.width, 200);
        const cv::Mat exact = expectedMask(kBoxes, 200, 150, 0);
        int far = 0;
        for (int y = 0; y < 150; ++y)
            for (int x = 0; x < 200; ++x) {
                if (whole.band.at<uint8_t>(y, x) == exact.at<uint8_t>(y, x))
                    continue;
                // Mismatch allowed within 3 pixels of an edge of the exact mask.
                bool nearEdge = false;
                for (int dy = -3; dy <= 3 && !nearEdge; ++dy)
                    for (int dx = -3; dx <= 3 && !nearEdge; ++dx) {
                        const int xx = std::clamp(x + dx, 0, 199);
                        const int yy = std::clamp(y + dy, 0, 149);
                        nearEdge = exact.at<uint8_t>(yy, xx) != exact.at<uint8_t>(y, x);
                    }
                far += !nearEdge;
            }
        QCOMPARE(far, 0);
    }

    void postProcessing_data()
    {
        QTest::addColumn<int>("epsg");
        QTest::addColumn<QString>("unit");
        QTest::newRow("pixels") << 32633 << "px";
        QTest::newRow("m2 utm") << 32633 << "m2";
        QTest::newRow("m2 geodesic") << 4326 << "m2";
    }

    void postProcessing()
    {
        QFETCH(int, epsg);
        QFETCH(QString, unit);
        const std::string src = scene(QString("exact_%1_1.tif").arg(epsg), 200, 150, kBoxes, epsg);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        const RasterRead source = readRaster(src);
        const AreaCalculator areas(source.wkt);
        const GeoTransform gt(source.gt);
        // Thresholds between C (9 px) and the next object, and above B's hole (100 px).
        double minArea = 10;
        double maxHole = 150;
        if (unit == "m2") {
            minArea = 10 * areas.pixelArea(gt, 10, 130);
            maxHole = 150 * areas.pixelArea(gt, 140, 100);
        }
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"red"};
        r.outputs = {{path(QString("pp_%1_%2.tif").arg(epsg).arg(unit)), "",
                      path(QString("pp_%1_%2.gpkg").arg(epsg).arg(unit))}};
        r.settings = tiled();
        r.settings.areaUnit = SegmentationSettings::parseAreaUnit(unit.toStdString());
        r.settings.minObjectArea = minArea;
        r.settings.maxHoleArea = maxHole;
        engine.run(r);
        cv::Mat expected = expectedMask(kBoxes, 200, 150, 0);
        expected(cv::Rect(10, 130, 3, 3)).setTo(cv::Scalar::all(0));  // C removed
        expected(cv::Rect(140, 100, 10, 10)).setTo(cv::Scalar::all(1)); // hole filled
        const RasterRead m = readRaster(r.outputs[0].mask);
        QCOMPARE(cv::countNonZero(m.band != expected), 0);
        const VectorRead v = readVector(r.outputs[0].vector);
        QCOMPARE(v.features.size(), size_t(2));
        for (const Feature &f : v.features)
            QCOMPARE(f.geometry->toPolygon()->getNumInteriorRings(), 0);

        // A hole larger than the limit stays.
        r.outputs = {{path(QString("pp2_%1_%2.tif").arg(epsg).arg(unit)), "", ""}};
        r.settings.maxHoleArea = maxHole / 2;
        r.settings.minObjectArea = 0;
        engine.run(r);
        QCOMPARE(cv::countNonZero(readRaster(r.outputs[0].mask).band != expectedMask(kBoxes, 200, 150, 0)), 0);
    }

    // Memory: a tall raster needs one tile row of buffers, never a full-size array, so the peak
    // does not grow with the raster's height. Measured in a child process (its own peak).
    double peakGrowthMb(int h, int64_t *objects)
    {
        const int w = 1200;
        RasterSpec s;
        s.width = w;
        s.height = h;
        s.value = [](int b, int x, int y) { return b == 1 && ((x / 100 + y / 100) % 2 == 0) ? 200.0 : 50.0; };
        const std::string src = path(QString("tall%1.tif").arg(h));
        makeRaster(src, s);
        const std::string report = path(QString("tall%1.txt").arg(h));
        const pid_t pid = fork();
        if (pid == 0) {
            try {
                auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{256, 8, "colour"});
                SegmentationEngine::Options eo;
                eo.cache.memoryBudgetMb = 0; // measure the pipeline, not the cache
                SegmentationEngine engine(model, eo);
                SegmentationRequest r;
                r.raster = src;
                r.queries = {"red"};
                const QString tag = QString::number(h);
                r.outputs = {{path("tall_mask" + tag + ".tif"), path("tall_prob" + tag + ".tif"),
                              path("tall" + tag + ".fgb")}};
                r.settings = tiled(256, 32);
                r.settings.probabilityType = SegmentationSettings::ProbabilityType::Float32;
                r.settings.minObjectArea = 10;
                r.settings.maxHoleArea = 10;
                std::ofstream("/proc/self/clear_refs") << "5"; // reset the peak
                const double rssBefore = readVmKb("VmRSS:");
                const SegmentationResult res = engine.run(r);
                const double peak = readVmKb("VmHWM:");
                std::ofstream(report) << (peak - rssBefore) / 1024.0 << " " << res.queries[0].objectPixels << " "
                                      << res.queries[0].polygonCount;
            } catch (const std::exception &e) {
                std::ofstream(report) << "-1 0 0 " << e.what();
            }
            _exit(0);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        std::ifstream in(report);
        double mb = -1;
        int64_t polygons = 0;
        in >> mb >> *objects >> polygons;
        qInfo() << "height" << h << ": peak growth" << mb << "MB (a full-size float array:" << double(w) * h * 4 / 1048576.0
                << "MB)," << polygons << "polygons";
        return mb;
    }

    void boundedMemory()
    {
        int64_t objects4 = 0;
        int64_t objects16 = 0;
        const double small = peakGrowthMb(4000, &objects4);
        const double tall = peakGrowthMb(16000, &objects16);
        QVERIFY(small >= 0 && tall >= 0);
        QCOMPARE(objects4, int64_t(1200) * 4000 / 2);
        QCOMPARE(objects16, int64_t(1200) * 16000 / 2);
#ifdef RSREFSEG_ASAN
        QSKIP("resident-memory bounds not meaningful under AddressSanitizer (quarantine, shadow memory)");
#endif
        // Four times the rows (+55 MB of floats for a full-size array): no more memory.
        QVERIFY2(tall < small + 8.0, qPrintable(QString("%1 MB vs %2 MB").arg(tall).arg(small)));
        QVERIFY(tall < 1200.0 * 16000 * 4 / 1048576.0 / 2);
    }

    void badInput()
    {
        const std::string src = scene("exact_32633_1.tif", 200, 150, kBoxes);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        const QString bad = mDir.filePath("bad");
        QVERIFY(QDir().mkpath(bad));
        auto request = [&](const QueryOutputs &o) {
            SegmentationRequest r;
            r.raster = src;
            r.queries = {"red"};
            r.outputs = {o};
            r.settings = tiled();
            return r;
        };
        const std::string okMask = (bad + "/m.tif").toStdString();

        // Region outside the raster.
        SegmentationRequest r = request({okMask, "", ""});
        r.settings.region = MapBox{0, 0, 10, 10};
        QVERIFY(errorOf([&] { engine.run(r); }).contains("outside"));
        // Empty query.
        r = request({okMask, "", ""});
        r.queries = {"  "};
        QVERIFY(errorOf([&] { engine.run(r); }).contains("empty"));
        // Unknown extensions.
        QVERIFY(errorOf([&] { engine.run(request({(bad + "/m.png").toStdString(), "", ""})); }).contains(".png"));
        QVERIFY(errorOf([&] { engine.run(request({"", "", (bad + "/v.xyz").toStdString()})); }).contains(".xyz"));
        // A folder that cannot be written.
        QVERIFY(!errorOf([&] { engine.run(request({"/proc/self/m.tif", "", ""})); }).isEmpty());
        QVERIFY(!errorOf([&] { engine.run(request({(bad + "/missing/m.tif").toStdString(), "", ""})); }).isEmpty());
        // m2 areas without a CRS.
        RasterSpec plain = sceneSpec(50, 40, kBoxes, 0);
        const std::string png = path("plain.tif");
        makeRaster(png, plain);
        r = request({(bad + "/p.tif").toStdString(), "", ""});
        r.raster = png;
        r.settings.areaUnit = SegmentationSettings::AreaUnit::SquareMetres;
        r.settings.minObjectArea = 5;
        QVERIFY(errorOf([&] { engine.run(r); }).contains("CRS"));
        // Corrupt raster.
        {
            std::ofstream(path("corrupt.tif")) << "II*\0 this is not a tiff";
        }
        r = request({okMask, "", ""});
        r.raster = path("corrupt.tif");
        QVERIFY(errorOf([&] { engine.run(r); }).contains("corrupt.tif"));
        // An existing output is refused and kept; --overwrite replaces it.
        {
            std::ofstream(okMask) << "keep";
        }
        QVERIFY(errorOf([&] { engine.run(request({okMask, "", ""})); }).contains("exists"));
        QCOMPARE(QFileInfo(QString::fromStdString(okMask)).size(), qint64(4));
        SegmentationRequest o = request({okMask, "", ""});
        o.overwrite = true;
        engine.run(o);
        QVERIFY(QFileInfo(QString::fromStdString(okMask)).size() > 4);
        QFile::remove(QString::fromStdString(okMask));
        // Nothing was left behind by any failure.
        QStringList files = QDir(bad).entryList(QDir::Files | QDir::Hidden | QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY2(files.isEmpty(), qPrintable(files.join(",")));
    }

    void cancelLeavesNothing()
    {
        const std::string src = scene("exact_32633_1.tif", 200, 150, kBoxes);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        const QString out = mDir.filePath("cancel");
        QVERIFY(QDir().mkpath(out));
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"red"};
        r.outputs = {{(out + "/m.tif").toStdString(), (out + "/p.tif").toStdString(), (out + "/v.gpkg").toStdString()}};
        r.settings = tiled();
        Feedback fb;
        int tiles = 0;
        fb.onTile = [&](const TileReport &, const cv::Mat &) {
            if (++tiles == 5)
                fb.cancel();
        };
        QVERIFY_EXCEPTION_THROWN(engine.run(r, &fb), CancelledError);
        QCOMPARE(tiles, 5);
        const QStringList files = QDir(out).entryList(QDir::Files | QDir::Hidden | QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY2(files.isEmpty(), qPrintable(files.join(",")));
    }

    // A full disk (RLIMIT_FSIZE in a child process: write() fails with EFBIG, the path a full
    // disk takes) is a clear error and leaves no partial output.
    void diskFull()
    {
        RasterSpec s;
        s.width = 600;
        s.height = 600;
        std::mt19937 rng(3);
        std::vector<uint8_t> noise(600 * 600);
        for (auto &v : noise)
            v = static_cast<uint8_t>(rng());
        s.value = [noise](int b, int x, int y) { return b == 1 ? noise[static_cast<size_t>(y * 600 + x)] : 60.0; };
        const std::string src = path("noise.tif");
        makeRaster(src, s);
        const QString out = mDir.filePath("full");
        QVERIFY(QDir().mkpath(out));
        const pid_t pid = fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            std::signal(SIGXFSZ, SIG_IGN);
            rlimit lim{256 * 1024, 256 * 1024};
            setrlimit(RLIMIT_FSIZE, &lim);
            int code = 1;
            try {
                auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
                SegmentationEngine engine(model);
                SegmentationRequest r;
                r.raster = src;
                r.queries = {"red"};
                r.outputs = {{(out + "/m.tif").toStdString(), (out + "/p.tif").toStdString(),
                              (out + "/v.gpkg").toStdString()}};
                r.settings = tiled();
                r.settings.probabilityType = SegmentationSettings::ProbabilityType::Float32;
                engine.run(r);
                code = 2;
            } catch (const Error &e) {
                code = std::string(e.what()).find("cannot write") != std::string::npos ? 0 : 3;
                std::ofstream(path("full_error.txt")) << e.what();
            }
            _exit(code);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        QFile f(mDir.filePath("full_error.txt"));
        f.open(QIODevice::ReadOnly);
        const QString message = f.readAll();
        QVERIFY(WIFEXITED(status));
        QVERIFY2(WEXITSTATUS(status) == 0, qPrintable(QString::number(WEXITSTATUS(status)) + " " + message));
        const QStringList files = QDir(out).entryList(QDir::Files | QDir::Hidden | QDir::Dirs | QDir::NoDotAndDotDot);
        QVERIFY2(files.isEmpty(), qPrintable(files.join(",")));
    }

    // A PNG without georeference: outputs keep "no georeference"; polygons are in QGIS's pixel
    // coordinates (x right, y up from the top-left corner) and their area in m2 is unknown (-1).
    void noGeoreference()
    {
        RasterSpec s = sceneSpec(200, 150, kBoxes, 0);
        s.driver = "PNG";
        const std::string src = path("plain.png");
        makeRaster(src, s);
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        SegmentationRequest r;
        r.raster = src;
        r.queries = {"red"};
        r.outputs = {{path("plain_mask.tif"), "", path("plain.geojson")}};
        r.settings = tiled();
        engine.run(r);
        const RasterRead m = readRaster(r.outputs[0].mask);
        QVERIFY(!m.hasGt);
        QVERIFY(m.epsg.empty());
        QCOMPARE(cv::countNonZero(m.band != expectedMask(kBoxes, 200, 150, 0)), 0);
        const VectorRead v = readVector(r.outputs[0].vector);
        QCOMPARE(v.features.size(), size_t(3));
        bool foundA = false;
        for (const Feature &f : v.features) {
            QCOMPARE(f.number.at("area_m2"), -1.0);
            OGREnvelope e;
            f.geometry->getEnvelope(&e);
            if (e.MinX == 50 && e.MaxX == 90 && e.MaxY == -20 && e.MinY == -60)
                foundA = true;
        }
        QVERIFY(foundA);
    }
};

QTEST_GUILESS_MAIN(TestSegmentationEngine)
#include "test_segmentationengine.moc"
