// BenchmarkScene: the scene `rsrefseg bench segment` times reopens as a 3-band Byte GeoTIFF in
// UTM 33N with 0.5 m pixels, tiled 256 x 256 and DEFLATE-compressed, holding the documented
// pattern pixel for pixel (also across a partial last row block); it replaces an old file,
// leaves no temporary files, and a bad size, a missing folder or a full disk (RLIMIT_FSIZE in a
// child process) is one Error naming the path with nothing left behind.
#include "common/childprocess.h"
#include "common/error.h"
#include "geo/benchmarkscene.h"
#include "geo/gdalhandles.h"

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <vector>

#include <sys/resource.h>

using namespace rsrefseg;

namespace {

// The pattern as specified (the figures of earlier releases were measured on it): bright blocks
// where x / 300 % 4 == 1 and y / 200 % 3 == 1, a texture elsewhere.
int expectedValue(int x, int y, int band)
{
    if ((x / 300) % 4 == 1 && (y / 200) % 3 == 1)
        return 230 - 20 * band;
    return 60 + ((x / 7) ^ (y / 11)) % 60 + 10 * band;
}

QStringList entries(const QString &dir)
{
    return QDir(dir).entryList(QDir::Hidden | QDir::AllEntries | QDir::NoDotAndDotDot);
}

} // namespace

class TestBenchmarkScene : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        ensureGdalRegistered();
    }

    void writesTheDocumentedScene()
    {
        const QString sub = mDir.filePath("scene");
        QVERIFY(QDir().mkpath(sub));
        const std::string path = (sub + "/scene.tif").toStdString();
        const int size = 700; // two full row blocks and a partial one
        BenchmarkScene::write(path, size);

        GdalDatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        QVERIFY(ds);
        QCOMPARE(ds->GetRasterXSize(), size);
        QCOMPARE(ds->GetRasterYSize(), size);
        QCOMPARE(ds->GetRasterCount(), 3);
        double gt[6];
        QCOMPARE(ds->GetGeoTransform(gt), CE_None);
        const double expectedGt[6] = {500000.0, 0.5, 0.0, 5000000.0, 0.0, -0.5};
        for (int i = 0; i < 6; ++i)
            QCOMPARE(gt[i], expectedGt[i]);
        const OGRSpatialReference *srs = ds->GetSpatialRef();
        QVERIFY(srs);
        QCOMPARE(QString(srs->GetAuthorityCode(nullptr)), QStringLiteral("32633"));
        QCOMPARE(QString(ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE")), QStringLiteral("DEFLATE"));

        std::vector<uint8_t> row(size);
        int blockPixels = 0;
        for (int b = 1; b <= 3; ++b) {
            GDALRasterBand *band = ds->GetRasterBand(b);
            QCOMPARE(band->GetRasterDataType(), GDT_Byte);
            int bx = 0, by = 0;
            band->GetBlockSize(&bx, &by);
            QCOMPARE(bx, 256);
            QCOMPARE(by, 256);
            for (int y = 0; y < size; ++y) {
                QCOMPARE(band->RasterIO(GF_Read, 0, y, size, 1, row.data(), size, 1, GDT_Byte, 0, 0, nullptr), CE_None);
                for (int x = 0; x < size; ++x) {
                    if (row[x] != expectedValue(x, y, b - 1) || BenchmarkScene::value(x, y, b - 1) != row[x])
                        QFAIL(qPrintable(QString("band %1 pixel (%2, %3): %4, expected %5")
                                             .arg(b).arg(x).arg(y).arg(row[x]).arg(expectedValue(x, y, b - 1))));
                    blockPixels += row[x] == 230 - 20 * (b - 1) ? 1 : 0;
                }
            }
        }
        QVERIFY2(blockPixels >= 3 * 300 * 200, "the scene has its bright blocks");
    }

    void replacesAnOldFileAndLeavesNoTemporaryFiles()
    {
        const QString sub = mDir.filePath("again");
        QVERIFY(QDir().mkpath(sub));
        const std::string path = (sub + "/scene.tif").toStdString();
        BenchmarkScene::write(path, 300);
        BenchmarkScene::write(path, 200);
        QCOMPARE(entries(sub), QStringList{QStringLiteral("scene.tif")});
        GdalDatasetPtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        QVERIFY(ds);
        QCOMPARE(ds->GetRasterXSize(), 200);
    }

    void badInputIsOneClearError()
    {
        const QString sub = mDir.filePath("bad");
        QVERIFY(QDir().mkpath(sub));
        const std::string path = (sub + "/scene.tif").toStdString();
        for (int size : {0, -5}) {
            try {
                BenchmarkScene::write(path, size);
                QFAIL("a non-positive size was accepted");
            } catch (const Error &e) {
                QVERIFY2(QString(e.what()).contains("size must be positive"), e.what());
                QVERIFY2(QString(e.what()).contains(QString::fromStdString(path)), e.what());
            }
        }
        const std::string missing = (sub + "/no/such/folder/scene.tif").toStdString();
        try {
            BenchmarkScene::write(missing, 64);
            QFAIL("a missing folder was accepted");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(missing)), e.what());
        }
        QVERIFY2(entries(sub).isEmpty(), qPrintable(entries(sub).join(",")));
    }

    void aFullDiskLeavesNothing()
    {
        const QString sub = mDir.filePath("full");
        QVERIFY(QDir().mkpath(sub));
        const std::string path = (sub + "/scene.tif").toStdString();
        const ChildProcess::Result r = ChildProcess::run([&] {
            std::signal(SIGXFSZ, SIG_IGN);
            rlimit lim{64 * 1024, 64 * 1024};
            setrlimit(RLIMIT_FSIZE, &lim);
            BenchmarkScene::write(path, 2048);
            return std::string("written");
        });
        QCOMPARE(int(r.status), int(ChildProcess::Status::Failed));
        QVERIFY2(QString::fromStdString(r.text).contains(QString::fromStdString(path)), r.text.c_str());
        QVERIFY(!QFile::exists(QString::fromStdString(path)));
        QVERIFY2(entries(sub).isEmpty(), qPrintable(entries(sub).join(",")));
    }
};

QTEST_GUILESS_MAIN(TestBenchmarkScene)
#include "test_benchmarkscene.moc"
