// Faults in the engine (issue 9), with the deterministic ColourTestModel:
//   - a raster whose compressed blocks are corrupt mid-file: the tiles over them fail, every
//     other tile is segmented, the outputs are nodata there, and the result and the batch
//     manifest name the failed tiles (a raster with no readable tile is an error); in view
//     mode only the parts of the region over the bad blocks are lost;
//   - cancellation at every stage (text, encoding, decoding, stitching, post-processing,
//     polygons, model loading) leaves no file behind and the same engine runs the next job;
//   - out of memory on the device (c10::OutOfMemoryError, what LibTorch throws for CUDA OOM)
//     in the image encoder, the decoder or the text encoder is a clear error that suggests a
//     smaller batch or tile, leaves nothing behind, and is recorded as such by a batch; while
//     the model loads, it suggests a smaller dtype or the CPU.
// Torch headers before Qt's (Qt's `slots` macro breaks them).
#include "../model/rsrefseg/rsrefseggolden.h"
#include "common/error.h"
#include "engine/batchmanifest.h"
#include "engine/batchrunner.h"
#include "engine/colourtestmodel.h"
#include "engine/querylist.h"
#include "engine/segmentationengine.h"
#include "model/rsrefseg/modelbundle.h"
#include "model/rsrefseg/modelimporter.h"
#include "modelhub/rsrefsegsegmentationmodel.h"

#include <c10/util/Exception.h>

#include "enginetestsupport.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstdlib>
#include <fstream>
#include <functional>

using namespace rsrefseg;
using namespace rsrefseg::test;

namespace {

// 192 x 128 = 3 x 2 blocks (and tiles) of 64: a red box over four of them, a green one.
const std::vector<SceneBox> kBoxes = {{40, 30, 100, 70, 0, false}, {150, 90, 30, 30, 1, false}};
constexpr int kW = 192, kH = 128, kBlock = 64;

// ColourTestModel with hooks run before each phase (cancel, throw, count).
class HookModel : public ColourTestModel
{
  public:
    HookModel()
        : ColourTestModel(Options{64, 8, "hook"})
    {
    }
    std::function<void()> beforeEncode, beforeText, beforeDecode;

    std::vector<FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) override
    {
        if (beforeEncode)
            beforeEncode();
        return ColourTestModel::encodeImages(rgb);
    }
    FeaturesPtr encodeText(const std::string &query) override
    {
        if (beforeText)
            beforeText();
        return ColourTestModel::encodeText(query);
    }
    ModelOutput decode(const FeaturesPtr &image, const FeaturesPtr &text) override
    {
        if (beforeDecode)
            beforeDecode();
        return ColourTestModel::decode(image, text);
    }
};

// What LibTorch throws when a CUDA allocation fails.
[[noreturn]] void throwCudaOom()
{
    TORCH_CHECK_WITH(OutOfMemoryError, false,
                     "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity; "
                     "77.90 GiB already allocated)");
    std::abort(); // not reached
}

// The scene as a tiled GeoTIFF (blocks of 64) with the listed blocks corrupt (enginetestsupport.h).
std::string corruptTiledScene(const std::string &path, const std::vector<std::pair<int, int>> &blocks)
{
    return corruptTiledRaster(path, sceneSpec(kW, kH, kBoxes), kBlock, blocks);
}

QStringList entriesOf(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

} // namespace

