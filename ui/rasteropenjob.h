// RasterOpenJob: opens a raster for the map off the GUI thread: metadata, band choice,
// contrast stretch (read from overviews or a sample), and for large rasters without
// overviews a pyramid (OverviewBuilder). Delivers a ready RasterLayer, or an error message.
//
//   auto *job = new RasterOpenJob(path, cacheDir, this);
//   connect(job, &RasterOpenJob::opened, this, [=](std::shared_ptr<RasterLayer> l) { layers.addLayer(l); });
//   connect(job, &RasterOpenJob::failed, this, [=](QString path, QString error) { bar.error(...); });
//   job->start();                      // deletes itself after delivering
#pragma once

#include <QObject>

class QFutureWatcherBase;
#include <QString>

#include <atomic>
#include <memory>

namespace rsrefseg {

class RasterLayer;

class RasterOpenJob : public QObject
{
    Q_OBJECT
  public:
    RasterOpenJob(const QString &path, const QString &overviewCacheDir, QObject *parent = nullptr);
    ~RasterOpenJob() override;

    const QString &path() const { return mPath; }
    void start();
    void cancel() { *mCancelled = true; }

  signals:
    void progress(const QString &path, double fraction, const QString &stage);
    void opened(std::shared_ptr<rsrefseg::RasterLayer> layer);
    void failed(const QString &path, const QString &error);

  private:
    QString mPath;
    QString mCacheDir;
    std::shared_ptr<std::atomic<bool>> mCancelled;
    QFutureWatcherBase *mWatcher = nullptr;
};

} // namespace rsrefseg

Q_DECLARE_METATYPE(std::shared_ptr<rsrefseg::RasterLayer>)
