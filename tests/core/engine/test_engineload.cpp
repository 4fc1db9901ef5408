// Load (issue 9):
//   - 1,000 queries in a row through one SegmentationEngine with the real tiny RSRefSeg model
//     (the golden bundle) on a cached raster: resident memory (VmRSS) after query 1000 is
//     within 20 MB of what it was after query 1 (first and last figures are printed);
//   - 100 rasters x 10 queries in one batch (ColourTestModel): 1,000 items done, a manifest
//     with exactly one record per item whose outputs exist, nothing left over, and a resume
//     that finds nothing to do.
// Torch headers before Qt's (Qt's `slots` macro breaks them).
#include "../model/rsrefseg/rsrefseggolden.h"
#include "common/addresssanitizer.h"
#include "engine/batchmanifest.h"
#include "engine/batchrunner.h"
#include "engine/colourtestmodel.h"
#include "engine/querylist.h"
#include "engine/segmentationengine.h"
#include "model/rsrefseg/modelimporter.h"
#include "modelhub/rsrefsegsegmentationmodel.h"

#include "enginetestsupport.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <set>

using namespace rsrefseg;
using namespace rsrefseg::test;

namespace {

double residentMb()
{
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stod(line.substr(6)) / 1024.0;
    return -1.0;
}

} // namespace

class TestEngineLoad : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string path(const QString &name) const { return mDir.filePath(name).toStdString(); }

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    void thousandQueriesNoGrowth()
    {
        auto o = rsgolden::tinyImport("model.safetensors");
        o.outDir = path("tiny");
        ModelImporter::run(o);
        RSRefSegSegmentationModel::Options mo;
        mo.threads = 1;
        auto model = RSRefSegSegmentationModel::load(o.outDir, mo);
        const int side = model->inputSize();
        const std::string raster = path("scene.tif");
        makeRaster(raster, sceneSpec(side, side, {{20, 20, 40, 30, 0, false}, {70, 60, 30, 40, 1, false}}));
        SegmentationEngine engine(model);
        const std::vector<std::string> queries = {"the red roof",   "the green field", "a building",
                                                  "the road",       "water",           "the large tank",
                                                  "a ship",         "the bright area", "vegetation on the left",
                                                  "the dark object"};
        SegmentationRequest r;
        r.raster = raster;
        r.settings.mode = SegmentationSettings::Mode::Tiled;
        r.settings.tileSize = side;
        r.settings.overlap = 0;
        r.settings.gateThreshold = 0.0;
        double first = 0.0;
        double peak = 0.0;
        int encoded = 0;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 1000; ++i) {
            r.queries = {queries[static_cast<size_t>(i) % queries.size()]};
            const SegmentationResult res = engine.run(r);
            QCOMPARE(res.queries.size(), size_t(1));
            QCOMPARE(res.queries[0].validPixels, int64_t(side) * side);
            encoded += res.tilesEncoded;
            const double rss = residentMb();
            if (i == 0)
                first = rss;
            peak = std::max(peak, rss);
        }
        const double last = residentMb();
        QCOMPARE(encoded, 1); // the raster's tile was encoded once, then always cached
        qInfo("1000 queries in %.1f s; VmRSS after query 1: %.1f MB, after query 1000: %.1f MB (peak %.1f MB)",
              timer.elapsed() / 1000.0, first, last, peak);
        QVERIFY(first > 0.0);
#ifdef RSREFSEG_ASAN
        // ASan keeps freed memory in its quarantine, so RSS says nothing there; the run still
        // checks the 1,000 queries for memory errors and leaks.
        qInfo("the resident-memory bound is not checked under AddressSanitizer");
#else
        QVERIFY2(last - first < 20.0, qPrintable(QString("RSS grew by %1 MB").arg(last - first)));
#endif
    }

    void hundredRastersTenQueries()
    {
        const std::string in = path("many-in");
        const std::string out = path("many-out");
        QVERIFY(QDir().mkpath(QString::fromStdString(in)));
        for (int i = 0; i < 100; ++i) {
            char name[32];
            std::snprintf(name, sizeof name, "/r%03d.tif", i);
            makeRaster(in + name, sceneSpec(64, 48, {{i % 40, 5, 20, 20, i % 3, false}}));
        }
        BatchRunner::Options o;
        o.inputDir = in;
        o.queries = {"red 1", "red 2", "red 3", "green 1", "green 2", "green 3", "blue 1", "blue 2", "blue 3", "bright"};
        o.outDir = out;
        o.formats = BatchRunner::parseFormats("tif");
        o.settings.tileSize = 64;
        o.settings.overlap = 16;
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        QElapsedTimer timer;
        timer.start();
        const BatchRunner::Summary s = BatchRunner(engine, o).run();
        qInfo("100 rasters x 10 queries: %d done in %.1f s", s.done, timer.elapsed() / 1000.0);
        QCOMPARE(s.rasters, 100);
        QCOMPARE(s.items, 1000);
        QCOMPARE(s.done, 1000);
        QCOMPARE(s.failed, 0);
        QCOMPARE(model->imagesEncoded(), int64_t(100)); // one encoder pass per raster for all queries

        int torn = 0;
        const auto records = BatchManifest::readFolder(out, &torn);
        QCOMPARE(torn, 0);
        QCOMPARE(records.size(), size_t(1000));
        std::set<std::pair<std::string, std::string>> items;
        std::set<std::string> outputs;
        for (const auto &r : records) {
            QCOMPARE(r["status"].get<std::string>(), std::string("done"));
            items.insert({r["input"].get<std::string>(), r["query"].get<std::string>()});
            const std::string mask = r["outputs"]["mask"].get<std::string>();
            QVERIFY2(QFile::exists(QString::fromStdString(mask)), mask.c_str());
            outputs.insert(mask);
        }
        QCOMPARE(items.size(), size_t(1000)); // each item exactly once
        QCOMPARE(outputs.size(), size_t(1000)); // each with its own file
        const QStringList folders = QDir(QString::fromStdString(out)).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(folders.size(), 100);
        for (const QString &f : folders) {
            const QString dir = QString::fromStdString(out) + "/" + f;
            QCOMPARE(QDir(dir).entryList(QDir::Files).size(), 10);
            QVERIFY(leftovers(dir).isEmpty());
        }

        o.resume = true;
        const BatchRunner::Summary again = BatchRunner(engine, o).run();
        QCOMPARE(again.done, 0);
        QCOMPARE(again.skipped, 1000);
        QCOMPARE(BatchManifest::readFolder(out).size(), size_t(1000));
    }
};

QTEST_GUILESS_MAIN(TestEngineLoad)
#include "test_engineload.moc"
