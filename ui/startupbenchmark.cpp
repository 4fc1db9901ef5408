#include "ui/startupbenchmark.h"

#include "ui/mainwindow.h"
#include "ui/mapcanvas.h"
#include "ui/querycontroller.h"
#include "ui/segmentationworker.h"

#include <QFile>
#include <QTimer>

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace rsrefseg {

namespace {

double statusMb(const char *field)
{
    std::ifstream f("/proc/self/status");
    std::string line;
    const std::string key(field);
    while (std::getline(f, line))
        if (line.compare(0, key.size(), key) == 0)
            return std::stod(line.substr(key.size())) / 1024.0;
    return 0.0;
}

} // namespace

StartupBenchmark::StartupBenchmark(MainWindow *window, Options options, QObject *parent)
    : QObject(parent), mWindow(window), mOptions(std::move(options))
{
    connect(mWindow, &MainWindow::rasterOpened, this, [this] { mRasterOpen = true; });
    connect(mWindow, &MainWindow::rasterFailed, this,
            [this](const QString &path, const QString &error) { fail(path + QStringLiteral(": ") + error); });
    connect(mWindow->canvas(), &MapCanvas::renderFinished, this, &StartupBenchmark::onRenderFinished);
    SegmentationWorker *worker = mWindow->worker();
    connect(worker, &SegmentationWorker::modelLoaded, this, [this](const ModelInfo &info) {
        mResult["model"] = info.name.toStdString();
        mResult["model_id"] = info.modelId.toStdString();
        mResult["device"] = info.device.toStdString();
        mResult["dtype"] = info.dtype.toStdString();
        mResult["model_load_s"] = info.loadSeconds;
        mResult["model_ready_since_process_start_s"] = secondsSinceProcessStart();
    });
    connect(worker, &SegmentationWorker::modelLoadFailed, this, &StartupBenchmark::fail);
    connect(worker, &SegmentationWorker::tileFinished, this, &StartupBenchmark::onTile);
    connect(worker, &SegmentationWorker::jobFinished, this, &StartupBenchmark::onJobFinished);
}

double StartupBenchmark::secondsSinceProcessStart()
{
    // Field 22 of /proc/self/stat: start time in clock ticks after boot; /proc/uptime: now.
    std::ifstream statFile("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(statFile)), std::istreambuf_iterator<char>());
    const size_t close = stat.rfind(')'); // the command name may hold spaces
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    unsigned long long startTicks = 0;
    for (int i = 3; i <= 22 && rest >> field; ++i)
        if (i == 22)
            startTicks = std::stoull(field);
    double uptime = 0.0;
    std::ifstream("/proc/uptime") >> uptime;
    return uptime - double(startTicks) / double(sysconf(_SC_CLK_TCK));
}

void StartupBenchmark::start()
{
    mResult["raster"] = mOptions.raster.toStdString();
    mResult["model_source"] = mOptions.modelDescription.toStdString();
    mResult["threads_available"] = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    // The event loop runs: the window is shown and painted from here on.
    QTimer::singleShot(0, this, [this] {
        mResult["window_shown_since_process_start_s"] = secondsSinceProcessStart();
        mResult["rss_window_mb"] = statusMb("VmRSS:");
        mOpenTimer.start();
        mWindow->openRaster(mOptions.raster);
    });
}

void StartupBenchmark::onRenderFinished()
{
    if (!mRasterOpen || mFirstViewDone || mFinished)
        return;
    mFirstViewDone = true;
    mResult["raster_open_to_first_view_s"] = mOpenTimer.nsecsElapsed() / 1e9;
    runQuery(0);
}

void StartupBenchmark::runQuery(int index)
{
    mQueryIndex = index;
    mTileSeconds.clear();
    QueryBar::Input input;
    input.query = mOptions.queries.value(index);
    input.mode = SegmentationSettings::Mode::Tiled;
    input.area = QueryBar::Area::VisibleExtent;
    mQueryTimer.start();
    mJobId = mWindow->queryController()->run(input);
    if (mJobId == 0)
        fail(QStringLiteral("the query could not be submitted"));
}

void StartupBenchmark::onTile(int jobId, const TileUpdate &)
{
    if (jobId == mJobId)
        mTileSeconds.push_back(mQueryTimer.nsecsElapsed() / 1e9);
}

void StartupBenchmark::onJobFinished(int jobId, const JobOutcome &outcome)
{
    if (jobId != mJobId || mFinished)
        return;
    if (outcome.status != JobOutcome::Status::Done) {
        fail(outcome.error.isEmpty() ? QStringLiteral("the query did not finish") : outcome.error);
        return;
    }
    const double seconds = mQueryTimer.nsecsElapsed() / 1e9;
    const int tiles = outcome.result ? outcome.result->tileCount : int(mTileSeconds.size());
    nlohmann::json q{{"query", mOptions.queries.value(mQueryIndex).toStdString()},
                     {"seconds", seconds},
                     {"tiles", tiles},
                     {"seconds_per_tile", tiles > 0 ? seconds / tiles : 0.0},
                     {"tile_mask_shown_s", mTileSeconds}};
    if (outcome.result)
        q["cache"] = outcome.result->cache.toJson();
    mResult[mQueryIndex == 0 ? "first_query" : "second_query"] = q;
    if (mQueryIndex + 1 < 2) {
        runQuery(mQueryIndex + 1);
        return;
    }
    mResult["peak_rss_mb"] = statusMb("VmHWM:");
    finish(true);
}

void StartupBenchmark::fail(const QString &error)
{
    if (mFinished)
        return;
    mResult["error"] = error.toStdString();
    finish(false);
}

void StartupBenchmark::finish(bool ok)
{
    mFinished = true;
    emit finished(ok, QString::fromStdString(mResult.dump(2)));
}

} // namespace rsrefseg
