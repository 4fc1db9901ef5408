// BatchRunner: every raster x query with a manifest written as it goes; unreadable and
// corrupt rasters are recorded as failed while the batch goes on; --resume after a simulated
// crash (the process dies mid-raster) and after SIGINT/SIGTERM finishes exactly the missing
// work; shards are disjoint and complete and can share one output folder at the same time.
// Model work runs in child processes (fork), as separate machines or runs would.
#include "enginetestsupport.h"

#include "common/error.h"
#include "engine/batchmanifest.h"
#include "engine/batchrunner.h"
#include "engine/colourtestmodel.h"
#include "engine/interruptguard.h"
#include "engine/querylist.h"

#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <fstream>
#include <algorithm>
#include <cerrno>
#include <map>
#include <set>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace rsrefseg;
using namespace rsrefseg::test;

namespace {

const std::vector<SceneBox> kBoxes = {{10, 10, 30, 20, 0, false}, {50, 30, 20, 20, 1, false}};

// Runs `work` in a child process; returns its exit status (or 128 + signal).
int inChild(const std::function<int()> &work)
{
    const pid_t pid = fork();
    if (pid == 0) {
        int code = 99;
        try {
            code = work();
        } catch (...) {
            code = 98;
        }
        _exit(code);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::set<std::pair<std::string, std::string>> doneItems(const std::vector<nlohmann::json> &records)
{
    std::set<std::pair<std::string, std::string>> s;
    for (const auto &r : records)
        if (r.value("status", "") == "done")
            s.insert({r.value("input", ""), r.value("query", "")});
    return s;
}

} // namespace

class TestBatchRunner : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string mInput;   // 4 good rasters (one in a sub-folder), 2 bad ones, a text file
    std::string mClean;   // 4 good rasters only

    BatchRunner::Options options(const std::string &input, const std::string &out)
    {
        BatchRunner::Options o;
        o.inputDir = input;
        o.recursive = true;
        o.queries = {"red", "green"};
        o.outDir = out;
        o.formats = BatchRunner::parseFormats("tif,gpkg");
        o.settings.tileSize = 64;
        o.settings.overlap = 16;
        return o;
    }

    static std::shared_ptr<ColourTestModel> model()
    {
        return std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
    }

    static void writeNumber(const std::string &path, int64_t n) { std::ofstream(path) << n; }
    static int64_t readNumber(const std::string &path)
    {
        std::ifstream in(path);
        int64_t n = -1;
        in >> n;
        return n;
    }

    // Every done record's outputs exist; every line of every manifest parses.
    void checkConsistent(const std::string &out)
    {
        int torn = 0;
        const auto records = BatchManifest::readFolder(out, &torn);
        QCOMPARE(torn, 0);
        for (const auto &r : records)
            if (r["status"] == "done")
                for (const auto &o : r["outputs"].items())
                    QVERIFY2(QFile::exists(QString::fromStdString(o.value().get<std::string>())),
                             qPrintable(QString::fromStdString(o.value().get<std::string>())));
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mInput = mDir.filePath("in").toStdString();
        mClean = mDir.filePath("clean").toStdString();
        QVERIFY(QDir().mkpath(QString::fromStdString(mInput + "/sub")));
        QVERIFY(QDir().mkpath(QString::fromStdString(mClean)));
        for (const char *n : {"a.tif", "b.TIF", "d.tif", "sub/c.tif"})
            makeRaster(mInput + "/" + n, sceneSpec(100, 70, kBoxes));
        std::ofstream(mInput + "/broken.tif") << "II*\0 not really a tiff";
        std::ofstream(mInput + "/empty.tif");
        std::ofstream(mInput + "/notes.txt") << "not a raster";
        for (const char *n : {"r1.tif", "r2.tif", "r3.tif", "r4.tif"})
            makeRaster(mClean + "/" + n, sceneSpec(100, 70, kBoxes));
    }

    void planAndShards()
    {
        ColourTestModel::Options mo{64, 8, "colour"};
        SegmentationEngine engine(std::make_shared<ColourTestModel>(mo));
        BatchRunner::Options o = options(mInput, mDir.filePath("plan").toStdString());
        o.recursive = false;
        QCOMPARE(BatchRunner(engine, o).plan().size(), size_t(10)); // a b broken d empty, x2
        o.recursive = true;
        const auto all = BatchRunner(engine, o).plan();
        QCOMPARE(all.size(), size_t(12));
        QCOMPARE(all[0].relative, std::string("a.tif"));
        QCOMPARE(all.back().relative, std::string("sub/c.tif"));
        QCOMPARE(all.back().outputs.mask,
                 o.outDir + "/sub/c/" + QueryList::slug("green") + ".tif");
        QCOMPARE(all.back().outputs.vector, o.outDir + "/sub/c/" + QueryList::slug("green") + ".gpkg");
        QVERIFY(all.back().outputs.probability.empty());

        for (int n : {1, 2, 3, 5, 7}) {
            std::multiset<std::pair<std::string, std::string>> seen;
            for (int k = 1; k <= n; ++k) {
                o.shard = ShardSpec::parse(std::to_string(k) + "/" + std::to_string(n));
                std::set<std::string> rasters;
                for (const auto &w : BatchRunner(engine, o).plan()) {
                    seen.insert({w.relative, w.query});
                    rasters.insert(w.relative);
                }
                // Both queries of a raster stay together (its tiles are encoded once).
                for (const std::string &r : rasters) {
                    QVERIFY(seen.count({r, "red"}) == 1);
                    QVERIFY(seen.count({r, "green"}) == 1);
                }
            }
            QCOMPARE(seen.size(), all.size()); // complete
            for (const auto &w : all)
                QCOMPARE(seen.count({w.relative, w.query}), size_t(1)); // disjoint
        }
        for (const char *bad : {"0/2", "3/2", "a/b", "2", "1/0", "1/2x"})
            QVERIFY_EXCEPTION_THROWN(ShardSpec::parse(bad), Error);
        QVERIFY_EXCEPTION_THROWN(BatchRunner::parseFormats("tif,xyz"), Error);
        QVERIFY_EXCEPTION_THROWN(BatchRunner::parseFormats("gpkg,shp"), Error);
        QVERIFY_EXCEPTION_THROWN(BatchRunner::parseFormats(""), Error);
        const BatchRunner::Formats f = BatchRunner::parseFormats("prob32, fgb");
        QVERIFY(!f.mask && f.probability && f.vectorExtension == ".fgb");
        QCOMPARE(f.probabilityType, SegmentationSettings::ProbabilityType::Float32);
        // An output folder inside the input folder is never read back as input.
        o.shard = {};
        o.outDir = mInput + "/sub";
        QCOMPARE(BatchRunner(engine, o).plan().size(), size_t(10));
    }

    void failedRastersRecorded()
    {
        const std::string out = mDir.filePath("all").toStdString();
        const int code = inChild([&] {
            SegmentationEngine engine(model());
            const BatchRunner::Summary s = BatchRunner(engine, options(mInput, out)).run();
            return s.done == 8 && s.failed == 4 && s.skipped == 0 && s.rasters == 6 ? 0 : 1;
        });
        QCOMPARE(code, 0);
        const auto records = BatchManifest::readFile(out + "/manifest.jsonl");
        QCOMPARE(records.size(), size_t(12));
        int failed = 0;
        for (const auto &r : records) {
            QVERIFY(r.contains("timings") && r.contains("outputs") && r.contains("error") && r.contains("input"));
            if (r["status"] == "failed") {
                ++failed;
                const std::string input = r["input"];
                QVERIFY(input == "broken.tif" || input == "empty.tif");
                QVERIFY(r["error"].get<std::string>().find(input) != std::string::npos);
            } else {
                QCOMPARE(r["status"].get<std::string>(), std::string("done"));
                QVERIFY(r["error"].is_null());
            }
        }
        QCOMPARE(failed, 4);
        checkConsistent(out);
        QVERIFY(!QDir(QString::fromStdString(out + "/broken")).exists()); // no empty folder for a failure
        const RasterRead m = readRaster(out + "/a/" + QueryList::slug("red") + ".tif");
        QCOMPARE(cv::countNonZero(m.band != expectedMask(kBoxes, 100, 70, 0)), 0);
        const RasterRead g = readRaster(out + "/sub/c/" + QueryList::slug("green") + ".tif");
        QCOMPARE(cv::countNonZero(g.band != expectedMask(kBoxes, 100, 70, 1)), 0);
        QCOMPARE(readVector(out + "/b/" + QueryList::slug("green") + ".gpkg").features.size(), size_t(1));

        // Running again into the same folder without --resume is refused.
        SegmentationEngine engine(model());
        try {
            BatchRunner(engine, options(mInput, out)).run();
            QFAIL("a second run without --resume was accepted");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("--resume") != std::string::npos);
        }
        // --resume retries only what failed (and fails again), skipping everything done.
        const int again = inChild([&] {
            SegmentationEngine engine2(model());
            BatchRunner::Options o = options(mInput, out);
            o.resume = true;
            const BatchRunner::Summary s = BatchRunner(engine2, o).run();
            return s.skipped == 8 && s.failed == 4 && s.done == 0 ? 0 : 1;
        });
        QCOMPARE(again, 0);
    }

