// MaskPolygonizer: a label raster becomes one polygon per 4-connected region of a label, in
// map coordinates, with holes; sink errors and cancellation stop it cleanly.
#include "common/error.h"
#include "geo/geotiffwriter.h"
#include "geo/maskpolygonizer.h"

#include <ogr_geometry.h>

#include <QTemporaryDir>
#include <QtTest>

#include <map>

using namespace rsrefseg;

class TestMaskPolygonizer : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string mLabels;

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mLabels = mDir.filePath("labels.tif").toStdString();
        RasterGrid g;
        g.width = 40;
        g.height = 30;
        g.transform = GeoTransform({1000.0, 2.0, 0.0, 2000.0, 0.0, -2.0});
        cv::Mat l(30, 40, CV_32SC1, cv::Scalar::all(0));
        l(cv::Rect(2, 3, 10, 8)).setTo(cv::Scalar::all(1));   // 10 x 8 with a 2 x 2 hole
        l(cv::Rect(5, 6, 2, 2)).setTo(cv::Scalar::all(0));
        l(cv::Rect(20, 20, 5, 1)).setTo(cv::Scalar::all(300)); // label > 255 (mask saturates)
        l(cv::Rect(20, 21, 1, 4)).setTo(cv::Scalar::all(300)); // L shape
        l.at<int32_t>(0, 30) = 7;                              // two pixels of one label that touch
        l.at<int32_t>(1, 31) = 7;                              // only at a corner: two polygons
        GeoTiffWriter::Options o;
        o.type = GeoTiffWriter::DataType::Int32;
        GeoTiffWriter w(mLabels, g, o);
        w.writeRows(0, l);
        w.commit();
    }

    void polygons()
    {
        std::multimap<int64_t, std::unique_ptr<OGRPolygon>> got;
        MaskPolygonizer::run(mLabels, [&](int64_t label, const OGRPolygon &p) {
            got.emplace(label, std::unique_ptr<OGRPolygon>(p.clone()));
        });
        QCOMPARE(got.size(), size_t(4));
        QCOMPARE(got.count(1), size_t(1));
        QCOMPARE(got.count(300), size_t(1));
        QCOMPARE(got.count(7), size_t(2));

        const OGRPolygon &a = *got.find(1)->second;
        QCOMPARE(a.getNumInteriorRings(), 1);
        QCOMPARE(a.get_Area(), (80.0 - 4.0) * 4.0); // pixels of 2 x 2 map units
        OGREnvelope e;
        a.getEnvelope(&e);
        QCOMPARE(e.MinX, 1004.0);
        QCOMPARE(e.MaxX, 1024.0);
        QCOMPARE(e.MaxY, 1994.0);
        QCOMPARE(e.MinY, 1978.0);

        const OGRPolygon &b = *got.find(300)->second;
        QCOMPARE(b.get_Area(), 9.0 * 4.0);
        QCOMPARE(b.getNumInteriorRings(), 0);
    }

    void sinkErrorPropagates()
    {
        QVERIFY_EXCEPTION_THROWN(
            MaskPolygonizer::run(mLabels, [](int64_t, const OGRPolygon &) { throw Error("stop here"); }), Error);
    }

    void cancel()
    {
        QVERIFY_EXCEPTION_THROWN(MaskPolygonizer::run(
                                     mLabels, [](int64_t, const OGRPolygon &) {}, [](double) { return false; }),
                                 CancelledError);
    }

    void missingFile()
    {
        QVERIFY_EXCEPTION_THROWN(MaskPolygonizer::run(mDir.filePath("none.tif").toStdString(),
                                                      [](int64_t, const OGRPolygon &) {}),
                                 Error);
    }
};

QTEST_GUILESS_MAIN(TestMaskPolygonizer)
#include "test_maskpolygonizer.moc"
