// StartupBenchmark: times the desktop application as a user meets it, in the real window with
// the real worker (`rsrefseg-desktop --benchmark RASTER`, see app/desktop/main.cpp):
//   - process start -> main window shown (dynamic loading included: /proc/self/stat);
//   - opening the raster -> the first drawn view (the canvas's first finished render);
//   - the first query on the visible extent (model loading, image encoders) and a second query
//     on the same tiles (cached features: text tower, decoder, post-processing), with the time
//     from pressing Enter to each tile's mask reaching the GUI.
// When done it emits finished() with one JSON object ("error" set on failure); main() prints it
// and quits.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <vector>

namespace rsrefseg {

class MainWindow;
struct JobOutcome;
struct TileUpdate;
struct ModelInfo;

class StartupBenchmark : public QObject
{
    Q_OBJECT
  public:
    struct Options
    {
        QString raster;
        QStringList queries{QStringLiteral("the large white storage tanks"),
                            QStringLiteral("the bright buildings near the road")};
        QString modelDescription; // what the JSON names as the model source
    };

    StartupBenchmark(MainWindow *window, Options options, QObject *parent = nullptr);

    // Call right after window->show(); the benchmark runs from the event loop.
    void start();

    // Seconds since this process was started by the kernel (before main and dynamic loading).
    static double secondsSinceProcessStart();

  signals:
    void finished(bool ok, const QString &json);

  private:
    void onRenderFinished();
    void runQuery(int index);
    void onTile(int jobId, const TileUpdate &update);
    void onJobFinished(int jobId, const JobOutcome &outcome);
    void fail(const QString &error);
    void finish(bool ok);

    MainWindow *mWindow;
    Options mOptions;
    nlohmann::json mResult;
    QElapsedTimer mOpenTimer;
    QElapsedTimer mQueryTimer;
    bool mRasterOpen = false;
    bool mFirstViewDone = false;
    bool mFinished = false;
    int mQueryIndex = -1;
    int mJobId = 0;
    std::vector<double> mTileSeconds;
};

} // namespace rsrefseg