class TestEngineFaults : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string path(const QString &name) const { return mDir.filePath(name).toStdString(); }

    static SegmentationSettings tiled()
    {
        SegmentationSettings s;
        s.mode = SegmentationSettings::Mode::Tiled;
        s.tileSize = 64;
        s.overlap = 0; // one tile = one block of the corrupt raster
        return s;
    }

    SegmentationRequest request(const std::string &raster, const QString &out) const
    {
        SegmentationRequest r;
        r.raster = raster;
        r.queries = {"red"};
        r.outputs = {{(out + "/m.tif").toStdString(), (out + "/p.tif").toStdString(), (out + "/v.gpkg").toStdString()}};
        r.settings = tiled();
        r.settings.gateThreshold = 0.0;
        return r;
    }

    // The red mask of the clean scene, written by `engine` into a fresh folder: the engine works.
    void checkUsable(SegmentationEngine &engine, const std::string &raster, const QString &name)
    {
        const QString out = mDir.filePath(name);
        QVERIFY(QDir().mkpath(out));
        const SegmentationResult res = engine.run(request(raster, out));
        QCOMPARE(res.queries.size(), size_t(1));
        const RasterRead m = readRaster((out + "/m.tif").toStdString());
        QVERIFY(!m.band.empty());
        QCOMPARE(cv::countNonZero(m.band != expectedMask(kBoxes, kW, kH, 0)), 0);
        QVERIFY(QFile::exists(out + "/v.gpkg"));
        QVERIFY(leftovers(out).isEmpty());
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        GDALAllRegister();
        makeRaster(path("clean.tif"), sceneSpec(kW, kH, kBoxes));
    }

    // --- corrupt blocks ---------------------------------------------------------------------

    void corruptBlockFailsOnlyItsTile()
    {
        const std::string raster = corruptTiledScene(path("corrupt.tif"), {{1, 1}});
        QVERIFY(!raster.empty());
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        const QString out = mDir.filePath("corrupt-out");
        QVERIFY(QDir().mkpath(out));
        Feedback fb;
        QStringList messages;
        fb.onMessage = [&](const std::string &m) { messages << QString::fromStdString(m); };
        const SegmentationResult res = engine.run(request(raster, out), &fb);

        QCOMPARE(res.tileCount, 6);
        QCOMPARE(res.failedTiles.size(), size_t(1));
        const FailedTile &f = res.failedTiles[0];
        QCOMPARE(f.row, 1);
        QCOMPARE(f.column, 1);
        QCOMPARE(f.window.x, 64);
        QCOMPARE(f.window.y, 64);
        QCOMPARE(f.window.width, 64);
        QCOMPARE(f.window.height, 64);
        QVERIFY2(QString::fromStdString(f.error).contains("cannot read"), f.error.c_str());
        QCOMPARE(res.tilesEncoded, 5); // every other tile went through the model
        QCOMPARE(res.tilesNoData, 0);
        int failedReports = 0;
        for (const TileReport &t : res.queries[0].tiles) {
            if (t.tileId == f.tileId) {
                ++failedReports;
                QVERIFY(!t.error.empty());
                QCOMPARE(t.toJson()["state"].get<std::string>(), std::string("failed"));
            } else {
                QVERIFY(t.error.empty());
                QVERIFY(t.state == TileReport::State::Segmented);
            }
        }
        QCOMPARE(failedReports, 1);
        QCOMPARE(messages.filter("left out as nodata").size(), 1);
        const nlohmann::json j = res.toJson(false);
        QCOMPARE(j["tiles_failed"].size(), size_t(1));
        QCOMPARE(j["tiles_failed"][0]["tile"].get<int>(), f.tileId);

        // Outputs: exact mask everywhere but the failed tile, which is nodata (255).
        const RasterRead m = readRaster((out + "/m.tif").toStdString());
        QVERIFY(!m.band.empty());
        QCOMPARE(m.noData.value_or(-1), 255.0);
        const cv::Rect bad(64, 64, 64, 64);
        const cv::Mat expected = expectedMask(kBoxes, kW, kH, 0);
        for (int y = 0; y < kH; ++y)
            for (int x = 0; x < kW; ++x) {
                if (bad.contains({x, y})) {
                    QVERIFY2(m.band.at<uint8_t>(y, x) == 255, qPrintable(QString("%1,%2 not nodata").arg(x).arg(y)));
                } else {
                    QVERIFY2(m.band.at<uint8_t>(y, x) == expected.at<uint8_t>(y, x),
                             qPrintable(QString("%1,%2 wrong").arg(x).arg(y)));
                }
            }
        QVERIFY(leftovers(out).isEmpty());
    }

    // View mode reads the region as one image: a corrupt block spoils only the parts over it
    // (nodata in the outputs, named in the result), the rest is segmented.
    void corruptBlockInViewModeFailsOnlyItsPart()
    {
        const std::string raster = corruptTiledScene(path("corrupt-view.tif"), {{1, 1}});
        QVERIFY(!raster.empty());
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        const QString out = mDir.filePath("corrupt-view-out");
        QVERIFY(QDir().mkpath(out));
        Feedback fb;
        QStringList messages;
        fb.onMessage = [&](const std::string &m) { messages << QString::fromStdString(m); };
        SegmentationRequest r = request(raster, out);
        r.settings.mode = SegmentationSettings::Mode::View;
        const SegmentationResult res = engine.run(r, &fb);

        const cv::Rect bad(64, 64, 64, 64);
        QVERIFY(!res.failedTiles.empty());
        cv::Mat covered(kH, kW, CV_8UC1, cv::Scalar::all(0));
        for (const FailedTile &f : res.failedTiles) {
            const cv::Rect w(f.window.x, f.window.y, f.window.width, f.window.height);
            QVERIFY2((w & bad).area() > 0, qPrintable(QString("%1,%2 %3x%4").arg(w.x).arg(w.y).arg(w.width).arg(w.height)));
            covered(w & cv::Rect(0, 0, kW, kH)).setTo(1);
            QVERIFY2(QString::fromStdString(f.error).contains("cannot read"), f.error.c_str());
        }
        QCOMPARE(cv::countNonZero(covered(bad)), bad.area()); // the failed parts cover the block
        QVERIFY(cv::countNonZero(covered) < kW * kH / 2);        // and not much more
        QCOMPARE(messages.filter("left out as nodata").size(), int(res.failedTiles.size()));
        QCOMPARE(res.toJson(false)["tiles_failed"].size(), res.failedTiles.size());

        const RasterRead m = readRaster((out + "/m.tif").toStdString());
        QVERIFY(!m.band.empty());
        QCOMPARE(m.band.at<uint8_t>(96, 96), uint8_t(255));        // the middle of the bad block
        QCOMPARE(m.band.at<uint8_t>(40, 60), uint8_t(1));          // the red box above it
        QCOMPARE(m.band.at<uint8_t>(20, 170), uint8_t(0));         // background, top right
        QVERIFY(leftovers(out).isEmpty());

        // Every block corrupt: an error naming the raster's unreadable region, nothing written.
        std::vector<std::pair<int, int>> all;
        for (int row = 0; row < 2; ++row)
            for (int c = 0; c < 3; ++c)
                all.push_back({c, row});
        const std::string allBad = corruptTiledScene(path("allbad-view.tif"), all);
        const QString out2 = mDir.filePath("allbad-view-out");
        QVERIFY(QDir().mkpath(out2));
        SegmentationRequest r2 = request(allBad, out2);
        r2.settings.mode = SegmentationSettings::Mode::View;
        QString message;
        try {
            engine.run(r2);
        } catch (const Error &e) {
            message = e.what();
        }
        QVERIFY2(message.contains("no part of the region could be read"), qPrintable(message));
        QVERIFY2(entriesOf(out2).isEmpty(), qPrintable(entriesOf(out2).join(",")));
    }

    void corruptBlockInBatchManifest()
    {
        const std::string in = path("batch-in");
        QVERIFY(QDir().mkpath(QString::fromStdString(in)));
        QVERIFY(!corruptTiledScene(in + "/a-corrupt.tif", {{0, 0}, {2, 1}}).empty());
        makeRaster(in + "/b-clean.tif", sceneSpec(kW, kH, kBoxes));
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        BatchRunner::Options o;
        o.inputDir = in;
        o.patterns = "*-corrupt.tif,*-clean.tif";
        o.queries = {"red", "green"};
        o.outDir = path("batch-out");
        o.settings = tiled();
        const BatchRunner::Summary s = BatchRunner(engine, o).run();
        QCOMPARE(s.done, 4);
        QCOMPARE(s.failed, 0);
        const auto records = BatchManifest::readFolder(o.outDir);
        QCOMPARE(records.size(), size_t(4));
        for (const auto &r : records) {
            QCOMPARE(r["status"].get<std::string>(), std::string("done"));
            const auto &failed = r["tiles_failed"];
            if (r["input"] == "a-corrupt.tif") {
                QCOMPARE(failed.size(), size_t(2));
                QCOMPARE(failed[0]["row"].get<int>(), 0);
                QCOMPARE(failed[0]["col"].get<int>(), 0);
                QCOMPARE(failed[1]["row"].get<int>(), 1);
                QCOMPARE(failed[1]["col"].get<int>(), 2);
                QVERIFY(!failed[0]["error"].get<std::string>().empty());
            } else {
                QCOMPARE(r["input"].get<std::string>(), std::string("b-clean.tif"));
                QVERIFY(failed.is_array() && failed.empty());
            }
            for (const auto &output : r["outputs"].items())
                QVERIFY(QFile::exists(QString::fromStdString(output.value().get<std::string>())));
        }
    }

    void everyBlockCorruptIsAnError()
    {
        std::vector<std::pair<int, int>> all;
        for (int r = 0; r < 2; ++r)
            for (int c = 0; c < 3; ++c)
                all.push_back({c, r});
        const std::string raster = corruptTiledScene(path("allbad.tif"), all);
        QVERIFY(!raster.empty());
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        const QString out = mDir.filePath("allbad-out");
        QVERIFY(QDir().mkpath(out));
        QString message;
        try {
            engine.run(request(raster, out));
        } catch (const Error &e) {
            message = e.what();
        }
        QVERIFY2(message.contains("no tile of") && message.contains("could be read"), qPrintable(message));
        QVERIFY2(entriesOf(out).isEmpty(), qPrintable(entriesOf(out).join(",")));
        checkUsable(engine, path("clean.tif"), "allbad-after");
    }

    // --- cancellation -------------------------------------------------------------------------

    void cancelAtEveryStage_data()
    {
        QTest::addColumn<QString>("stage");
        for (const char *s : {"text", "encoding", "decoding", "stitching", "components", "polygons", "last"})
            QTest::newRow(s) << QString(s);
    }

    void cancelAtEveryStage()
    {
        QFETCH(QString, stage);
        auto model = std::make_shared<HookModel>();
        SegmentationEngine engine(model);
        Feedback fb;
        bool fired = false;
        auto cancel = [&] {
            fired = true;
            fb.cancel();
        };
        if (stage == "text")
            model->beforeText = cancel;
        else if (stage == "encoding")
            model->beforeEncode = cancel;
        else if (stage == "decoding")
            model->beforeDecode = cancel;
        else if (stage == "stitching")
            fb.onRows = [&](int, int, const cv::Mat &, const cv::Mat &) { cancel(); };
        else
            fb.onProgress = [&](const ProgressInfo &p) {
                // "last": the final progress report before the outputs are committed.
                if (p.stage == stage.toStdString() || (stage == "last" && p.fraction >= 0.999 && p.stage != "done"))
                    cancel();
            };
        const QString out = mDir.filePath("cancel-" + stage);
        QVERIFY(QDir().mkpath(out));
        QVERIFY_EXCEPTION_THROWN(engine.run(request(path("clean.tif"), out), &fb), CancelledError);
        QVERIFY(fired);
        QVERIFY2(entriesOf(out).isEmpty(), qPrintable(entriesOf(out).join(",")));
        // The same engine and model run the next job, with the right answer.
        model->beforeText = model->beforeEncode = model->beforeDecode = nullptr;
        checkUsable(engine, path("clean.tif"), "after-cancel-" + stage);
    }

    void cancelModelLoading()
    {
        auto o = rsgolden::tinyImport("model.safetensors");
        o.outDir = path("tiny-bundle");
        ModelImporter::run(o);
        const ModelBundle bundle = ModelBundle::open(o.outDir);
        for (double at : {0.0, 0.2, 0.9}) {
            int calls = 0;
            const ModelLoadOptions options{"cpu", torch::kFloat32};
            auto progress = [&](double f) {
                ++calls;
                return f < at;
            };
            QVERIFY_EXCEPTION_THROWN(bundle.load(options, progress), CancelledError);
            QVERIFY(calls >= 1);
        }
        // Loading again (no cancel) works: nothing was left half-done.
        const RSRefSegModel model = bundle.load(ModelLoadOptions{"cpu", torch::kFloat32}, [](double) { return true; });
        QVERIFY(model->parameters().size() > 10);
    }

    // Out of memory while the weights go to the device (the allocator fails between two
    // tensors, here through the progress callback the loader calls after each one): one clear
    // line that suggests a smaller dtype or the CPU; the bundle then loads normally.
    void outOfMemoryLoadingTheModelIsClear()
    {
        auto o = rsgolden::tinyImport("model.safetensors");
        o.outDir = path("tiny-bundle-oom");
        ModelImporter::run(o);
        RSRefSegSegmentationModel::Options options;
        options.device = "cpu";
        options.dtype = "f32";
        int calls = 0;
        QString message;
        try {
            RSRefSegSegmentationModel::load(o.outDir, options, [&](double f) {
                ++calls;
                if (f > 0.3)
                    throwCudaOom();
                return true;
            });
        } catch (const Error &e) {
            message = e.what();
        } catch (const std::exception &e) {
            QFAIL(qPrintable(QString("not translated: ") + e.what()));
        }
        QVERIFY(calls >= 2);
        QVERIFY2(message.startsWith("out of memory loading the model onto cpu"), qPrintable(message));
        QVERIFY2(message.contains("CUDA out of memory. Tried to allocate 2.00 GiB"), qPrintable(message));
        QVERIFY2(message.contains("smaller dtype (bf16 or f16) or the CPU"), qPrintable(message));
        QVERIFY2(!message.contains('\n'), qPrintable(message));
        const auto model = RSRefSegSegmentationModel::load(o.outDir, options, [](double) { return true; });
        QVERIFY(model != nullptr);
    }

    // --- out of memory on the device -----------------------------------------------------------

    void outOfMemoryIsClear_data()
    {
        QTest::addColumn<QString>("phase");
        QTest::newRow("image encoder") << "encode";
        QTest::newRow("decoder") << "decode";
        QTest::newRow("text encoder") << "text";
    }

    void outOfMemoryIsClear()
    {
        QFETCH(QString, phase);
        auto model = std::make_shared<HookModel>();
        (phase == "encode" ? model->beforeEncode : phase == "decode" ? model->beforeDecode : model->beforeText) =
            throwCudaOom;
        SegmentationEngine engine(model);
        const QString out = mDir.filePath("oom-" + phase);
        QVERIFY(QDir().mkpath(out));
        SegmentationRequest r = request(path("clean.tif"), out);
        r.settings.batchSize = 4;
        QString message;
        try {
            engine.run(r);
        } catch (const CancelledError &) {
            QFAIL("not a cancellation");
        } catch (const Error &e) {
            message = e.what();
        } catch (const std::exception &e) {
            QFAIL(qPrintable(QString("not translated: ") + e.what()));
        }
        QVERIFY2(message.startsWith("out of memory while"), qPrintable(message));
        QVERIFY2(message.contains("CUDA out of memory. Tried to allocate 2.00 GiB"), qPrintable(message));
        QVERIFY2(message.contains("smaller batch (now 4 tile(s)"), qPrintable(message));
        QVERIFY2(message.contains("smaller tile size (now 64 px)"), qPrintable(message));
        QVERIFY2(!message.contains('\n'), qPrintable(message)); // one line, no C++ backtrace
        QVERIFY2(entriesOf(out).isEmpty(), qPrintable(entriesOf(out).join(",")));

        // In a batch: the item is recorded as failed with the same advice; the batch goes on.
        BatchRunner::Options o;
        o.inputDir = mDir.path().toStdString();
        o.patterns = "clean.tif";
        o.queries = {"red"};
        o.outDir = path("oom-batch-" + phase);
        o.settings = tiled();
        const BatchRunner::Summary s = BatchRunner(engine, o).run();
        QCOMPARE(s.failed, 1);
        const auto records = BatchManifest::readFolder(o.outDir);
        QCOMPARE(records.size(), size_t(1));
        QCOMPARE(records[0]["status"].get<std::string>(), std::string("failed"));
        QVERIFY(QString::fromStdString(records[0]["error"].get<std::string>()).contains("smaller batch"));

        // The memory comes back (a smaller batch, another job): the same engine works.
        model->beforeEncode = model->beforeDecode = model->beforeText = nullptr;
        checkUsable(engine, path("clean.tif"), "after-oom-" + phase);
    }
};

QTEST_GUILESS_MAIN(TestEngineFaults)
#include "test_enginefaults.moc"
