#include "ui/canvasrenderjob.h"

#include "common/error.h"
#include "geo/raster.h"

#include <QElapsedTimer>
#include <QPainter>
#include <QRunnable>
#include <QThreadPool>

#include <algorithm>
#include <cmath>

namespace rsrefseg {

struct CanvasRenderJob::Shared
{
    MapViewport viewport;
    std::vector<RasterRenderItem> items;
    std::atomic<bool> cancelled{false};
    std::atomic<bool> finished{false};
    mutable std::mutex mutex;
    QImage image;
    QStringList errors;
    double seconds = 0.0;
    std::vector<long long> pixelsRead;
};

CanvasRenderJob::CanvasRenderJob(const MapViewport &viewport, std::vector<RasterRenderItem> items, QObject *parent)
    : QObject(parent)
    , mViewport(viewport)
    , mShared(std::make_shared<Shared>())
{
    mShared->viewport = viewport;
    mShared->items = std::move(items);
    mShared->pixelsRead.assign(mShared->items.size(), 0);
    mShared->image = QImage(std::max(1, viewport.size().width()), std::max(1, viewport.size().height()),
                            QImage::Format_ARGB32_Premultiplied);
    mShared->image.fill(Qt::transparent);
}

CanvasRenderJob::~CanvasRenderJob()
{
    mShared->cancelled = true;
}

void CanvasRenderJob::start(QThreadPool *pool)
{
    std::shared_ptr<Shared> shared = mShared;
    // The runnable keeps the shared state alive; the job object outlives it because its owner
    // waits for finished() (or for the pool) before deleting it.
    pool->start(QRunnable::create([shared, this] { run(shared, this); }));
}

void CanvasRenderJob::cancel() { mShared->cancelled = true; }
bool CanvasRenderJob::isCancelled() const { return mShared->cancelled; }
bool CanvasRenderJob::isFinished() const { return mShared->finished; }

QImage CanvasRenderJob::image() const
{
    std::lock_guard<std::mutex> lock(mShared->mutex);
    return mShared->image;
}

QStringList CanvasRenderJob::errors() const
{
    std::lock_guard<std::mutex> lock(mShared->mutex);
    return mShared->errors;
}

double CanvasRenderJob::seconds() const
{
    std::lock_guard<std::mutex> lock(mShared->mutex);
    return mShared->seconds;
}

std::vector<long long> CanvasRenderJob::pixelsRead() const
{
    std::lock_guard<std::mutex> lock(mShared->mutex);
    return mShared->pixelsRead;
}

namespace {

QImage toImage(const RgbImage &img)
{
    QImage out(img.rgb.cols, img.rgb.rows, QImage::Format_ARGB32_Premultiplied);
    for (int y = 0; y < img.rgb.rows; ++y) {
        const unsigned char *s = img.rgb.ptr<unsigned char>(y);
        const unsigned char *v = img.valid.ptr<unsigned char>(y);
        QRgb *o = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < img.rgb.cols; ++x)
            o[x] = v[x] ? qRgb(s[3 * x], s[3 * x + 1], s[3 * x + 2]) : 0;
    }
    return out;
}

} // namespace