    // The process dies in the middle of the third raster (no cleanup at all, like SIGKILL or a
    // power cut); --resume finishes exactly the rest.
    void resumeAfterCrash()
    {
        const std::string out = mDir.filePath("crash").toStdString();
        const int crashed = inChild([&] {
            SegmentationEngine engine(model());
            Feedback fb;
            int reports = 0;
            // 100 x 70 with 64/16 tiles: 2 x 2 tiles, 2 queries: 8 reports per raster.
            fb.onTile = [&](const TileReport &, const cv::Mat &) {
                if (++reports == 2 * 8 + 5)
                    _exit(42);
            };
            BatchRunner(engine, options(mClean, out)).run(&fb);
            return 0;
        });
        QCOMPARE(crashed, 42);
        const auto records = BatchManifest::readFile(out + "/manifest.jsonl");
        QCOMPARE(records.size(), size_t(4)); // r1, r2 x 2 queries
        checkConsistent(out);
        QVERIFY(!QFile::exists(QString::fromStdString(out + "/r3/" + QueryList::slug("red") + ".tif")));
        QVERIFY(!leftovers(QString::fromStdString(out + "/r3")).isEmpty()); // what the crash left

        const std::string encoded = out + "/../crash-encoded.txt";
        const int resumed = inChild([&] {
            auto m = model();
            SegmentationEngine engine(m);
            BatchRunner::Options o = options(mClean, out);
            o.resume = true;
            const BatchRunner::Summary s = BatchRunner(engine, o).run();
            writeNumber(encoded, m->imagesEncoded());
            return s.skipped == 4 && s.done == 4 && s.failed == 0 ? 0 : 1;
        });
        QCOMPARE(resumed, 0);
        QCOMPARE(readNumber(encoded), int64_t(2 * 4)); // only r3 and r4 were encoded (4 tiles each)
        const auto all = BatchManifest::readFile(out + "/manifest.jsonl");
        QCOMPARE(all.size(), size_t(8));
        QCOMPARE(doneItems(all).size(), size_t(8)); // each item exactly once
        checkConsistent(out);
        QVERIFY(leftovers(QString::fromStdString(out + "/r3")).isEmpty());
        const RasterRead m = readRaster(out + "/r3/" + QueryList::slug("red") + ".tif");
        QCOMPARE(cv::countNonZero(m.band != expectedMask(kBoxes, 100, 70, 0)), 0);
    }

