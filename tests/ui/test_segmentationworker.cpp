// SegmentationWorker: jobs run on the worker thread, results come back as values through
// queued signals, the model is loaded on the worker, interactive queries are "latest wins",
// cancel stops a job promptly, and errors arrive as JobOutcome::Failed (never as exceptions).
#include "ui/segmentationworker.h"

#include "common/error.h"

#include "uitestsupport.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QFileInfo>
#include <QTest>
#include <QThread>

#include <atomic>
#include <fstream>
#include <thread>

#include <sys/syscall.h>
#include <unistd.h>

using namespace rsrefseg;

namespace {

SegmentationJob queryJob(const QString &raster, const QString &query, int size, int tile = 64)
{
    SegmentationJob j;
    j.kind = SegmentationJob::Kind::Query;
    j.request.raster = raster.toStdString();
    j.request.queries = {query.toStdString()};
    j.request.settings.mode = SegmentationSettings::Mode::Tiled;
    j.request.settings.tileSize = tile;
    j.request.settings.overlap = 0;
    j.window = {0, 0, size, size};
    return j;
}

// Whether thread `tid` of this process sleeps (state S or D in /proc): blocked in a join or
// a wait, not running.
bool threadIsBlocked(pid_t tid)
{
    std::ifstream in("/proc/self/task/" + std::to_string(tid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && (stat[paren + 2] == 'S' || stat[paren + 2] == 'D');
}

struct Outcomes
{
    std::map<int, JobOutcome> byId;
};

} // namespace

class TestSegmentationWorker : public QObject
{
    Q_OBJECT
  private:
    QTemporaryDir mDir;
    QString mRaster;

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mRaster = mDir.filePath(QStringLiteral("square.tif"));
        uitest::writeRedSquareRaster(mRaster, 256, 64, 64, 64);
    }

    void runsOnTheWorkerAndReportsTilesRowsAndResult()
    {
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        Qt::HANDLE modelThread = nullptr;
        SegmentationWorker worker([&](const ModelSpec &, const std::function<bool(double)> &) {
            modelThread = QThread::currentThreadId();
            return std::static_pointer_cast<SegmentationModel>(model);
        });
        QSignalSpy loaded(&worker, &SegmentationWorker::modelLoaded);
        QSignalSpy tiles(&worker, &SegmentationWorker::tileFinished);
        QSignalSpy rows(&worker, &SegmentationWorker::rowsFinished);
        QSignalSpy finished(&worker, &SegmentationWorker::jobFinished);
        const int id = worker.submit(queryJob(mRaster, QStringLiteral("the red square"), 256));
        QVERIFY(uitest::waitForSignals(finished, 1, 20000));
        QCOMPARE(finished.first().at(0).toInt(), id);
        const auto outcome = finished.first().at(1).value<JobOutcome>();
        QCOMPARE(int(outcome.status), int(JobOutcome::Status::Done));
        QVERIFY(outcome.result);
        QVERIFY(modelThread != nullptr);
        QVERIFY(modelThread != QThread::currentThreadId()); // loaded on the worker, not here
        QCOMPARE(loaded.size(), 1);
        QCOMPARE(tiles.size(), 16); // 4 x 4 tiles of 64 px
        // The red square is exactly the object: 64 * 64 pixels.
        QCOMPARE(outcome.result->queries.front().objectPixels, int64_t(64 * 64));
        // Rows cover the display exactly once, in order.
        int next = 0;
        for (const auto &args : rows) {
            const auto u = args.at(1).value<RowsUpdate>();
            QCOMPARE(u.displayY, next);
            next += u.rows.rows;
        }
        QCOMPARE(next, 256);
        // Each tile carries its activation (the inspector's heat map) and a thumbnail.
        const auto t = tiles.first().at(1).value<TileUpdate>();
        QCOMPARE(t.report.activation.rows, 8);
        QVERIFY(!t.thumbnail.empty());
        QCOMPARE(worker.completedJobs(), 1);
    }

    void latestQueryWins()
    {
        auto model = std::make_shared<uitest::SlowModel>(0, 0);
        // A slow model load keeps the first job busy while the others arrive.
        SegmentationWorker worker(uitest::fixedFactory(model, 400));
        std::map<int, JobOutcome> outcomes;
        connect(&worker, &SegmentationWorker::jobFinished, this,
                [&](int id, const JobOutcome &o) { outcomes[id] = o; });
        std::vector<int> ids;
        for (int i = 0; i < 5; ++i)
            ids.push_back(worker.submit(queryJob(mRaster, QStringLiteral("query %1 red").arg(i), 256)));
        QVERIFY(uitest::waitFor([&] { return outcomes.size() == 5; }, 20000));
        for (int i = 0; i < 4; ++i)
            QCOMPARE(int(outcomes[ids[static_cast<size_t>(i)]].status), int(JobOutcome::Status::Superseded));
        QCOMPARE(int(outcomes[ids.back()].status), int(JobOutcome::Status::Done));
        QCOMPARE(worker.completedJobs(), 1);
        QCOMPARE(model->textEncoderCalls(), int64_t(1)); // only the last query reached the model
    }

    void exportJobsQueueInsteadOfSuperseding()
    {
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationWorker worker(uitest::fixedFactory(model));
        std::map<int, JobOutcome> outcomes;
        connect(&worker, &SegmentationWorker::jobFinished, this,
                [&](int id, const JobOutcome &o) { outcomes[id] = o; });
        SegmentationJob e = queryJob(mRaster, QStringLiteral("red"), 256);
        e.kind = SegmentationJob::Kind::Export;
        e.request.outputs = {{mDir.filePath(QStringLiteral("a.tif")).toStdString(), "", ""}};
        const int a = worker.submit(e);
        e.request.outputs = {{mDir.filePath(QStringLiteral("b.tif")).toStdString(), "", ""}};
        const int b = worker.submit(e);
        QVERIFY(uitest::waitFor([&] { return outcomes.size() == 2; }, 20000));
        QCOMPARE(int(outcomes[a].status), int(JobOutcome::Status::Done));
        QCOMPARE(int(outcomes[b].status), int(JobOutcome::Status::Done));
        QVERIFY(QFileInfo::exists(mDir.filePath(QStringLiteral("a.tif"))));
        QVERIFY(QFileInfo::exists(mDir.filePath(QStringLiteral("b.tif"))));
    }

    void cancelStopsAtTheNextTile()
    {
        // The first decode is held at the model's gate while the job is cancelled: whatever the
        // machine's load, the job must end Cancelled without decoding another tile.
        auto model = std::make_shared<uitest::GatedModel>();
        SegmentationWorker worker(uitest::fixedFactory(model));
        QSignalSpy tiles(&worker, &SegmentationWorker::tileFinished);
        QSignalSpy finished(&worker, &SegmentationWorker::jobFinished);
        const int id = worker.submit(queryJob(mRaster, QStringLiteral("red"), 256, 32)); // 64 tiles
        QVERIFY(model->waitUntilDecoding(10000));
        const int64_t decodesBefore = model->decodeCalls();
        worker.cancel(id);
        model->open();
        QVERIFY(uitest::waitForSignals(finished, 1, 30000));
        QCOMPARE(int(finished.first().at(1).value<JobOutcome>().status), int(JobOutcome::Status::Cancelled));
        QCOMPARE(model->decodeCalls(), decodesBefore + 1); // only the held decode ran to its end
        QVERIFY(tiles.size() <= 1);
        QCOMPARE(worker.completedJobs(), 0);
    }

    void errorsArriveAsValues()
    {
        SegmentationWorker failing([](const ModelSpec &spec, const std::function<bool(double)> &) -> std::shared_ptr<SegmentationModel> {
            throw Error("no such bundle: '" + spec.bundleDir.toStdString() + "'");
        });
        ModelSpec spec;
        spec.bundleDir = QStringLiteral("/nonexistent/bundle");
        failing.setModelSpec(spec);
        QSignalSpy loadFailed(&failing, &SegmentationWorker::modelLoadFailed);
        QSignalSpy finished(&failing, &SegmentationWorker::jobFinished);
        failing.submit(queryJob(mRaster, QStringLiteral("red"), 256));
        QVERIFY(uitest::waitForSignals(finished, 1, 10000));
        const auto o = finished.first().at(1).value<JobOutcome>();
        QCOMPARE(int(o.status), int(JobOutcome::Status::Failed));
        QVERIFY(o.error.contains(QStringLiteral("/nonexistent/bundle")));
        QCOMPARE(loadFailed.size(), 1);

        // A missing raster fails the job, and the worker goes on with the next one.
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationWorker worker(uitest::fixedFactory(model));
        std::map<int, JobOutcome> outcomes;
        connect(&worker, &SegmentationWorker::jobFinished, this,
                [&](int id, const JobOutcome &out) { outcomes[id] = out; });
        SegmentationJob bad = queryJob(mDir.filePath(QStringLiteral("missing.tif")), QStringLiteral("red"), 256);
        bad.kind = SegmentationJob::Kind::Export;
        const int a = worker.submit(bad);
        SegmentationJob good = queryJob(mRaster, QStringLiteral("red"), 256);
        good.kind = SegmentationJob::Kind::Export;
        const int b = worker.submit(good);
        QVERIFY(uitest::waitFor([&] { return outcomes.size() == 2; }, 20000));
        QCOMPARE(int(outcomes[a].status), int(JobOutcome::Status::Failed));
        QVERIFY(outcomes[a].error.contains(QStringLiteral("missing.tif")));
        QCOMPARE(int(outcomes[b].status), int(JobOutcome::Status::Done));
    }

    void destructorStopsARunningJob()
    {
        // Destroyed while a decode is held at the gate. The gate opens only once this thread is
        // blocked inside the destructor (it has asked the job to stop by then), so the order
        // of events is fixed: a destructor that did not cancel would let the 63 other tiles
        // be decoded before its join returned.
        auto model = std::make_shared<uitest::GatedModel>();
        const pid_t self = static_cast<pid_t>(::syscall(SYS_gettid));
        std::atomic<bool> destroying{false};
        std::thread opener([model, self, &destroying] {
            while (!destroying || !threadIsBlocked(self))
                std::this_thread::yield();
            model->open();
        });
        int64_t decodesBefore = 0;
        {
            SegmentationWorker worker(uitest::fixedFactory(model));
            worker.submit(queryJob(mRaster, QStringLiteral("red"), 256, 32));
            QVERIFY(model->waitUntilDecoding(10000));
            decodesBefore = model->decodeCalls();
            destroying = true;
        }
        opener.join();
        QCOMPARE(model->decodeCalls(), decodesBefore + 1); // the held decode only
    }
};

QTEST_GUILESS_MAIN(TestSegmentationWorker)
#include "test_segmentationworker.moc"
