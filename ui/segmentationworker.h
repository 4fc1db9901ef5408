// SegmentationWorker: the one thread that owns the model and runs every segmentation job
// (Qt's Mandelbrot "latest request wins" worker, QGIS's task idea): the GUI thread submits
// jobs and receives their progress, tiles, rows and outcome as queued signals; it never runs a
// forward pass itself. The model is loaded on the worker (with progress) before the first job
// that needs it, and reloaded when the ModelSpec changes.
//
//   SegmentationWorker worker;                       // default factory: model bundles
//   worker.setModelSpec(settings.modelSpec(bundle));
//   int id = worker.submit(job);                     // returns at once
//   connect(&worker, &SegmentationWorker::jobFinished, ...);
//   worker.cancel(id);                               // the job stops at its next check
//
// Queries are interactive: submitting one supersedes any query that is waiting and cancels
// the one running (only the latest runs to the end). Export and batch jobs queue in order.
// Exceptions are caught on the worker and delivered as JobOutcome::Failed; they never cross
// threads. The destructor cancels everything and joins the thread.
#pragma once

#include "ui/modelspec.h"
#include "ui/segmentationjob.h"

#include <QObject>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace rsrefseg {

class ActivationRecordingModel;
class Feedback;
class SegmentationEngine;
class SegmentationModel;

class SegmentationWorker : public QObject
{
    Q_OBJECT
  public:
    // Builds a model for a spec on the worker thread; `progress` (0..1) returns false to cancel.
    // Throws rsrefseg::Error on failure.
    using ModelFactory = std::function<std::shared_ptr<SegmentationModel>(
        const ModelSpec &spec, const std::function<bool(double)> &progress)>;

    explicit SegmentationWorker(ModelFactory factory = ModelFactory(), QObject *parent = nullptr);
    ~SegmentationWorker() override;

    // The model loader: ModelHub::open with the spec's source, device, dtype and threads.
    static ModelFactory bundleFactory();

    void setModelSpec(const ModelSpec &spec);
    ModelSpec modelSpec() const;

    int submit(const SegmentationJob &job);
    void cancel(int jobId);
    void cancelAll();

    bool isIdle() const;
    int runningJob() const; // 0 when none
    // Jobs that ran to their end (Done), for tests and logs.
    int completedJobs() const;

  signals:
    void modelLoadStarted(const QString &bundleDir);
    void modelLoadProgress(double fraction);
    void modelLoaded(const rsrefseg::ModelInfo &info);
    void modelLoadFailed(const QString &error);

    void jobStarted(int jobId);
    void jobProgress(int jobId, double fraction, const QString &stage, const QString &detail);
    void tileFinished(int jobId, const rsrefseg::TileUpdate &update);
    void rowsFinished(int jobId, const rsrefseg::RowsUpdate &update);
    void jobMessage(int jobId, const QString &text);
    void jobFinished(int jobId, const rsrefseg::JobOutcome &outcome);

  private:
    struct Pending
    {
        int id = 0;
        SegmentationJob job;
    };

    void loop();
    void runJob(const Pending &pending, Feedback &feedback);
    void ensureModel(Feedback &feedback);

    ModelFactory mFactory;

    mutable std::mutex mMutex;
    std::condition_variable mWake;
    std::deque<Pending> mQueue;
    ModelSpec mSpec;
    bool mAbort = false;
    int mNextId = 1;
    int mRunningId = 0;
    SegmentationJob::Kind mRunningKind = SegmentationJob::Kind::Query;
    Feedback *mRunningFeedback = nullptr;
    int mCompleted = 0;

    // Worker-thread state (only touched by loop()).
    ModelSpec mLoadedSpec;
    bool mModelLoaded = false;
    std::shared_ptr<ActivationRecordingModel> mModel;
    std::unique_ptr<SegmentationEngine> mEngine;
    std::shared_ptr<const SegmentationResult> mLastResult;
    std::shared_ptr<const BatchRunner::Summary> mLastBatch;
    QString mLastJobContext;

    std::thread mThread;
};

} // namespace rsrefseg
