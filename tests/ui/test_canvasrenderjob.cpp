// CanvasRenderJob: draws a raster for a view in the background; zoomed-out views are read
// from the overviews (never full resolution); cancel returns at once and stops the job; a
// large raster without overviews gets a pyramid from OverviewBuilder.
#include "ui/canvasrenderjob.h"
#include "ui/overviewbuilder.h"

#include "geo/raster.h"
#include "uitestsupport.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <gdal_priv.h>

using namespace rsrefseg;

namespace {

// A raster whose full resolution is red and whose overviews are blue: what the canvas shows
// tells which level it read.
void writeRedWithBlueOverviews(const QString &path, int size)
{
    GDALAllRegister();
    GDALDataset *ds = GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.toUtf8().constData(), size, size,
                                                                             3, GDT_Byte, nullptr);
    double gt[6] = {0.0, 1.0, 0.0, 0.0, 0.0, -1.0};
    ds->SetGeoTransform(gt);
    std::vector<unsigned char> row(static_cast<size_t>(size));
    for (int b = 1; b <= 3; ++b) {
        std::fill(row.begin(), row.end(), b == 1 ? 255 : 0);
        for (int y = 0; y < size; ++y)
            QVERIFY2(ds->GetRasterBand(b)->RasterIO(GF_Write, 0, y, size, 1, row.data(), size, 1, GDT_Byte, 0, 0) ==
                         CE_None,
                     "write");
    }
    int levels[] = {2, 4, 8, 16};
    QVERIFY(ds->BuildOverviews("NEAREST", 4, levels, 0, nullptr, nullptr, nullptr) == CE_None);
    for (int b = 1; b <= 3; ++b)
        for (int o = 0; o < ds->GetRasterBand(b)->GetOverviewCount(); ++o) {
            GDALRasterBand *ov = ds->GetRasterBand(b)->GetOverview(o);
            std::vector<unsigned char> buf(static_cast<size_t>(ov->GetXSize()) * ov->GetYSize(), b == 3 ? 255 : 0);
            QVERIFY(ov->RasterIO(GF_Write, 0, 0, ov->GetXSize(), ov->GetYSize(), buf.data(), ov->GetXSize(),
                                 ov->GetYSize(), GDT_Byte, 0, 0) == CE_None);
        }
    GDALClose(ds);
}

RasterRenderItem itemFor(const QString &path)
{
    const Raster r = Raster::open(path.toStdString());
    return {1, path, r.info(), BandSelection::automatic(r.info()), ContrastStretch::identity(3), 1.0};
}

QImage render(const MapViewport &v, const RasterRenderItem &item, QThreadPool *pool, CanvasRenderJob **keep = nullptr)
{
    auto *job = new CanvasRenderJob(v, {item});
    QSignalSpy done(job, &CanvasRenderJob::finished);
    job->start(pool);
    if (!uitest::waitForSignals(done, 1, 30000)) // finished() comes from a pool thread
        return QImage();
    const QImage img = job->image();
    if (keep)
        *keep = job;
    else
        delete job;
    return img;
}

} // namespace

class TestCanvasRenderJob : public QObject
{
    Q_OBJECT
  private:
    QTemporaryDir mDir;
    QThreadPool mPool;

  private slots:
    void zoomedOutReadsOverviewsZoomedInReadsFullResolution()
    {
        const QString path = mDir.filePath(QStringLiteral("pyramid.tif"));
        writeRedWithBlueOverviews(path, 2048);
        const RasterRenderItem item = itemFor(path);

        MapViewport out;
        out.setSize(QSize(256, 256));
        out.zoomToExtent({0, -2048, 2048, 0}, 0.0);
        CanvasRenderJob *job = nullptr;
        const QImage zoomedOut = render(out, item, &mPool, &job);
        QVERIFY(!zoomedOut.isNull());
        QCOMPARE(QColor(zoomedOut.pixel(128, 128)), QColor(0, 0, 255)); // an overview
        // Only about the view's pixels were requested, not 2048 x 2048.
        QVERIFY(job->pixelsRead().front() <= 2 * 256 * 256);
        delete job;

        MapViewport in;
        in.setSize(QSize(200, 200));
        in.setCenter(QPointF(1000, -1000));
        in.setResolution(0.5); // 2 screen pixels per raster pixel
        const QImage zoomedIn = render(in, item, &mPool);
        QCOMPARE(QColor(zoomedIn.pixel(100, 100)), QColor(255, 0, 0)); // full resolution
    }

