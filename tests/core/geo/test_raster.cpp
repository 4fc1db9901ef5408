// Raster: metadata, band selection, stretch and RGB reads on rasters the test writes itself.
#include "rastermaker.h"

#include "common/error.h"
#include "geo/raster.h"

#include <QTemporaryDir>
#include <QtTest>

#include <opencv2/core.hpp>

#include <algorithm>
#include <fstream>

using namespace rsrefseg;
using rsrefseg::test::makeRaster;
using rsrefseg::test::RasterSpec;

class TestRaster : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir mDir;
    std::string path(const char *name) const { return mDir.filePath(name).toStdString(); }

    static double expectedPercentile(std::vector<double> v, double p)
    {
        std::sort(v.begin(), v.end());
        const double pos = p / 100.0 * static_cast<double>(v.size() - 1);
        const size_t k = static_cast<size_t>(pos);
        if (k + 1 >= v.size())
            return v.back();
        return v[k] + (v[k + 1] - v[k]) * (pos - static_cast<double>(k));
    }

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    void utmByteThreeBands()
    {
        RasterSpec s;
        const std::string p = makeRaster(path("utm.tif"), s);
        const Raster r = Raster::open(p);
        const RasterInfo &i = r.info();
        QCOMPARE(i.driver, std::string("GTiff"));
        QCOMPARE(i.width, 64);
        QCOMPARE(i.height, 48);
        QCOMPARE(static_cast<int>(i.bands.size()), 3);
        QCOMPARE(i.bands[0].dataType, std::string("Byte"));
        QVERIFY(i.isGeoreferenced());
        QVERIFY(i.epsg.has_value());
        QCOMPARE(*i.epsg, 32633);
        QVERIFY(!i.isGeographic);
        QCOMPARE(i.units, std::string("metre"));
        QCOMPARE(i.geoTransform.coefficients()[0], 500000.0);
        QCOMPARE(i.geoTransform.coefficients()[5], -0.5);
        QVERIFY(!i.bands[0].noData.has_value());
        // Byte data: automatic stretch is the identity, so RGB equals the stored values.
        const BandSelection bands = BandSelection::automatic(i);
        QCOMPARE(bands.rgb(), (std::vector<int>{1, 2, 3}));
        const ContrastStretch st = r.computeStretch(bands, StretchOptions());
        QCOMPARE(st.ranges()[0].low, 0.0);
        QCOMPARE(st.ranges()[0].high, 255.0);
        const RgbImage img = r.readRgb8({0, 0, 64, 48}, 64, 48, bands, st);
        for (int y : {0, 17, 47})
            for (int x : {0, 33, 63})
                for (int c = 0; c < 3; ++c)
                    QCOMPARE(int(img.rgb.at<cv::Vec3b>(y, x)[c]), int(s.value(c + 1, x, y)));
        QCOMPARE(cv::countNonZero(img.valid), 64 * 48);
    }

    void geographicFloat32()
    {
        RasterSpec s;
        s.epsg = 4326;
        s.originX = 12.0;
        s.originY = 45.0;
        s.pixel = 0.0001;
        s.type = GDT_Float32;
        s.value = [](int b, int x, int y) { return 0.25 * x + y + b; };
        const Raster r = Raster::open(makeRaster(path("geo.tif"), s));
        QVERIFY(r.info().isGeoreferenced());
        QCOMPARE(*r.info().epsg, 4326);
        QVERIFY(r.info().isGeographic);
        QCOMPARE(r.info().units, std::string("degree"));
        QCOMPARE(r.info().bands[0].dataType, std::string("Float32"));
    }

    void noGeoreference()
    {
        RasterSpec s;
        s.epsg = 0;
        s.driver = "PNG";
        const Raster r = Raster::open(makeRaster(path("plain.png"), s));
        QVERIFY(!r.info().isGeoreferenced());
        QVERIFY(r.info().crsWkt.empty());
        QCOMPARE(r.info().units, std::string("pixel"));
        // QGIS convention: pixel units, y up.
        const auto corner = r.info().geoTransform.pixelToMap(64, 48);
        QCOMPARE(corner.first, 64.0);
        QCOMPARE(corner.second, -48.0);
    }

    void uint16PercentileStretchAndNoData()
    {
        RasterSpec s;
        s.bands = 1;
        s.type = GDT_UInt16;
        s.width = 100;
        s.height = 80;
        s.hasNoData = true;
        s.noData = 0;
        // values 0..7999 scaled; the first column is nodata.
        s.value = [](int, int x, int y) { return x == 0 ? 0.0 : 3.0 * (y * 100 + x); };
        const Raster r = Raster::open(makeRaster(path("u16.tif"), s));
        QVERIFY(r.info().bands[0].noData.has_value());
        const BandSelection bands = BandSelection::automatic(r.info());
        QCOMPARE(bands.rgb(), (std::vector<int>{1, 1, 1}));
        const ContrastStretch st = r.computeStretch(bands, StretchOptions());
        std::vector<double> values;
        for (int y = 0; y < 80; ++y)
            for (int x = 1; x < 100; ++x)
                values.push_back(3.0 * (y * 100 + x));
        QCOMPARE(st.ranges().size(), size_t(1));
        QVERIFY(qAbs(st.ranges()[0].low - expectedPercentile(values, 2.0)) < 1e-6);
        QVERIFY(qAbs(st.ranges()[0].high - expectedPercentile(values, 98.0)) < 1e-6);

        const RgbImage img = r.readRgb8({0, 0, 100, 80}, 100, 80, bands, st);
        QCOMPARE(int(img.valid.at<uchar>(10, 0)), 0);   // nodata column
        QCOMPARE(int(img.valid.at<uchar>(10, 1)), 255);
        QCOMPARE(int(img.rgb.at<cv::Vec3b>(10, 0)[0]), 0);
        // Grey replicated to R, G and B; low end clipped to 0, high end to 255.
        const cv::Vec3b mid = img.rgb.at<cv::Vec3b>(40, 50);
        QCOMPARE(mid[0], mid[1]);
        QCOMPARE(mid[1], mid[2]);
        const double v = 3.0 * (40 * 100 + 50);
        const int expected = int(std::lround((v - st.ranges()[0].low) / (st.ranges()[0].high - st.ranges()[0].low) * 255.0));
        QCOMPARE(int(mid[0]), expected);
        QCOMPARE(int(img.rgb.at<cv::Vec3b>(0, 1)[0]), 0);
        QCOMPARE(int(img.rgb.at<cv::Vec3b>(79, 99)[0]), 255);
    }

    void stretchUsesOverviewWhenPresent()
    {
        RasterSpec s;
        s.bands = 1;
        s.type = GDT_UInt16;
        s.width = 1200;
        s.height = 1100;
        s.overviews = true;
        s.value = [](int, int x, int y) { return double((x * 7 + y * 13) % 5000); };
        const Raster r = Raster::open(makeRaster(path("ovr.tif"), s));
        QCOMPARE(r.info().bands[0].overviews.size(), size_t(2));
        QCOMPARE(r.info().bands[0].overviews[0].first, 600);
        // The sample is the 300-px overview (smallest with >= 256 px), not the 1.3 Mpx raster.
        const auto sample = r.sampleValues({1});
        QCOMPARE(sample[0].size(), size_t(300 * 275));
    }

    void stretchSamplesWithoutOverviews()
    {
        RasterSpec s;
        s.bands = 1;
        s.type = GDT_UInt16;
        s.width = 1500;
        s.height = 1400;
        s.value = [](int, int x, int y) { return double(x + y); };
        const Raster r = Raster::open(makeRaster(path("big.tif"), s));
        const auto sample = r.sampleValues({1});
        QCOMPARE(sample[0].size(), size_t(8 * 8 * 128 * 128));
        QVERIFY(sample[0].size() < size_t(1500 * 1400));
    }

    void bandSelectionRules()
    {
        RasterSpec s;
        s.bands = 4;
        s.colors = {GCI_BlueBand, GCI_GreenBand, GCI_RedBand, GCI_Undefined};
        Raster r = Raster::open(makeRaster(path("bgrn.tif"), s));
        QCOMPARE(BandSelection::automatic(r.info()).rgb(), (std::vector<int>{3, 2, 1}));
        QCOMPARE(BandSelection::parse("4,3,2", r.info()).rgb(), (std::vector<int>{4, 3, 2}));
        QCOMPARE(BandSelection::parse("4", r.info()).rgb(), (std::vector<int>{4, 4, 4}));
        QVERIFY_THROWS_EXCEPTION(Error, BandSelection::parse("5,1,1", r.info()));
        QVERIFY_THROWS_EXCEPTION(Error, BandSelection::parse("1,2", r.info()));
        QVERIFY_THROWS_EXCEPTION(Error, BandSelection::parse("a,b,c", r.info()));

        RasterSpec plain;
        plain.bands = 4;
        r = Raster::open(makeRaster(path("four.tif"), plain));
        // GTiff marks 4 bands as RGBA only with PHOTOMETRIC; here bands 1-3 or their colours.
        const auto rgb = BandSelection::automatic(r.info()).rgb();
        QCOMPARE(rgb, (std::vector<int>{1, 2, 3}));

        RasterSpec greyAlpha;
        greyAlpha.bands = 2;
        greyAlpha.colors = {GCI_GrayIndex, GCI_AlphaBand};
        r = Raster::open(makeRaster(path("ga.tif"), greyAlpha));
        QCOMPARE(BandSelection::automatic(r.info()).rgb(), (std::vector<int>{1, 1, 1}));

        RasterSpec two;
        two.bands = 2;
        r = Raster::open(makeRaster(path("two.tif"), two));
        try {
            BandSelection::automatic(r.info());
            QFAIL("two bands without alpha must be refused");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("--bands") != std::string::npos);
        }
    }

    void windowOutsideAndDownsampled()
    {
        RasterSpec s;
        s.width = 40;
        s.height = 30;
        const Raster r = Raster::open(makeRaster(path("small.tif"), s));
        const BandSelection bands = BandSelection::automatic(r.info());
        const ContrastStretch st = r.computeStretch(bands, StretchOptions());
        // A 64x64 padded tile: the part beyond the raster is invalid and black.
        const RgbImage img = r.readRgb8({0, 0, 64, 64}, 64, 64, bands, st);
        QCOMPARE(cv::countNonZero(img.valid), 40 * 30);
        QCOMPARE(int(img.valid.at<uchar>(29, 39)), 255);
        QCOMPARE(int(img.valid.at<uchar>(30, 39)), 0);
        QCOMPARE(int(img.valid.at<uchar>(29, 40)), 0);
        QCOMPARE(int(img.rgb.at<cv::Vec3b>(50, 50)[0]), 0);
        // A window entirely outside.
        const RgbImage outside = r.readRgb8({100, 100, 10, 10}, 10, 10, bands, st);
        QCOMPARE(cv::countNonZero(outside.valid), 0);
        // Downsampled 2x: 20 x 15 output, fully valid.
        const RgbImage half = r.readRgb8({0, 0, 40, 30}, 20, 15, bands, st);
        QCOMPARE(half.rgb.cols, 20);
        QCOMPARE(cv::countNonZero(half.valid), 20 * 15);
    }

    void stretchModesParse()
    {
        QCOMPARE(StretchOptions::parseMode("minmax"), StretchOptions::Mode::MinMax);
        QVERIFY_THROWS_EXCEPTION(Error, StretchOptions::parseMode("gamma"));
        const ContrastStretch st({{100.0, 200.0}});
        QCOMPARE(int(st.apply(0, 50.0)), 0);
        QCOMPARE(int(st.apply(0, 150.0)), 128);
        QCOMPARE(int(st.apply(0, 250.0)), 255);
        QCOMPARE(int(st.apply(0, std::nan(""))), 0);
    }

    void badInputs_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing") << "missing" << "no such file";
        QTest::newRow("directory") << "directory" << "directory";
        QTest::newRow("text") << "text" << "cannot open raster";
        QTest::newRow("empty") << "empty" << "empty";
        QTest::newRow("no bands") << "nobands" << "no raster bands";
    }

    void badInputs()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        std::string p;
        if (kind == "missing") {
            p = path("does-not-exist.tif");
        } else if (kind == "directory") {
            p = mDir.path().toStdString();
        } else if (kind == "text") {
            p = path("notes.txt");
            std::ofstream(p) << "this is not a raster\n";
        } else if (kind == "empty") {
            p = path("empty.tif");
            std::ofstream(p).flush();
        } else {
            p = path("nobands.nc");
            QVERIFY(rsrefseg::test::makeNoBandContainer(p));
        }
        try {
            Raster::open(p);
            QFAIL("expected an error");
        } catch (const Error &e) {
            const std::string what = e.what();
            QVERIFY2(what.find(expected.toStdString()) != std::string::npos, what.c_str());
            QVERIFY2(what.find(p) != std::string::npos, what.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestRaster)
#include "test_raster.moc"
