#include "uitestsupport.h"

#include "tinybundle.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QDirIterator>
#include <QTest>
#include <QThread>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <stdexcept>
#include <vector>

namespace uitest {

void writeRedSquareRaster(const QString &path, int size, int x0, int y0, int side, int epsg)
{
    GDALAllRegister();
    GDALDriver *driver = GetGDALDriverManager()->GetDriverByName("GTiff");
    GDALDataset *ds = driver->Create(path.toUtf8().constData(), size, size, 3, GDT_Byte, nullptr);
    if (!ds)
        throw std::runtime_error("cannot create " + path.toStdString());
    double gt[6] = {500000.0, 0.5, 0.0, 5000000.0, 0.0, -0.5};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    ds->SetSpatialRef(&srs);
    std::vector<unsigned char> band(static_cast<size_t>(size) * size);
    for (int b = 0; b < 3; ++b) {
        for (int y = 0; y < size; ++y)
            for (int x = 0; x < size; ++x) {
                const bool in = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
                band[static_cast<size_t>(y) * size + x] = in ? (b == 0 ? 255 : 0) : 40;
            }
        if (ds->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, 0, size, size, band.data(), size, size, GDT_Byte, 0, 0) !=
            CE_None)
            throw std::runtime_error("cannot write " + path.toStdString());
        ds->GetRasterBand(b + 1)->SetColorInterpretation(static_cast<GDALColorInterp>(GCI_RedBand + b));
    }
    GDALClose(ds);
}

void buildTinyBundle(const QString &dir)
{
    buildTinyBundleAt(dir.toStdString());
}

SlowModel::SlowModel(int decode, int encode, int inputSize)
    : rsrefseg::ColourTestModel({inputSize, 8, "slow-colour-test"})
    , decodeMs(decode)
    , encodeMs(encode)
{
}

std::vector<rsrefseg::FeaturesPtr> SlowModel::encodeImages(const std::vector<cv::Mat> &rgb)
{
    QThread::msleep(static_cast<unsigned long>(encodeMs.load()));
    return ColourTestModel::encodeImages(rgb);
}

rsrefseg::ModelOutput SlowModel::decode(const rsrefseg::FeaturesPtr &image, const rsrefseg::FeaturesPtr &text)
{
    QThread::msleep(static_cast<unsigned long>(decodeMs.load()));
    return ColourTestModel::decode(image, text);
}

GatedModel::GatedModel(int inputSize)
    : rsrefseg::ColourTestModel({inputSize, 8, "gated-colour-test"})
{
}

std::vector<rsrefseg::FeaturesPtr> GatedModel::encodeImages(const std::vector<cv::Mat> &rgb)
{
    {
        QMutexLocker lock(&mMutex);
        mThreads.insert(QThread::currentThreadId());
    }
    return ColourTestModel::encodeImages(rgb);
}

rsrefseg::ModelOutput GatedModel::decode(const rsrefseg::FeaturesPtr &image, const rsrefseg::FeaturesPtr &text)
{
    {
        QMutexLocker lock(&mMutex);
        mThreads.insert(QThread::currentThreadId());
        ++mWaiting;
        mChanged.wakeAll();
        while (!mOpen && mPermits == 0)
            mChanged.wait(&mMutex);
        if (!mOpen)
            --mPermits;
        --mWaiting;
    }
    return ColourTestModel::decode(image, text);
}

bool GatedModel::waitUntilDecoding(int timeoutMs)
{
    QMutexLocker lock(&mMutex);
    QDeadlineTimer deadline(timeoutMs);
    while (!(mWaiting > 0 && mPermits == 0) && !mOpen)
        if (!mChanged.wait(&mMutex, deadline))
            break;
    return mWaiting > 0 && mPermits == 0 && !mOpen;
}

void GatedModel::allow(int decodes)
{
    QMutexLocker lock(&mMutex);
    mPermits += decodes;
    mChanged.wakeAll();
}

void GatedModel::open()
{
    QMutexLocker lock(&mMutex);
    mOpen = true;
    mChanged.wakeAll();
}

bool GatedModel::ranOn(Qt::HANDLE thread) const
{
    QMutexLocker lock(&mMutex);
    return mThreads.contains(thread);
}

rsrefseg::SegmentationWorker::ModelFactory fixedFactory(std::shared_ptr<rsrefseg::SegmentationModel> model, int loadMs)
{
    return [model, loadMs](const rsrefseg::ModelSpec &, const std::function<bool(double)> &progress) {
        for (int i = 0; i < 10; ++i) {
            QThread::msleep(static_cast<unsigned long>(loadMs / 10));
            if (progress)
                progress((i + 1) / 10.0);
        }
        return model;
    };
}

QStringList allEntries(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        out << QDir(dir).relativeFilePath(it.next());
    return out;
}

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    return QTest::qWaitFor(done, timeoutMs);
}

bool waitForSignals(const QSignalSpy &spy, int count, int timeoutMs)
{
    return QTest::qWaitFor([&spy, count] { return spy.size() >= count; }, timeoutMs);
}

} // namespace uitest