    void outsideTheRasterStaysTransparent()
    {
        const QString path = mDir.filePath(QStringLiteral("square.tif"));
        uitest::writeRedSquareRaster(path, 64, 0, 0, 64);
        RasterRenderItem item = itemFor(path);
        MapViewport v;
        v.setSize(QSize(100, 100));
        v.setCenter(QPointF(500000 + 16, 5000000 - 16)); // the raster's centre
        v.setResolution(0.5);                               // native: 32 m across the view
        const QImage img = render(v, item, &mPool);
        QCOMPARE(qAlpha(img.pixel(50, 50)), 255);
        QCOMPARE(qAlpha(img.pixel(5, 5)), 0); // beyond the raster's top-left corner
    }

    void cancelReturnsAtOnceAndStops()
    {
        const QString path = mDir.filePath(QStringLiteral("big.tif"));
        uitest::writeRedSquareRaster(path, 4000, 0, 0, 10);
        const RasterRenderItem item = itemFor(path);
        MapViewport v;
        v.setSize(QSize(2000, 2000));
        v.setCenter(QPointF(500000 + 1000, 5000000 - 1000));
        v.setResolution(0.5); // native resolution: 64 blocks of full-resolution reads
        // The pool's only thread is held until the job has been cancelled: the order of events
        // is fixed, not left to timing.
        QThreadPool pool;
        pool.setMaxThreadCount(1);
        QSemaphore hold;
        pool.start([&hold] { hold.acquire(); });
        auto *job = new CanvasRenderJob(v, {item});
        QSignalSpy done(job, &CanvasRenderJob::finished);
        job->start(&pool);
        job->cancel(); // returns while the job cannot even have started: cancel never waits
        QVERIFY(!job->isFinished());
        QCOMPARE(done.size(), 0);
        hold.release();
        QVERIFY(uitest::waitForSignals(done, 1, 30000));
        QVERIFY(job->isCancelled());
        // The job stopped: not one block was read or drawn.
        QCOMPARE(job->pixelsRead().front(), 0LL);
        const QImage img = job->image();
        QCOMPARE(qAlpha(img.pixel(1000, 1000)), 0);
        QCOMPARE(img, [&] {
            QImage empty(img.size(), img.format());
            empty.fill(Qt::transparent);
            return empty;
        }());
        delete job;
        // Uncancelled, the same job reads the whole view (so the zero above means something).
        CanvasRenderJob *full = nullptr;
        QVERIFY(!render(v, item, &pool, &full).isNull());
        QVERIFY(full->pixelsRead().front() > 3000000LL); // about the 2000 x 2000 pixels in view
        delete full;
    }

    void overviewBuilderMakesAPyramidWithoutTouchingTheSource()
    {
        const QString path = mDir.filePath(QStringLiteral("flat.tif"));
        uitest::writeRedSquareRaster(path, 3000, 0, 0, 3000);
        const Raster r = Raster::open(path.toStdString());
        QVERIFY(OverviewBuilder::needsOverviews(r.info()));
        const QDateTime before = QFileInfo(path).lastModified();
        const QString vrt = OverviewBuilder::build(r.info(), mDir.filePath(QStringLiteral("cache")));
        QVERIFY(QFileInfo::exists(vrt));
        QVERIFY(QFileInfo::exists(vrt + QStringLiteral(".ovr")));
        QVERIFY(!QFileInfo::exists(path + QStringLiteral(".ovr")));
        QCOMPARE(QFileInfo(path).lastModified(), before);
        const Raster v = Raster::open(vrt.toStdString());
        QVERIFY(!v.info().bands.front().overviews.empty());
        QVERIFY(!OverviewBuilder::needsOverviews(v.info()));
        // Built once: a second call returns the same files.
        QCOMPARE(OverviewBuilder::build(r.info(), mDir.filePath(QStringLiteral("cache"))), vrt);
    }
};

QTEST_MAIN(TestCanvasRenderJob)
#include "test_canvasrenderjob.moc"
