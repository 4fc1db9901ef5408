// CanvasRenderJob: draws the raster layers of one map view into an image on a thread pool
// (QGIS's QgsMapRendererJob): start() returns at once, the image fills in block by block
// from the centre out (updated() signals, at most ~8 per second, for progressive display),
// cancel() returns at once and the job stops at its next block. Reads go through GDAL with
// output sizes that match the view, so zoomed-out views come from the raster's overviews;
// the full resolution is read only when the view is at (or beyond) native resolution.
// Errors are collected as text (errors()), never thrown across threads.
//
//   auto *job = new CanvasRenderJob(viewport, items, this);
//   connect(job, &CanvasRenderJob::finished, this, [=] { show(job->image()); job->deleteLater(); });
//   job->start(&pool);
#pragma once

#include "geo/bandselection.h"
#include "geo/contraststretch.h"
#include "geo/rasterinfo.h"
#include "ui/mapviewport.h"

#include <QImage>
#include <QObject>
#include <QStringList>

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

class QThreadPool;

namespace rsrefseg {

struct RasterRenderItem
{
    int layerId = 0;
    QString path; // what to read (may be an overview VRT)
    RasterInfo info;
    BandSelection bands;
    ContrastStretch stretch;
    double opacity = 1.0;
};

class CanvasRenderJob : public QObject
{
    Q_OBJECT
  public:
    // Items bottom-up (drawn in this order).
    CanvasRenderJob(const MapViewport &viewport, std::vector<RasterRenderItem> items, QObject *parent = nullptr);
    ~CanvasRenderJob() override;

    void start(QThreadPool *pool);
    void cancel();
    bool isCancelled() const;
    bool isFinished() const;

    const MapViewport &viewport() const { return mViewport; }
    QImage image() const;     // the latest state (complete after finished())
    QStringList errors() const;
    double seconds() const;   // render time (after finished())
    // Pixels read from GDAL per item (after finished()): tests check overview use with it.
    std::vector<long long> pixelsRead() const;

    static constexpr int kBlockSize = 256;

  signals:
    void updated();
    void finished();

  private:
    struct Shared;
    static void run(const std::shared_ptr<Shared> &shared, CanvasRenderJob *job);

    MapViewport mViewport;
    std::shared_ptr<Shared> mShared;
};

} // namespace rsrefseg
