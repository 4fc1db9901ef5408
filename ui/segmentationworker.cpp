#include "ui/segmentationworker.h"

#include "common/error.h"
#include "engine/embeddingcache.h"
#include "engine/feedback.h"
#include "engine/segmentationengine.h"
#include "modelhub/modelhub.h"
#include "ui/activationrecordingmodel.h"
#include "ui/probabilitydisplay.h"

#include <QCoreApplication>

#include <chrono>

namespace rsrefseg {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

QString qs(const std::string &s) { return QString::fromStdString(s); }

} // namespace

SegmentationWorker::SegmentationWorker(ModelFactory factory, QObject *parent)
    : QObject(parent)
    , mFactory(factory ? std::move(factory) : bundleFactory())
{
    qRegisterMetaType<rsrefseg::ModelInfo>();
    qRegisterMetaType<rsrefseg::TileUpdate>();
    qRegisterMetaType<rsrefseg::RowsUpdate>();
    qRegisterMetaType<rsrefseg::JobOutcome>();
    mThread = std::thread([this] { loop(); });
}

SegmentationWorker::~SegmentationWorker()
{
    {
        std::lock_guard<std::mutex> lock(mMutex);
        mAbort = true;
        mQueue.clear();
        if (mRunningFeedback)
            mRunningFeedback->cancel();
    }
    mWake.notify_all();
    mThread.join();
    // The engine and model die here, on the GUI thread, after the worker has stopped: no
    // other thread can touch them any more.
}

SegmentationWorker::ModelFactory SegmentationWorker::bundleFactory()
{
    return [](const ModelSpec &spec, const std::function<bool(double)> &progress) -> std::shared_ptr<SegmentationModel> {
        if (spec.bundleDir.isEmpty())
            throw Error("no model bundle is configured: choose one in Settings > Model");
        ModelRequest request;
        request.source = spec.bundleDir.toStdString();
        request.tokenizer = spec.tokenizer.toStdString();
        request.compute.device = spec.device.toStdString();
        request.compute.dtype = spec.dtype.toStdString();
        request.compute.threads = spec.threads;
        return ModelHub::open(request, progress).model;
    };
}

void SegmentationWorker::setModelSpec(const ModelSpec &spec)
{
    std::lock_guard<std::mutex> lock(mMutex);
    mSpec = spec;
}

ModelSpec SegmentationWorker::modelSpec() const
{
    std::lock_guard<std::mutex> lock(mMutex);
    return mSpec;
}

int SegmentationWorker::submit(const SegmentationJob &job)
{
    std::vector<int> superseded;
    int id = 0;
    {
        std::lock_guard<std::mutex> lock(mMutex);
        id = mNextId++;
        if (job.kind == SegmentationJob::Kind::Query) {
            // Latest wins: waiting queries are dropped, a running one is stopped.
            for (auto it = mQueue.begin(); it != mQueue.end();) {
                if (it->job.kind == SegmentationJob::Kind::Query) {
                    superseded.push_back(it->id);
                    it = mQueue.erase(it);
                } else {
                    ++it;
                }
            }
            if (mRunningId && mRunningKind == SegmentationJob::Kind::Query && mRunningFeedback)
                mRunningFeedback->cancel();
        }
        mQueue.push_back({id, job});
    }
    mWake.notify_all();
    for (int s : superseded) {
        JobOutcome o;
        o.status = JobOutcome::Status::Superseded;
        emit jobFinished(s, o);
    }
    return id;
}

void SegmentationWorker::cancel(int jobId)
{
    bool removed = false;
    {
        std::lock_guard<std::mutex> lock(mMutex);
        for (auto it = mQueue.begin(); it != mQueue.end(); ++it)
            if (it->id == jobId) {
                mQueue.erase(it);
                removed = true;
                break;
            }
        if (!removed && mRunningId == jobId && mRunningFeedback)
            mRunningFeedback->cancel();
    }
    if (removed) {
        JobOutcome o;
        o.status = JobOutcome::Status::Cancelled;
        emit jobFinished(jobId, o);
    }
}

