// QueryController: turns what the user typed into segmentation jobs and their results into
// result layers. It builds the request (raster, area, mode, settings), submits it to the
// SegmentationWorker (latest wins), creates the result layer when the job starts, feeds it
// tiles and rows as they arrive, and finishes or removes it at the end (a cancelled or failed
// query leaves no layer). Errors go to the message bar.
//
//   QueryController controller(&layers, canvas, &worker, &settings, messageBar);
//   connect(queryBar, &QueryBar::runRequested, &controller, &QueryController::run);
#pragma once

#include "ui/modelspec.h"
#include "ui/querybar.h"
#include "ui/segmentationjob.h"

#include <QColor>
#include <QObject>
#include <QTemporaryDir>

#include <map>
#include <memory>

namespace rsrefseg {

class AppSettings;
class LayerTreeModel;
class MapCanvas;
class MessageBar;
class SegmentationWorker;

class QueryController : public QObject
{
    Q_OBJECT
  public:
    QueryController(LayerTreeModel *layers, MapCanvas *canvas, SegmentationWorker *worker, AppSettings *settings,
                    MessageBar *messages, QObject *parent = nullptr);
    ~QueryController() override;

    // Returns the job id, or 0 when the input could not become a job (the message bar says why).
    int run(const QueryBar::Input &input);
    void cancel();
    bool isRunning() const { return mCurrentJob != 0; }
    int currentJob() const { return mCurrentJob; }
    const ModelInfo &modelInfo() const { return mModel; }
    bool hasModelInfo() const { return mHasModel; }
    QString sessionDir() const { return mSession.path(); }

  signals:
    void runningChanged(bool running);
    void progressChanged(double fraction, const QString &text);
    void resultStarted(int layerId);
    void resultFinished(int layerId);
    void resultRemoved(int jobId); // cancelled, superseded or failed
    void queryFailed(const QString &error);

  private:
    struct Pending
    {
        QueryBar::Input input;
        SegmentationRequest request;
        PixelWindow window;
        int rasterLayerId = 0;
        int layerId = 0; // 0 until the job starts
    };

    void onJobStarted(int id);
    void onJobProgress(int id, double fraction, const QString &stage, const QString &detail);
    void onTile(int id, const TileUpdate &update);
    void onRows(int id, const RowsUpdate &update);
    void onJobFinished(int id, const JobOutcome &outcome);
    void setCurrent(int id);
    QColor nextColour();

    LayerTreeModel *mLayers;
    MapCanvas *mCanvas;
    SegmentationWorker *mWorker;
    AppSettings *mSettings;
    MessageBar *mMessages;
    std::map<int, Pending> mJobs; // query jobs not finished yet
    int mCurrentJob = 0;          // the latest query
    int mColourIndex = 0;
    int mQueryCounter = 0;
    ModelInfo mModel;
    bool mHasModel = false;
    QTemporaryDir mSession;       // the polygons of interactive queries (counts, areas)
};

} // namespace rsrefseg