    void interrupted_data()
    {
        QTest::addColumn<int>("sig");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }

    void interrupted()
    {
        QFETCH(int, sig);
        const std::string out = mDir.filePath(QString("signal%1").arg(sig)).toStdString();
        const std::string manifest = out + "/manifest.jsonl";
        // The child stops at a tile once the first raster is recorded and tells the parent,
        // which sends the signal and only then lets the child go on: the signal arrives in the
        // middle of the second raster, whatever the machine's load.
        int toParent[2], toChild[2];
        QVERIFY(pipe(toParent) == 0 && pipe(toChild) == 0);
        const pid_t pid = fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            int code = 1;
            try {
                InterruptGuard guard;
                SegmentationEngine engine(model());
                Feedback fb;
                fb.linkCancelFlag(&InterruptGuard::flag());
                bool stopped = false;
                fb.onTile = [&](const TileReport &, const cv::Mat &) {
                    std::ifstream in(manifest);
                    const auto lines = std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
                    if (stopped || lines < 2)
                        return;
                    stopped = true;
                    char c = 's';
                    ssize_t n = 0;
                    if (write(toParent[1], &c, 1) != 1)
                        _exit(3);
                    while ((n = read(toChild[0], &c, 1)) < 0 && errno == EINTR) {
                    } // the signal interrupts the read
                    if (n != 1)
                        _exit(3);
                };
                BatchRunner(engine, options(mClean, out)).run(&fb);
                code = 2; // finished: the signal came too late
            } catch (const CancelledError &) {
                code = 130;
            }
            _exit(code);
        }
        char c = 0;
        QCOMPARE(read(toParent[0], &c, 1), ssize_t(1)); // the child waits inside raster 2
        kill(pid, sig);
        QCOMPARE(write(toChild[1], &c, 1), ssize_t(1));
        for (int fd : {toParent[0], toParent[1], toChild[0], toChild[1]})
            close(fd);
        int status = 0;
        waitpid(pid, &status, 0);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 130);
        const auto records = BatchManifest::readFile(manifest);
        QCOMPARE(records.size(), size_t(2)); // the first raster only, both queries
        checkConsistent(out);
        // The raster in progress left nothing: no outputs, no scratch, no temporaries.
        const std::string next = "r" + std::to_string(records.size() / 2 + 1);
        QVERIFY(!QFile::exists(QString::fromStdString(out + "/" + next + "/" + QueryList::slug("red") + ".tif")));
        QVERIFY(leftovers(QString::fromStdString(out + "/" + next)).isEmpty());
        QVERIFY(!QDir(QString::fromStdString(out + "/" + next)).exists()); // not even an empty folder

        const int resumed = inChild([&] {
            SegmentationEngine engine(model());
            BatchRunner::Options o = options(mClean, out);
            o.resume = true;
            const BatchRunner::Summary s = BatchRunner(engine, o).run();
            return s.failed == 0 && s.done + s.skipped == 8 ? 0 : 1;
        });
        QCOMPARE(resumed, 0);
        const auto all = BatchManifest::readFile(manifest);
        QCOMPARE(all.size(), size_t(8));
        QCOMPARE(doneItems(all).size(), size_t(8));
    }

    // Two machines (processes), one shared output folder, at the same time.
    void shardsShareFolder()
    {
        const std::string out = mDir.filePath("shared").toStdString();
        std::vector<pid_t> pids;
        for (int k = 1; k <= 2; ++k) {
            const pid_t pid = fork();
            QVERIFY(pid >= 0);
            if (pid == 0) {
                int code = 1;
                try {
                    SegmentationEngine engine(model());
                    BatchRunner::Options o = options(mClean, out);
                    o.shard = ShardSpec::parse(std::to_string(k) + "/2");
                    const BatchRunner::Summary s = BatchRunner(engine, o).run();
                    code = s.done == 4 && s.failed == 0 ? 0 : 3;
                } catch (...) {
                    code = 4;
                }
                _exit(code);
            }
            pids.push_back(pid);
        }
        for (pid_t pid : pids) {
            int status = 0;
            waitpid(pid, &status, 0);
            QVERIFY(WIFEXITED(status));
            QCOMPARE(WEXITSTATUS(status), 0);
        }
        const auto a = doneItems(BatchManifest::readFile(out + "/" + BatchManifest::fileName(1, 2)));
        const auto b = doneItems(BatchManifest::readFile(out + "/" + BatchManifest::fileName(2, 2)));
        QCOMPARE(a.size(), size_t(4));
        QCOMPARE(b.size(), size_t(4));
        for (const auto &i : a)
            QVERIFY(!b.count(i));
        QCOMPARE(doneItems(BatchManifest::readFolder(out)).size(), size_t(8));
        checkConsistent(out);
    }

    void tornManifestLine()
    {
        const std::string p = mDir.filePath("torn.jsonl").toStdString();
        std::ofstream(p) << "{\"input\":\"a\",\"query\":\"q\",\"status\":\"done\"}\n{\"input\":\"b\",\"que";
        {
            BatchManifest m(p);
            m.append({{"input", "c"}, {"query", "q"}, {"status", "done"}});
        }
        int torn = 0;
        const auto r = BatchManifest::readFile(p, &torn);
        QCOMPARE(torn, 1);
        QCOMPARE(r.size(), size_t(2));
        QCOMPARE(r[1]["input"].get<std::string>(), std::string("c"));
        QVERIFY_EXCEPTION_THROWN(BatchManifest("/proc/self/manifest.jsonl"), Error);
    }
};

QTEST_GUILESS_MAIN(TestBatchRunner)
#include "test_batchrunner.moc"