void SegmentationWorker::cancelAll()
{
    std::vector<int> removed;
    {
        std::lock_guard<std::mutex> lock(mMutex);
        for (const Pending &p : mQueue)
            removed.push_back(p.id);
        mQueue.clear();
        if (mRunningFeedback)
            mRunningFeedback->cancel();
    }
    for (int id : removed) {
        JobOutcome o;
        o.status = JobOutcome::Status::Cancelled;
        emit jobFinished(id, o);
    }
}

bool SegmentationWorker::isIdle() const
{
    std::lock_guard<std::mutex> lock(mMutex);
    return mQueue.empty() && mRunningId == 0;
}

int SegmentationWorker::runningJob() const
{
    std::lock_guard<std::mutex> lock(mMutex);
    return mRunningId;
}

int SegmentationWorker::completedJobs() const
{
    std::lock_guard<std::mutex> lock(mMutex);
    return mCompleted;
}

void SegmentationWorker::loop()
{
    for (;;) {
        Pending p;
        Feedback feedback;
        {
            std::unique_lock<std::mutex> lock(mMutex);
            mWake.wait(lock, [this] { return mAbort || !mQueue.empty(); });
            if (mAbort)
                break;
            p = std::move(mQueue.front());
            mQueue.pop_front();
            mRunningId = p.id;
            mRunningKind = p.job.kind;
            mRunningFeedback = &feedback;
        }
        emit jobStarted(p.id);
        const auto t0 = Clock::now();
        JobOutcome outcome;
        // The job boundary: nothing thrown below leaves this thread.
        try {
            runJob(p, feedback);
            outcome.status = JobOutcome::Status::Done;
        } catch (const CancelledError &) {
            outcome.status = JobOutcome::Status::Cancelled;
        } catch (const std::exception &e) {
            outcome.status = feedback.isCancelled() ? JobOutcome::Status::Cancelled : JobOutcome::Status::Failed;
            outcome.error = qs(e.what());
        } catch (...) {
            outcome.status = JobOutcome::Status::Failed;
            outcome.error = QStringLiteral("unknown error");
        }
        outcome.seconds = secondsSince(t0);
        if (outcome.status == JobOutcome::Status::Done) {
            outcome.result = mLastResult;
            outcome.batch = mLastBatch;
        }
        mLastResult.reset();
        mLastBatch.reset();
        bool superseded = false;
        {
            std::lock_guard<std::mutex> lock(mMutex);
            mRunningFeedback = nullptr;
            mRunningId = 0;
            if (outcome.status == JobOutcome::Status::Done)
                ++mCompleted;
            // A query cancelled because a newer one arrived was superseded, not cancelled.
            if (outcome.status == JobOutcome::Status::Cancelled && p.job.kind == SegmentationJob::Kind::Query)
                for (const Pending &q : mQueue)
                    superseded = superseded || q.job.kind == SegmentationJob::Kind::Query;
        }
        if (superseded)
            outcome.status = JobOutcome::Status::Superseded;
        if (outcome.status == JobOutcome::Status::Failed && outcome.details.isEmpty())
            outcome.details = mLastJobContext;
        emit jobFinished(p.id, outcome);
    }
    // Drop the model on the worker thread that used it.
    mEngine.reset();
    mModel.reset();
}

