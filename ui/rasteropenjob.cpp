#include "ui/rasteropenjob.h"

#include "common/error.h"
#include "geo/raster.h"
#include "ui/overviewbuilder.h"
#include "ui/rasterlayer.h"

#include <QFutureWatcher>
#include <QPointer>
#include <QtConcurrent>

namespace rsrefseg {

namespace {

struct OpenResult
{
    std::shared_ptr<RasterLayer> layer;
    QString error;
};

} // namespace

RasterOpenJob::RasterOpenJob(const QString &path, const QString &overviewCacheDir, QObject *parent)
    : QObject(parent)
    , mPath(path)
    , mCacheDir(overviewCacheDir)
    , mCancelled(std::make_shared<std::atomic<bool>>(false))
{
    qRegisterMetaType<std::shared_ptr<rsrefseg::RasterLayer>>();
}

RasterOpenJob::~RasterOpenJob()
{
    // Only reached before the work ended when the owner goes away (application exit):
    // the work stops at its next check and nothing reports to this object afterwards.
    *mCancelled = true;
    if (mWatcher)
        mWatcher->waitForFinished();
}

void RasterOpenJob::start()
{
    const QString path = mPath;
    const QString cacheDir = mCacheDir;
    const std::shared_ptr<std::atomic<bool>> cancelled = mCancelled;
    QPointer<RasterOpenJob> self(this);
    auto *watcher = new QFutureWatcher<OpenResult>(this);
    mWatcher = watcher;
    connect(watcher, &QFutureWatcher<OpenResult>::finished, this, [this, watcher] {
        const OpenResult r = watcher->result();
        if (r.layer)
            emit opened(r.layer);
        else
            emit failed(mPath, r.error);
        deleteLater();
    });
    // Progress crosses to the GUI thread through a queued invocation on this object.
    auto report = [self](const QString &p, double f, const QString &stage) {
        QMetaObject::invokeMethod(
            self.data(),
            [self, p, f, stage] {
                if (self)
                    emit self->progress(p, f, stage);
            },
            Qt::QueuedConnection);
    };
    watcher->setFuture(QtConcurrent::run([path, cacheDir, cancelled, report]() -> OpenResult {
        OpenResult r;
        try {
            report(path, 0.0, tr("reading metadata"));
            const Raster raster = Raster::open(path.toStdString());
            const BandSelection bands = BandSelection::automatic(raster.info());
            report(path, 0.1, tr("computing the contrast stretch"));
            const ContrastStretch stretch = raster.computeStretch(bands, StretchOptions());
            auto layer = std::make_shared<RasterLayer>(raster.info(), bands, stretch);
            if (OverviewBuilder::needsOverviews(raster.info()) && !cacheDir.isEmpty()) {
                const QString vrt = OverviewBuilder::build(raster.info(), cacheDir, [&](double f) {
                    report(path, 0.2 + 0.8 * f, tr("building overviews"));
                    return !cancelled->load();
                });
                layer->setRenderPath(vrt);
            }
            r.layer = layer;
        } catch (const std::exception &e) {
            r.error = QString::fromStdString(e.what());
        }
        return r;
    }));
}

} // namespace rsrefseg