void CanvasRenderJob::run(const std::shared_ptr<Shared> &shared, CanvasRenderJob *job)
{
    QElapsedTimer timer;
    timer.start();
    const MapViewport &vp = shared->viewport;
    const QSize size = vp.size();

    // Blocks ordered from the centre outwards: what the user looks at appears first.
    struct Block
    {
        QRect rect;
        double distance;
    };
    std::vector<Block> blocks;
    for (int y = 0; y < size.height(); y += kBlockSize)
        for (int x = 0; x < size.width(); x += kBlockSize) {
            const QRect r(x, y, std::min(kBlockSize, size.width() - x), std::min(kBlockSize, size.height() - y));
            const QPointF d = QPointF(r.center()) - QPointF(size.width() / 2.0, size.height() / 2.0);
            blocks.push_back({r, d.x() * d.x() + d.y() * d.y()});
        }
    std::sort(blocks.begin(), blocks.end(), [](const Block &a, const Block &b) { return a.distance < b.distance; });

    // One Raster per item, opened on this thread (GDAL datasets are not thread-safe).
    std::vector<std::unique_ptr<Raster>> rasters(shared->items.size());
    QStringList errors;
    for (size_t i = 0; i < shared->items.size(); ++i) {
        try {
            rasters[i] = std::make_unique<Raster>(Raster::open(shared->items[i].path.toStdString()));
        } catch (const std::exception &e) {
            errors << QString::fromStdString(e.what());
        }
    }

    QImage canvas(size, QImage::Format_ARGB32_Premultiplied);
    canvas.fill(Qt::transparent);
    std::vector<long long> pixels(shared->items.size(), 0);
    qint64 lastUpdate = 0;
    for (const Block &b : blocks) {
        if (shared->cancelled)
            break;
        QPainter painter(&canvas);
        painter.setClipRect(b.rect);
        for (size_t i = 0; i < shared->items.size(); ++i) {
            if (!rasters[i] || shared->cancelled)
                continue;
            const RasterRenderItem &item = shared->items[i];
            const RasterInfo &info = rasters[i]->info();
            try {
                // The block's map rectangle -> source pixels (bounding box of its corners).
                const MapBox m = vp.toMap(QRectF(b.rect));
                double c0 = 1e300, c1 = -1e300, r0 = 1e300, r1 = -1e300;
                for (const auto &c : {QPointF(m.minX, m.minY), QPointF(m.maxX, m.minY), QPointF(m.minX, m.maxY),
                                      QPointF(m.maxX, m.maxY)}) {
                    const auto p = info.geoTransform.mapToPixel(c.x(), c.y());
                    c0 = std::min(c0, p.first);
                    c1 = std::max(c1, p.first);
                    r0 = std::min(r0, p.second);
                    r1 = std::max(r1, p.second);
                }
                const int x0 = std::max(0, static_cast<int>(std::floor(c0)));
                const int y0 = std::max(0, static_cast<int>(std::floor(r0)));
                const int x1 = std::min(info.width, static_cast<int>(std::ceil(c1)));
                const int y1 = std::min(info.height, static_cast<int>(std::ceil(r1)));
                if (x1 <= x0 || y1 <= y0)
                    continue;
                const PixelWindow window{x0, y0, x1 - x0, y1 - y0};
                // Where that window lands on screen, and how many screen pixels it covers.
                const auto tl = info.geoTransform.pixelToMap(x0, y0);
                const auto br = info.geoTransform.pixelToMap(x1, y1);
                const QRectF target = QRectF(vp.toScreen(QPointF(tl.first, tl.second)),
                                             vp.toScreen(QPointF(br.first, br.second)))
                                          .normalized();
                const bool zoomedOut = target.width() < window.width || target.height() < window.height;
                const int outW = zoomedOut ? std::max(1, static_cast<int>(std::ceil(target.width()))) : window.width;
                const int outH = zoomedOut ? std::max(1, static_cast<int>(std::ceil(target.height()))) : window.height;
                const RgbImage rgb = rasters[i]->readRgb8(window, outW, outH, item.bands, item.stretch,
                                                          zoomedOut ? Raster::Resampling::Average
                                                                    : Raster::Resampling::Nearest);
                pixels[i] += static_cast<long long>(outW) * outH;
                painter.setOpacity(item.opacity);
                // Zoomed in: sharp pixels, as QGIS draws them.
                painter.setRenderHint(QPainter::SmoothPixmapTransform, zoomedOut);
                painter.drawImage(target, toImage(rgb));
            } catch (const std::exception &e) {
                errors << QString::fromStdString(e.what());
                rasters[i].reset(); // one message per layer
            }
        }
        painter.end();
        if (timer.elapsed() - lastUpdate > 120) {
            lastUpdate = timer.elapsed();
            {
                std::lock_guard<std::mutex> lock(shared->mutex);
                shared->image = canvas;
            }
            if (!shared->cancelled)
                emit job->updated();
        }
    }
    {
        std::lock_guard<std::mutex> lock(shared->mutex);
        shared->image = canvas;
        shared->errors = errors;
        shared->seconds = timer.elapsed() / 1000.0;
        shared->pixelsRead = pixels;
    }
    shared->finished = true;
    emit job->finished();
}

} // namespace rsrefseg
