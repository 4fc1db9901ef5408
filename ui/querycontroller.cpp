#include "ui/querycontroller.h"

#include "common/error.h"
#include "ui/appsettings.h"
#include "ui/jobprogresspanel.h"
#include "ui/layertreemodel.h"
#include "ui/mapcanvas.h"
#include "ui/messagebar.h"
#include "ui/rasterlayer.h"
#include "ui/resultlayer.h"
#include "ui/segmentationworker.h"

#include <QDir>

#include <algorithm>

namespace rsrefseg {

QueryController::QueryController(LayerTreeModel *layers, MapCanvas *canvas, SegmentationWorker *worker,
                                 AppSettings *settings, MessageBar *messages, QObject *parent)
    : QObject(parent)
    , mLayers(layers)
    , mCanvas(canvas)
    , mWorker(worker)
    , mSettings(settings)
    , mMessages(messages)
    , mSession(QDir::temp().filePath(QStringLiteral("rsrefseg-session-XXXXXX")))
{
    // Every connection names this object as context: the worker emits from its own thread
    // and the slots must run on the GUI thread.
    connect(mWorker, &SegmentationWorker::jobStarted, this, &QueryController::onJobStarted);
    connect(mWorker, &SegmentationWorker::jobProgress, this, &QueryController::onJobProgress);
    connect(mWorker, &SegmentationWorker::tileFinished, this, &QueryController::onTile);
    connect(mWorker, &SegmentationWorker::rowsFinished, this, &QueryController::onRows);
    connect(mWorker, &SegmentationWorker::jobFinished, this, &QueryController::onJobFinished);
    connect(mWorker, &SegmentationWorker::jobMessage, this, [this](int id, const QString &text) {
        if (mJobs.count(id))
            mMessages->pushMessage(MessageBar::Level::Warning, tr("Query"), text);
    });
    connect(mWorker, &SegmentationWorker::modelLoaded, this, [this](const ModelInfo &info) {
        mModel = info;
        mHasModel = true;
    });
    connect(mWorker, &SegmentationWorker::modelLoadProgress, this, [this](double f) {
        if (mCurrentJob)
            emit progressChanged(-1.0, tr("loading the model… %1 %").arg(static_cast<int>(f * 100)));
    });
}

QueryController::~QueryController() = default;

QColor QueryController::nextColour()
{
    // Distinct, saturated colours that stay visible over imagery.
    static const QColor palette[] = {QColor(255, 140, 0),  QColor(233, 30, 99),  QColor(0, 188, 212),
                                     QColor(205, 220, 57), QColor(156, 39, 176), QColor(255, 235, 59),
                                     QColor(244, 67, 54),  QColor(0, 230, 118)};
    const QColor c = palette[mColourIndex % (sizeof palette / sizeof palette[0])];
    ++mColourIndex;
    return c;
}

int QueryController::run(const QueryBar::Input &input)
{
    const QString query = input.query.trimmed();
    const auto raster = mLayers->topRasterLayer();
    if (!raster) {
        mMessages->pushMessage(MessageBar::Level::Warning, tr("No raster"),
                               tr("Open a raster before running a query."));
        return 0;
    }
    const RasterInfo &info = raster->info();
    SegmentationRequest request;
    request.raster = info.path;
    request.queries = {query.toStdString()};
    request.settings = mSettings->segmentationSettings();
    request.settings.mode = input.mode;
    switch (input.area) {
    case QueryBar::Area::WholeRaster:
        break;
    case QueryBar::Area::VisibleExtent: {
        const MapBox view = mCanvas->viewport().extent();
        const MapBox full = raster->extent();
        MapBox b{std::max(view.minX, full.minX), std::max(view.minY, full.minY), std::min(view.maxX, full.maxX),
                 std::min(view.maxY, full.maxY)};
        // The whole raster in view: no region (identical result, simpler request).
        if (!(b.minX <= full.minX && b.minY <= full.minY && b.maxX >= full.maxX && b.maxY >= full.maxY))
            request.settings.region = b;
        break;
    }
    case QueryBar::Area::DrawnRegion:
        if (!mCanvas->drawnRegion()) {
            mMessages->pushMessage(MessageBar::Level::Warning, tr("No rectangle"),
                                   tr("Draw a rectangle on the map first (Map > Draw Query Rectangle)."));
            return 0;
        }
        request.settings.region = *mCanvas->drawnRegion();
        break;
    }
    PixelWindow window{0, 0, info.width, info.height};
    try {
        request.validate(); // the engine's own checks, before the job is queued
        if (request.settings.region)
            window = request.settings.region->pixelWindow(info);
    } catch (const std::exception &e) {
        mMessages->pushMessage(MessageBar::Level::Warning, tr("Cannot run the query"), QString::fromStdString(e.what()));
        return 0;
    }
    // Polygons of every result go to the session folder: the layers panel shows their count
    // and area; exports run the engine again with the user's choices.
    ++mQueryCounter;
    QueryOutputs outputs;
    outputs.vector = QDir(mSession.path()).filePath(QStringLiteral("result-%1.gpkg").arg(mQueryCounter)).toStdString();
    request.outputs = {outputs};
    request.overwrite = true;
    request.workDir = mSession.path().toStdString();

    SegmentationJob job;
    job.kind = SegmentationJob::Kind::Query;
    job.request = request;
    job.window = window;
    job.displayFactor = ProbabilityDisplay(window).factor();
    const int id = mWorker->submit(job);
    Pending p;
    p.input = input;
    p.input.query = query;
    p.request = request;
    p.window = window;
    p.rasterLayerId = raster->id();
    mJobs[id] = p;
    setCurrent(id);
    mSettings->addQuery(query);
    emit progressChanged(-1.0, tr("waiting for the model"));
    return id;
}

void QueryController::cancel()
{
    if (mCurrentJob)
        mWorker->cancel(mCurrentJob);
}

void QueryController::setCurrent(int id)
{
    const bool was = mCurrentJob != 0;
    mCurrentJob = id;
    if (was != (id != 0))
        emit runningChanged(id != 0);
}

void QueryController::onJobStarted(int id)
{
    auto it = mJobs.find(id);
    if (it == mJobs.end())
        return;
    Pending &p = it->second;
    const auto raster = mLayers->rasterLayer(p.rasterLayerId);
    if (!raster)
        return; // the raster was removed meanwhile: the job still runs, its result is dropped
    auto layer = std::make_shared<ResultLayer>(p.input.query, raster->info(), p.request, p.window);
    layer->setColour(nextColour());
    layer->setSourceLayerId(p.rasterLayerId);
    if (mHasModel)
        layer->setModel(mModel.name, mModel.trained);
    p.layerId = mLayers->addLayer(layer);
    mCanvas->setTileGridLayer(p.layerId);
    emit resultStarted(p.layerId);
}

void QueryController::onJobProgress(int id, double fraction, const QString &stage, const QString &)
{
    if (id != mCurrentJob)
        return;
    QString text;
    if (stage == QLatin1String("tiles") || stage == QLatin1String("view")) {
        const auto it = mJobs.find(id);
        const auto layer = it != mJobs.end() ? mLayers->resultLayer(it->second.layerId) : nullptr;
        text = layer ? tr("tile %1 of %2").arg(layer->reportedTiles()).arg(layer->tiles().size()) : tr("tiles");
    } else if (stage == QLatin1String("done")) {
        text = tr("finishing");
    } else {
        text = JobProgressPanel::stageText(stage);
    }
    emit progressChanged(fraction, text);
}

void QueryController::onTile(int id, const TileUpdate &update)
{
    const auto it = mJobs.find(id);
    if (it == mJobs.end())
        return;
    if (const auto layer = mLayers->resultLayer(it->second.layerId)) {
        layer->applyTile(update);
        mLayers->notifyContentChanged(layer->id());
    }
}

void QueryController::onRows(int id, const RowsUpdate &update)
{
    const auto it = mJobs.find(id);
    if (it == mJobs.end())
        return;
    if (const auto layer = mLayers->resultLayer(it->second.layerId)) {
        layer->applyRows(update);
        mLayers->notifyContentChanged(layer->id());
    }
}

void QueryController::onJobFinished(int id, const JobOutcome &outcome)
{
    const auto it = mJobs.find(id);
    if (it == mJobs.end())
        return;
    const Pending p = it->second;
    mJobs.erase(it);
    const auto layer = mLayers->resultLayer(p.layerId);
    if (outcome.status == JobOutcome::Status::Done && layer) {
        if (mHasModel)
            layer->setModel(mModel.name, mModel.trained);
        layer->finish(outcome.result, outcome.seconds);
        mLayers->notifyNameOrInfoChanged(layer->id());
        mLayers->notifyContentChanged(layer->id());
        emit resultFinished(layer->id());
        mMessages->pushMessage(MessageBar::Level::Success, tr("Query finished"),
                               tr("\"%1\": %n polygon(s) in %2 s", nullptr, static_cast<int>(layer->polygonCount()))
                                   .arg(p.input.query)
                                   .arg(QString::number(outcome.seconds, 'f', 1)));
    } else {
        if (layer)
            mLayers->removeLayer(layer->id());
        if (outcome.status == JobOutcome::Status::Failed) {
            mMessages->pushMessage(MessageBar::Level::Error, tr("Query failed"), outcome.error, outcome.details);
            emit queryFailed(outcome.error);
        } else if (outcome.status == JobOutcome::Status::Cancelled && id == mCurrentJob) {
            mMessages->pushMessage(MessageBar::Level::Info, tr("Query cancelled"), p.input.query);
        }
        emit resultRemoved(id);
    }
    if (id == mCurrentJob)
        setCurrent(0);
}

} // namespace rsrefseg