void SegmentationWorker::ensureModel(Feedback &feedback)
{
    ModelSpec spec;
    {
        std::lock_guard<std::mutex> lock(mMutex);
        spec = mSpec;
    }
    if (mModelLoaded && spec == mLoadedSpec)
        return;
    mEngine.reset();
    mModel.reset();
    mModelLoaded = false;
    emit modelLoadStarted(spec.bundleDir);
    const auto t0 = Clock::now();
    std::shared_ptr<SegmentationModel> model;
    try {
        // A load goes on when its job was only superseded by a newer query (that query needs
        // the same model); an explicit cancel or shutdown stops it.
        model = mFactory(spec, [this, &feedback](double f) {
            emit modelLoadProgress(f);
            std::lock_guard<std::mutex> lock(mMutex);
            if (mAbort)
                return false;
            if (!feedback.isCancelled())
                return true;
            for (const Pending &q : mQueue)
                if (q.job.kind == SegmentationJob::Kind::Query)
                    return true;
            return false;
        });
        if (!model)
            throw Error("the model factory returned no model for '" + spec.bundleDir.toStdString() + "'");
    } catch (const CancelledError &) {
        throw;
    } catch (const std::exception &e) {
        emit modelLoadFailed(qs(e.what()));
        throw Error(std::string("cannot load the model: ") + e.what());
    }
    mModel = std::make_shared<ActivationRecordingModel>(model);
    SegmentationEngine::Options options;
    options.cache.memoryBudgetMb = static_cast<size_t>(spec.cacheBudgetMb);
    options.cache.diskDir = spec.cacheDir.toStdString();
    mEngine = std::make_unique<SegmentationEngine>(mModel, options);
    mLoadedSpec = spec;
    mModelLoaded = true;

    ModelInfo info;
    info.bundleDir = spec.bundleDir;
    info.name = qs(model->name());
    info.modelId = qs(model->modelId());
    info.device = spec.device;
    info.dtype = qs(model->dtypeName());
    info.trained = model->trained();
    info.inputSize = model->inputSize();
    info.loadSeconds = secondsSince(t0);
    emit modelLoaded(info);
}

void SegmentationWorker::runJob(const Pending &p, Feedback &feedback)
{
    const SegmentationJob &job = p.job;
    const int id = p.id;
    mLastJobContext = job.kind == SegmentationJob::Kind::Batch
                          ? qs("batch: " + job.batch.inputDir + " -> " + job.batch.outDir)
                          : qs("raster: " + job.request.raster);
    feedback.throwIfCancelled();
    ensureModel(feedback);
    feedback.throwIfCancelled();

    // Progress at most every 50 ms (a tiny model reports thousands of tiles a second).
    auto lastEmit = Clock::now() - std::chrono::seconds(1);
    std::string lastStage;
    feedback.onProgress = [&](const ProgressInfo &pi) {
        const auto now = Clock::now();
        if (pi.stage == lastStage && pi.fraction < 1.0 && now - lastEmit < std::chrono::milliseconds(50))
            return;
        lastEmit = now;
        lastStage = pi.stage;
        emit jobProgress(id, pi.fraction, qs(pi.stage), qs(pi.detail));
    };
    feedback.onMessage = [&](const std::string &text) { emit jobMessage(id, qs(text)); };

    switch (job.kind) {
    case SegmentationJob::Kind::Query: {
        const ProbabilityDisplay display(job.window, job.displayFactor, true);
        feedback.onTile = [&](const TileReport &t, const cv::Mat &prob) {
            TileUpdate u;
            u.report = t;
            if (t.state != TileReport::State::NoData)
                u.activation = mModel->lastActivation();
            if (!prob.empty()) {
                u.thumbnail = ProbabilityDisplay::thumbnail(prob, job.thumbnailSize);
                if (t.state == TileReport::State::Gated) {
                    u.displayRect = display.displayRect(t.window);
                    u.display = cv::Mat::zeros(u.displayRect.height(), u.displayRect.width(), CV_8UC1);
                } else {
                    u.display = display.tile(t.window, prob, &u.displayRect);
                }
            } else {
                u.displayRect = display.displayRect(t.window);
            }
            emit tileFinished(id, u);
        };
        feedback.onRows = [&](int queryIndex, int y, const cv::Mat &prob, const cv::Mat &valid) {
            RowsUpdate u;
            u.queryIndex = queryIndex;
            u.rows = display.rows(y, prob, valid, &u.displayY);
            if (!u.rows.empty())
                emit rowsFinished(id, u);
        };
        mLastResult = std::make_shared<SegmentationResult>(mEngine->run(job.request, &feedback));
        break;
    }
    case SegmentationJob::Kind::Export:
        mLastResult = std::make_shared<SegmentationResult>(mEngine->run(job.request, &feedback));
        break;
    case SegmentationJob::Kind::Batch: {
        BatchRunner runner(*mEngine, job.batch);
        mLastBatch = std::make_shared<BatchRunner::Summary>(runner.run(&feedback));
        break;
    }
    }
}

} // namespace rsrefseg
