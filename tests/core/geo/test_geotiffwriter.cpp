// GeoTiffWriter (+ BlockRowReader, RasterGrid): outputs reopen with the source's grid and CRS,
// tiled, DEFLATE-compressed, with the mask palette; rows stream in order; nothing appears at
// the path before commit, and write errors (a full disk, simulated with RLIMIT_FSIZE in a child
// process: the same write() failure path) leave nothing behind.
#include "crswkt.h"
#include "common/error.h"
#include "geo/blockrowreader.h"
#include "geo/geotiffwriter.h"
#include "geo/rastergrid.h"

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>
#include <random>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace rsrefseg;

namespace {

std::string utmWkt()
{
    return rsrefseg::test::wktOfEpsg(32633);
}

RasterGrid utmGrid(int w, int h)
{
    RasterGrid g;
    g.width = w;
    g.height = h;
    g.transform = GeoTransform({500000.0, 0.5, 0.0, 5000000.0, 0.0, -0.5});
    g.crsWkt = utmWkt();
    return g;
}

QStringList leftovers(const QString &dir)
{
    return QDir(dir).entryList(QStringList() << ".*", QDir::Hidden | QDir::AllEntries | QDir::NoDotAndDotDot);
}

} // namespace

class TestGeoTiffWriter : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

    std::string path(const char *name) { return mDir.filePath(name).toStdString(); }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        GDALAllRegister();
    }

    void maskRoundTrip()
    {
        const std::string p = path("mask.tif");
        const RasterGrid grid = utmGrid(300, 517); // not a multiple of the 256 block
        GeoTiffWriter::Options o;
        o.noData = 255;
        o.colors = GeoTiffWriter::maskColors();
        o.metadata = {{"RSREFSEG_QUERY", "tanks"}};
        {
            GeoTiffWriter w(p, grid, o);
            // Uneven chunks across block boundaries.
            int y = 0;
            const int chunks[] = {1, 100, 200, 3, 213};
            for (int n : chunks) {
                cv::Mat rows(n, grid.width, CV_8UC1);
                for (int r = 0; r < n; ++r)
                    for (int x = 0; x < grid.width; ++x)
                        rows.at<uint8_t>(r, x) = static_cast<uint8_t>((x + y + r) % 3 == 0 ? 255 : (x + y + r) % 2);
                w.writeRows(y, rows);
                y += n;
            }
            QCOMPARE(y, grid.height);
            QVERIFY(!QFile::exists(QString::fromStdString(p))); // not before commit
            w.commit();
        }
        QVERIFY(leftovers(mDir.path()).isEmpty());

        GDALDataset *ds = GDALDataset::FromHandle(GDALOpen(p.c_str(), GA_ReadOnly));
        QVERIFY(ds);
        QCOMPARE(ds->GetRasterXSize(), 300);
        QCOMPARE(ds->GetRasterYSize(), 517);
        double gt[6];
        QCOMPARE(ds->GetGeoTransform(gt), CE_None);
        for (int i = 0; i < 6; ++i)
            QCOMPARE(gt[i], grid.transform.coefficients()[static_cast<size_t>(i)]);
        OGRSpatialReference srs(*ds->GetSpatialRef());
        srs.AutoIdentifyEPSG();
        QCOMPARE(QString(srs.GetAuthorityCode(nullptr)), QString("32633"));
        GDALRasterBand *b = ds->GetRasterBand(1);
        QCOMPARE(b->GetRasterDataType(), GDT_Byte);
        int hasNd = 0;
        QCOMPARE(b->GetNoDataValue(&hasNd), 255.0);
        QVERIFY(hasNd);
        int bx = 0;
        int by = 0;
        b->GetBlockSize(&bx, &by);
        QCOMPARE(bx, 256);
        QCOMPARE(by, 256);
        QCOMPARE(QString(ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE")), QString("DEFLATE"));
        QCOMPARE(QString(ds->GetMetadataItem("RSREFSEG_QUERY")), QString("tanks"));
        GDALColorTable *ct = b->GetColorTable();
        QVERIFY(ct);
        QCOMPARE(b->GetColorInterpretation(), GCI_PaletteIndex);
        QCOMPARE(ct->GetColorEntry(1)->c1, short(255));
        QCOMPARE(ct->GetColorEntry(1)->c4, short(255));
        QCOMPARE(ct->GetColorEntry(1)->c2, short(64));
        QCOMPARE(ct->GetColorEntry(0)->c1, short(0));
        QCOMPARE(QString(ds->GetMetadataItem("VALUE_1")), QString("object"));
        GDALClose(ds);
        QVERIFY2(!QFile::exists(QString::fromStdString(p + ".aux.xml")), "a single file, no side car");
        ds = GDALDataset::FromHandle(GDALOpen(p.c_str(), GA_ReadOnly));
        b = ds->GetRasterBand(1);
        std::vector<uint8_t> data(300 * 517);
        QCOMPARE(b->RasterIO(GF_Read, 0, 0, 300, 517, data.data(), 300, 517, GDT_Byte, 0, 0), CE_None);
        for (int y = 0; y < 517; ++y)
            for (int x = 0; x < 300; ++x) {
                const uint8_t e = static_cast<uint8_t>((x + y) % 3 == 0 ? 255 : (x + y) % 2);
                if (data[static_cast<size_t>(y * 300 + x)] != e)
                    QFAIL(qPrintable(QString("pixel %1,%2").arg(x).arg(y)));
            }
        GDALClose(ds);

        // BlockRowReader reads it back in blocks.
        BlockRowReader reader(p, 1, CV_8UC1, 128);
        cv::Mat rows;
        int y0 = 0;
        int expectedY = 0;
        int blocks = 0;
        while (reader.next(rows, y0)) {
            QCOMPARE(y0, expectedY);
            QVERIFY(rows.rows <= 128);
            for (int r = 0; r < rows.rows; ++r)
                QCOMPARE(int(rows.at<uint8_t>(r, 7)), int(data[static_cast<size_t>((y0 + r) * 300 + 7)]));
            expectedY += rows.rows;
            ++blocks;
        }
        QCOMPARE(expectedY, 517);
        QCOMPARE(blocks, 5);
    }

    void floatAndInt()
    {
        const RasterGrid grid = utmGrid(70, 40);
        GeoTiffWriter::Options fo;
        fo.type = GeoTiffWriter::DataType::Float32;
        fo.noData = -1.0;
        GeoTiffWriter::Options io;
        io.type = GeoTiffWriter::DataType::Int32;
        {
            GeoTiffWriter f(path("prob.tif"), grid, fo);
            GeoTiffWriter i(path("labels.tif"), grid, io);
            cv::Mat fr(grid.height, grid.width, CV_32FC1);
            cv::Mat ir(grid.height, grid.width, CV_32SC1);
            for (int y = 0; y < grid.height; ++y)
                for (int x = 0; x < grid.width; ++x) {
                    fr.at<float>(y, x) = static_cast<float>(x) / 70.0f - static_cast<float>(y) * 1e-3f;
                    ir.at<int32_t>(y, x) = x * 100000 + y;
                }
            f.writeRows(0, fr);
            i.writeRows(0, ir);
            f.commit();
            i.commit();
        }
        BlockRowReader rf(path("prob.tif"), 1, CV_32FC1);
        BlockRowReader ri(path("labels.tif"), 1, CV_32SC1);
        cv::Mat a;
        cv::Mat b;
        int y0 = 0;
        QVERIFY(rf.next(a, y0));
        QVERIFY(ri.next(b, y0));
        QCOMPARE(a.at<float>(39, 69), 69.0f / 70.0f - 39.0f * 1e-3f);
        QCOMPARE(b.at<int32_t>(39, 69), 69 * 100000 + 39);
    }

    void validityMask()
    {
        const RasterGrid grid = utmGrid(20, 10);
        GeoTiffWriter::Options o;
        o.validityMask = true;
        {
            GeoTiffWriter w(path("masked.tif"), grid, o);
            cv::Mat rows(10, 20, CV_8UC1, cv::Scalar::all(200));
            cv::Mat valid(10, 20, CV_8UC1, cv::Scalar::all(255));
            valid(cv::Rect(0, 0, 5, 10)).setTo(cv::Scalar::all(0));
            w.writeRows(0, rows, valid);
            w.commit();
        }
        GDALDataset *ds = GDALDataset::FromHandle(GDALOpen(path("masked.tif").c_str(), GA_ReadOnly));
        QVERIFY(ds);
        GDALRasterBand *b = ds->GetRasterBand(1);
        QCOMPARE(b->GetMaskFlags(), GMF_PER_DATASET);
        uint8_t m[20];
        QCOMPARE(b->GetMaskBand()->RasterIO(GF_Read, 0, 3, 20, 1, m, 20, 1, GDT_Byte, 0, 0), CE_None);
        QCOMPARE(int(m[4]), 0);
        QVERIFY(m[5] != 0);
        GDALClose(ds);
        QVERIFY2(!QFile::exists(mDir.filePath("masked.tif.msk")), "the mask must be internal");
    }

    void refusals()
    {
        const RasterGrid grid = utmGrid(10, 10);
        GeoTiffWriter::Options o;
        const std::string p = path("partial.tif");
        {
            GeoTiffWriter w(p, grid, o);
            w.writeRows(0, cv::Mat(3, 10, CV_8UC1, cv::Scalar::all(1)));
            QVERIFY_EXCEPTION_THROWN(w.writeRows(5, cv::Mat(1, 10, CV_8UC1)), Error);      // gap
            QVERIFY_EXCEPTION_THROWN(w.writeRows(3, cv::Mat(1, 9, CV_8UC1)), Error);       // width
            QVERIFY_EXCEPTION_THROWN(w.writeRows(3, cv::Mat(1, 10, CV_32FC1)), Error);     // type
            QVERIFY_EXCEPTION_THROWN(w.commit(), Error);                                   // rows missing
        }
        QVERIFY(!QFile::exists(QString::fromStdString(p)));
        QVERIFY(leftovers(mDir.path()).isEmpty());

        // Existing file: refused unless overwrite, and left untouched.
        const std::string e = path("exists.tif");
        {
            QFile f(QString::fromStdString(e));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("keep");
        }
        QVERIFY_EXCEPTION_THROWN(GeoTiffWriter(e, grid, o), Error);
        QCOMPARE(QFileInfo(QString::fromStdString(e)).size(), qint64(4));
        o.overwrite = true;
        {
            GeoTiffWriter w(e, grid, o);
            w.writeRows(0, cv::Mat(10, 10, CV_8UC1, cv::Scalar::all(1)));
            w.commit();
        }
        QVERIFY(QFileInfo(QString::fromStdString(e)).size() > 4);
        // Missing folder.
        QVERIFY_EXCEPTION_THROWN(GeoTiffWriter(path("nope/x.tif"), grid, o), Error);
    }

    // A full disk: the child may write only 64 KiB per file; incompressible data does not fit.
    void diskFull()
    {
        const QString sub = mDir.filePath("full");
        QVERIFY(QDir().mkpath(sub));
        const std::string p = (sub + "/big.tif").toStdString();
        const pid_t pid = fork();
        QVERIFY(pid >= 0);
        if (pid == 0) {
            std::signal(SIGXFSZ, SIG_IGN);
            rlimit lim{64 * 1024, 64 * 1024};
            setrlimit(RLIMIT_FSIZE, &lim);
            int code = 1;
            try {
                GeoTiffWriter::Options o;
                GeoTiffWriter w(p, utmGrid(1024, 1024), o);
                std::mt19937 rng(7);
                cv::Mat rows(1024, 1024, CV_8UC1);
                for (int y = 0; y < 1024; ++y)
                    for (int x = 0; x < 1024; ++x)
                        rows.at<uint8_t>(y, x) = static_cast<uint8_t>(rng());
                w.writeRows(0, rows);
                w.commit();
                code = 2; // no error seen: wrong
            } catch (const Error &e) {
                code = std::string(e.what()).find(p) != std::string::npos ? 0 : 3;
            }
            _exit(code);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
        QVERIFY(!QFile::exists(QString::fromStdString(p)));
        QVERIFY2(leftovers(sub).isEmpty(), qPrintable(leftovers(sub).join(",")));
    }

    void gridOfWindow()
    {
        RasterInfo info;
        info.path = "x.tif";
        info.width = 100;
        info.height = 80;
        info.hasGeoTransform = true;
        info.geoTransform = GeoTransform({1000.0, 2.0, 0.0, 5000.0, 0.0, -2.0});
        info.crsWkt = utmWkt();
        const RasterGrid g = RasterGrid::ofWindow(info, {10, 20, 30, 40});
        QCOMPARE(g.width, 30);
        QCOMPARE(g.height, 40);
        QCOMPARE(g.transform.coefficients()[0], 1020.0);
        QCOMPARE(g.transform.coefficients()[3], 4960.0);
        QCOMPARE(g.transform.coefficients()[1], 2.0);
        QVERIFY(g.hasTransform);
        QVERIFY(RasterGrid::of(info).sameAs(RasterGrid::ofWindow(info, {0, 0, 100, 80})));
        QVERIFY_EXCEPTION_THROWN(RasterGrid::ofWindow(info, {90, 0, 20, 10}), Error);
        // No georeference: the whole raster keeps none; a window gets shifted pixel coordinates.
        info.hasGeoTransform = false;
        info.crsWkt.clear();
        info.geoTransform = GeoTransform::pixelCoordinates();
        QVERIFY(!RasterGrid::of(info).hasTransform);
        const RasterGrid w = RasterGrid::ofWindow(info, {5, 6, 10, 10});
        QVERIFY(w.hasTransform);
        QCOMPARE(w.transform.pixelToMap(0, 0).first, 5.0);
        QCOMPARE(w.transform.pixelToMap(0, 0).second, -6.0);
    }
};

QTEST_GUILESS_MAIN(TestGeoTiffWriter)
#include "test_geotiffwriter.moc"
