// MaskPipeline on its own, fed stitched rows directly: the mask, probability and polygon
// outputs are compared with references computed here, independently of the class (thresholds
// by hand, small objects and holes with OpenCV's connected components, polygon attributes from
// the pixels of hand-placed rectangles); nothing appears at an output path before commit(), a
// pipeline destroyed earlier or cancelled leaves nothing, and bad options are refused before a
// single pixel is written.
#include "crswkt.h"
#include "common/error.h"
#include "engine/feedback.h"
#include "engine/maskpipeline.h"

#include "enginetestsupport.h"

#include <opencv2/imgproc.hpp>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <QtTest>

#include <algorithm>
#include <random>

using namespace rsrefseg;
using namespace rsrefseg::test;

namespace {

constexpr double kOriginX = 500000.0;
constexpr double kOriginY = 5000000.0;
constexpr double kPixel = 0.5; // metres: a pixel covers 0.25 m2

std::string utmWkt()
{
    return rsrefseg::test::wktOfEpsg(32633);
}

RasterGrid utmGrid(int width, int height)
{
    RasterGrid g;
    g.width = width;
    g.height = height;
    g.transform = GeoTransform({kOriginX, kPixel, 0.0, kOriginY, 0.0, -kPixel});
    g.crsWkt = utmWkt();
    return g;
}

// What the stitcher hands over: probability, validity (0 = nodata) and the owning tile.
struct Rows
{
    cv::Mat prob;  // CV_32FC1
    cv::Mat valid; // CV_8UC1
    cv::Mat owner; // CV_32SC1
    Rows(int width, int height)
        : prob(height, width, CV_32FC1, cv::Scalar(0.1))
        , valid(height, width, CV_8UC1, cv::Scalar(255))
        , owner(height, width, CV_32SC1, cv::Scalar(0))
    {
    }
};

// Feeds the rows in chunks of `chunk` (not a divisor of the height: the last chunk is short).
void feed(MaskPipeline &p, const Rows &in, int chunk = 7)
{
    for (int y = 0; y < in.prob.rows; y += chunk) {
        const cv::Rect r(0, y, in.prob.cols, std::min(chunk, in.prob.rows - y));
        p.addRows(y, in.prob(r), in.valid(r), in.owner(r));
    }
}

int differingPixels(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return -1;
    cv::Mat diff;
    cv::compare(a, b, diff, cv::CMP_NE);
    return cv::countNonZero(diff);
}

// Every entry of a folder, hidden ones included.
QStringList entries(const QString &dir)
{
    return QDir(dir).entryList(QDir::Hidden | QDir::AllEntries | QDir::NoDotAndDotDot);
}

// The reference post-processing, with OpenCV (4-connectivity, as the class documents): objects
// smaller than minObject pixels become background, then background components smaller than
// maxHole pixels that touch neither the border nor a nodata pixel become object.
cv::Mat referencePostProcess(const cv::Mat &mask, double minObject, double maxHole)
{
    cv::Mat out = mask.clone();
    cv::Mat labels;
    cv::Mat stats;
    cv::Mat centroids;
    if (minObject > 0.0) {
        const int n = cv::connectedComponentsWithStats(out == 1, labels, stats, centroids, 4, CV_32S);
        for (int y = 0; y < out.rows; ++y)
            for (int x = 0; x < out.cols; ++x) {
                const int l = labels.at<int32_t>(y, x);
                if (l > 0 && l < n && stats.at<int32_t>(l, cv::CC_STAT_AREA) < minObject)
                    out.at<uint8_t>(y, x) = 0;
            }
    }
    if (maxHole > 0.0) {
        // Pixels next to nodata (4-neighbours) or on the border disqualify their component.
        cv::Mat nearNoData;
        cv::dilate(out == 255, nearNoData, cv::getStructuringElement(cv::MORPH_CROSS, cv::Size(3, 3)));
        const int n = cv::connectedComponentsWithStats(out == 0, labels, stats, centroids, 4, CV_32S);
        std::vector<bool> open(static_cast<size_t>(n), false);
        for (int y = 0; y < out.rows; ++y)
            for (int x = 0; x < out.cols; ++x) {
                const int l = labels.at<int32_t>(y, x);
                if (l > 0 && (x == 0 || y == 0 || x == out.cols - 1 || y == out.rows - 1 || nearNoData.at<uint8_t>(y, x)))
                    open[static_cast<size_t>(l)] = true;
            }
        for (int y = 0; y < out.rows; ++y)
            for (int x = 0; x < out.cols; ++x) {
                const int l = labels.at<int32_t>(y, x);
                if (l > 0 && !open[static_cast<size_t>(l)] && stats.at<int32_t>(l, cv::CC_STAT_AREA) < maxHole)
                    out.at<uint8_t>(y, x) = 1;
            }
    }
    return out;
}

// What a polygon over the object pixels (p > 0.5) inside `box` must report.
struct ExpectedPolygon
{
    cv::Rect box;
    int64_t pixels = 0;
    double score = 0.0;
    double relevance = 0.0;
    double iou = 0.0;
    int holes = 0;
};

void measure(ExpectedPolygon &e, const Rows &in, const std::vector<MaskPipeline::TileValues> &tiles)
{
    double sumIou = 0.0;
    double sumP = 0.0;
    for (int y = e.box.y; y < e.box.y + e.box.height; ++y)
        for (int x = e.box.x; x < e.box.x + e.box.width; ++x) {
            const float p = in.prob.at<float>(y, x);
            if (!(p > 0.5f))
                continue;
            ++e.pixels;
            sumP += std::lround(p * 255.0f) / 255.0; // the score is of the 8-bit probability
            const int t = in.owner.at<int32_t>(y, x);
            if (t >= 0) {
                sumIou += tiles[static_cast<size_t>(t)].iou;
                e.relevance = std::max(e.relevance, double(tiles[static_cast<size_t>(t)].relevance));
            }
        }
    e.score = sumP / static_cast<double>(e.pixels);
    e.iou = sumIou / static_cast<double>(e.pixels);
}

} // namespace

class TestMaskPipeline : public QObject
{
    Q_OBJECT
  private:
    QTemporaryDir mDir;
    int mCase = 0;

    // A fresh output folder and work folder per case.
    QString freshDir(const QString &name)
    {
        const QString d = mDir.filePath(QStringLiteral("%1-%2").arg(name).arg(++mCase));
        QDir().mkpath(d + QStringLiteral("/work"));
        return d;
    }

    MaskPipeline::Options options(const QString &dir, const RasterGrid &grid)
    {
        MaskPipeline::Options o;
        o.grid = grid;
        o.workDir = (dir + QStringLiteral("/work")).toStdString();
        o.query = "red roofs";
        o.source = "scene.tif";
        o.model = "test-model";
        o.created = "2026-12-02T03:00:00Z";
        return o;
    }

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    // Object exactly where p > threshold (strictly), 255 wherever the stitcher said nodata.
    void maskIsThresholdedProbabilityWithNodata()
    {
        const int w = 53;
        const int h = 37;
        Rows in(w, h);
        std::mt19937 rng(7);
        std::uniform_real_distribution<float> u(0.0f, 1.0f);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                in.prob.at<float>(y, x) = u(rng);
        // Pixels at exactly the threshold stay background; nodata beats any probability.
        for (int x = 0; x < w; x += 3)
            in.prob.at<float>(11, x) = 0.3f;
        in.valid(cv::Rect(40, 20, 13, 17)).setTo(0);
        in.prob(cv::Rect(40, 20, 13, 17)).setTo(0.99);
        in.valid.at<uint8_t>(0, 0) = 0;

        cv::Mat expected(h, w, CV_8UC1);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                expected.at<uint8_t>(y, x) =
                    !in.valid.at<uint8_t>(y, x) ? 255 : in.prob.at<float>(y, x) > 0.3f ? 1 : 0;

        const QString dir = freshDir(QStringLiteral("threshold"));
        auto o = options(dir, utmGrid(w, h));
        o.threshold = 0.3;
        o.outputs.mask = (dir + QStringLiteral("/mask.tif")).toStdString();
        {
            MaskPipeline p(o);
            feed(p, in);
            p.finish({{1.0f, 1.0f}}, nullptr);
            p.commit();
            QCOMPARE(p.objectPixels(), int64_t(cv::countNonZero(expected == 1)));
            QCOMPARE(p.validPixels(), int64_t(cv::countNonZero(in.valid)));
            QCOMPARE(p.polygonCount(), int64_t(0)); // no vector output asked for
        }
        const RasterRead r = readRaster(o.outputs.mask);
        QCOMPARE(r.width, w);
        QCOMPARE(r.height, h);
        QCOMPARE(differingPixels(r.band, expected), 0);
        QVERIFY(r.noData.has_value());
        QCOMPARE(*r.noData, 255.0);
        QVERIFY(r.hasColorTable);
        QCOMPARE(r.epsg, std::string("32633"));
        QCOMPARE(r.gt[0], kOriginX);
        QCOMPARE(r.gt[5], -kPixel);
    }

    void probabilityOutput_data()
    {
        QTest::addColumn<bool>("float32");
        QTest::newRow("uint8") << false;
        QTest::newRow("float32") << true;
    }

    // UInt8: round(p * 255) with an internal validity mask; Float32: p itself, -1 at nodata.
    void probabilityOutput()
    {
        QFETCH(bool, float32);
        const int w = 31;
        const int h = 19;
        Rows in(w, h);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                in.prob.at<float>(y, x) = static_cast<float>((x * 19 + y * 7) % 101) / 100.0f;
        in.valid(cv::Rect(0, 10, 8, 9)).setTo(0);

        const QString dir = freshDir(QStringLiteral("prob"));
        auto o = options(dir, utmGrid(w, h));
        o.probabilityType =
            float32 ? SegmentationSettings::ProbabilityType::Float32 : SegmentationSettings::ProbabilityType::UInt8;
        o.outputs.probability = (dir + QStringLiteral("/prob.tif")).toStdString();
        {
            MaskPipeline p(o);
            feed(p, in, 4);
            p.finish({}, nullptr);
            p.commit();
        }
        const RasterRead r = readRaster(o.outputs.probability, float32 ? CV_32FC1 : CV_8UC1);
        QVERIFY(!r.band.empty());
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x) {
                const bool valid = in.valid.at<uint8_t>(y, x) != 0;
                const float p = in.prob.at<float>(y, x);
                if (float32) {
                    QCOMPARE(r.band.at<float>(y, x), valid ? p : -1.0f);
                } else {
                    if (valid)
                        QCOMPARE(int(r.band.at<uint8_t>(y, x)), int(std::lround(p * 255.0f)));
                    QCOMPARE(int(r.mask.at<uint8_t>(y, x)), valid ? 255 : 0);
                }
            }
        if (float32) {
            QVERIFY(r.noData.has_value());
            QCOMPARE(*r.noData, -1.0);
        } else {
            QCOMPARE(r.maskFlags, GMF_PER_DATASET);
        }
    }

    void smallObjectsAndHolesMatchOpenCv_data()
    {
        QTest::addColumn<int>("seed");
        QTest::addColumn<bool>("squareMetres");
        QTest::addColumn<double>("minObject"); // pixels
        QTest::addColumn<double>("maxHole");   // pixels
        QTest::newRow("objects only") << 1 << false << 6.0 << 0.0;
        QTest::newRow("holes only") << 2 << false << 0.0 << 5.0;
        QTest::newRow("both, pixels") << 3 << false << 4.0 << 7.0;
        QTest::newRow("both, m2") << 4 << true << 4.0 << 7.0;
        QTest::newRow("large limits") << 5 << false << 40.0 << 60.0;
    }

    void smallObjectsAndHolesMatchOpenCv()
    {
        QFETCH(int, seed);
        QFETCH(bool, squareMetres);
        QFETCH(double, minObject);
        QFETCH(double, maxHole);
        const int w = 67;
        const int h = 45;
        Rows in(w, h);
        std::mt19937 rng(static_cast<unsigned>(seed));
        std::bernoulli_distribution on(0.5);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                in.prob.at<float>(y, x) = on(rng) ? 0.9f : 0.1f;
        // A nodata block inside: background next to it is not a hole.
        in.valid(cv::Rect(20, 15, 9, 6)).setTo(0);

        cv::Mat mask(h, w, CV_8UC1);
        for (int y = 0; y < h; ++y)
            for (int x = 0; x < w; ++x)
                mask.at<uint8_t>(y, x) = !in.valid.at<uint8_t>(y, x) ? 255 : in.prob.at<float>(y, x) > 0.5f ? 1 : 0;
        const cv::Mat expected = referencePostProcess(mask, minObject, maxHole);
        QVERIFY(differingPixels(expected, mask) > 0); // the case changes something

        const QString dir = freshDir(QStringLiteral("filter"));
        auto o = options(dir, utmGrid(w, h));
        o.outputs.mask = (dir + QStringLiteral("/mask.tif")).toStdString();
        const double scale = squareMetres ? kPixel * kPixel : 1.0;
        o.areaUnit = squareMetres ? SegmentationSettings::AreaUnit::SquareMetres : SegmentationSettings::AreaUnit::Pixels;
        o.minObjectArea = minObject * scale;
        o.maxHoleArea = maxHole * scale;
        std::vector<std::string> stages;
        {
            MaskPipeline p(o);
            feed(p, in, 10);
            p.finish({}, nullptr, [&](const std::string &stage, double) {
                if (stages.empty() || stages.back() != stage)
                    stages.push_back(stage);
            });
            p.commit();
            QCOMPARE(p.objectPixels(), int64_t(cv::countNonZero(expected == 1)));
        }
        const RasterRead r = readRaster(o.outputs.mask);
        QCOMPARE(differingPixels(r.band, expected), 0);
        QCOMPARE(stages.empty() ? std::string() : stages.front(),
                 std::string(minObject > 0.0 ? "small objects" : "holes"));
    }

    // Three hand-placed objects: ids in raster order, mean probability, max relevance and mean
    // IoU of the owning tiles, areas and outlines in map coordinates, the query's attributes.
    void polygonsCarryTheirAttributes()
    {
        const int w = 48;
        const int h = 40;
        Rows in(w, h);
        in.owner.setTo(-1);
        // A: 8 x 6 at (2, 3), p 0.8, tile 0.
        in.prob(cv::Rect(2, 3, 8, 6)).setTo(0.8);
        in.owner(cv::Rect(2, 3, 8, 6)).setTo(0);
        // B: 20 x 20 at (20, 5) with a 4 x 4 hole at (26, 12); p varies; tile 1 left of x = 30, tile 2 right.
        for (int y = 5; y < 25; ++y)
            for (int x = 20; x < 40; ++x) {
                in.prob.at<float>(y, x) = 0.6f + 0.03f * static_cast<float>((x + 2 * y) % 13);
                in.owner.at<int32_t>(y, x) = x < 30 ? 1 : 2;
            }
        in.prob(cv::Rect(26, 12, 4, 4)).setTo(0.2);
        // C: 4 x 6 at (5, 30), p 0.95, no owning tile.
        in.prob(cv::Rect(5, 30, 4, 6)).setTo(0.95);
        const std::vector<MaskPipeline::TileValues> tiles = {{0.9f, 0.7f}, {0.4f, 0.2f}, {0.8f, 0.6f}};

        std::vector<ExpectedPolygon> expect = {{cv::Rect(2, 3, 8, 6)}, {cv::Rect(20, 5, 20, 20)}, {cv::Rect(5, 30, 4, 6)}};
        expect[1].holes = 1;
        for (ExpectedPolygon &e : expect)
            measure(e, in, tiles);
        QCOMPARE(expect[1].pixels, int64_t(20 * 20 - 4 * 4));

        const QString dir = freshDir(QStringLiteral("polygons"));
        auto o = options(dir, utmGrid(w, h));
        o.outputs.vector = (dir + QStringLiteral("/objects.gpkg")).toStdString();
        std::vector<PolygonReport> reports;
        {
            MaskPipeline p(o);
            feed(p, in);
            p.finish(tiles, nullptr);
            p.commit();
            QCOMPARE(p.polygonCount(), int64_t(3));
            QCOMPARE(p.objectPixels(), expect[0].pixels + expect[1].pixels + expect[2].pixels);
            reports = p.polygons();
        }
        QCOMPARE(reports.size(), size_t(3));
        const VectorRead v = readVector(o.outputs.vector);
        QCOMPARE(v.features.size(), size_t(3));
        QCOMPARE(v.epsg, std::string("32633"));
        for (size_t i = 0; i < 3; ++i) {
            const ExpectedPolygon &e = expect[i];
            const PolygonReport &rep = reports[i];
            QCOMPARE(rep.id, int64_t(i + 1));
            QCOMPARE(rep.areaPixels, e.pixels);
            QVERIFY2(std::abs(rep.score - e.score) < 1e-9, qPrintable(QString::number(rep.score)));
            QVERIFY2(std::abs(rep.relevance - e.relevance) < 1e-9, qPrintable(QString::number(rep.relevance)));
            QVERIFY2(std::abs(rep.iou - e.iou) < 1e-6, qPrintable(QString::number(rep.iou))); // float tile values summed
            QCOMPARE(rep.areaM2, double(e.pixels) * kPixel * kPixel);

            const auto it = std::find_if(v.features.begin(), v.features.end(),
                                         [&](const Feature &f) { return f.number.at("id") == double(i + 1); });
            QVERIFY(it != v.features.end());
            QCOMPARE(it->number.at("area_px"), double(e.pixels));
            QCOMPARE(it->number.at("area_m2"), rep.areaM2);
            QCOMPARE(it->number.at("score"), rep.score);
            QCOMPARE(it->number.at("relevance"), rep.relevance);
            QCOMPARE(it->number.at("iou_pred"), rep.iou);
            QCOMPARE(it->text.at("query"), o.query);
            QCOMPARE(it->text.at("source"), o.source);
            QCOMPARE(it->text.at("model"), o.model);
            QCOMPARE(it->text.at("created"), o.created);
            // The outline is the rectangle in map coordinates (y up), with its hole.
            QVERIFY(it->geometry);
            OGREnvelope env;
            it->geometry->getEnvelope(&env);
            QCOMPARE(env.MinX, kOriginX + e.box.x * kPixel);
            QCOMPARE(env.MaxX, kOriginX + (e.box.x + e.box.width) * kPixel);
            QCOMPARE(env.MaxY, kOriginY - e.box.y * kPixel);
            QCOMPARE(env.MinY, kOriginY - (e.box.y + e.box.height) * kPixel);
            const OGRPolygon *poly = it->geometry->toPolygon();
            QCOMPARE(poly->getNumInteriorRings(), e.holes);
            QCOMPARE(poly->get_Area(), double(e.pixels) * kPixel * kPixel);
        }
    }

    // Past maxPolygonReports the reports stop; the file and the count still have every polygon.
    void polygonReportsAreCapped()
    {
        const int w = 30;
        const int h = 10;
        Rows in(w, h);
        for (int i = 0; i < 5; ++i)
            in.prob(cv::Rect(1 + 6 * i, 2, 3, 3)).setTo(0.9);
        const QString dir = freshDir(QStringLiteral("cap"));
        auto o = options(dir, utmGrid(w, h));
        o.outputs.vector = (dir + QStringLiteral("/objects.geojson")).toStdString();
        o.maxPolygonReports = 2;
        MaskPipeline p(o);
        feed(p, in);
        p.finish({{1.0f, 1.0f}}, nullptr);
        p.commit();
        QCOMPARE(p.polygonCount(), int64_t(5));
        QCOMPARE(p.polygons().size(), size_t(2));
        QCOMPARE(readVector(o.outputs.vector).features.size(), size_t(5));
    }

    // Without a CRS, polygons come in QGIS's pixel coordinates (row r at y = -r) with no m2 area.
    void withoutCrsPolygonsAreInPixelCoordinates()
    {
        RasterGrid g;
        g.width = 20;
        g.height = 12;
        g.transform = GeoTransform::pixelCoordinates();
        g.hasTransform = false;
        Rows in(g.width, g.height);
        in.prob(cv::Rect(4, 3, 5, 2)).setTo(0.9);
        const QString dir = freshDir(QStringLiteral("nocrs"));
        auto o = options(dir, g);
        o.outputs.vector = (dir + QStringLiteral("/objects.geojson")).toStdString();
        {
            MaskPipeline p(o);
            feed(p, in);
            p.finish({}, nullptr);
            p.commit();
            QCOMPARE(p.polygons().size(), size_t(1));
            QCOMPARE(p.polygons().front().areaM2, -1.0);
        }
        const VectorRead v = readVector(o.outputs.vector);
        QCOMPARE(v.features.size(), size_t(1));
        OGREnvelope env;
        v.features.front().geometry->getEnvelope(&env);
        QCOMPARE(env.MinX, 4.0);
        QCOMPARE(env.MaxX, 9.0);
        QCOMPARE(env.MaxY, -3.0);
        QCOMPARE(env.MinY, -5.0);
    }

    // Outputs appear only at commit(); scratch files go with the pipeline.
    void outputsAppearOnlyAtCommit()
    {
        const QString dir = freshDir(QStringLiteral("commit"));
        auto o = options(dir, utmGrid(24, 16));
        o.outputs = {(dir + QStringLiteral("/m.tif")).toStdString(), (dir + QStringLiteral("/p.tif")).toStdString(),
                     (dir + QStringLiteral("/v.gpkg")).toStdString()};
        o.minObjectArea = 2.0;
        o.maxHoleArea = 2.0;
        Rows in(24, 16);
        in.prob(cv::Rect(3, 3, 6, 6)).setTo(0.9);
        {
            MaskPipeline p(o);
            QVERIFY_THROWS_EXCEPTION(Error, p.commit()); // finish() first
            feed(p, in);
            p.finish({{1.0f, 1.0f}}, nullptr);
            for (const std::string &f : {o.outputs.mask, o.outputs.probability, o.outputs.vector})
                QVERIFY2(!QFileInfo::exists(QString::fromStdString(f)), f.c_str());
            QVERIFY(!entries(dir + QStringLiteral("/work")).isEmpty()); // scratch rasters while it lives
            p.commit();
            for (const std::string &f : {o.outputs.mask, o.outputs.probability, o.outputs.vector})
                QVERIFY2(QFileInfo::exists(QString::fromStdString(f)), f.c_str());
        }
        QCOMPARE(entries(dir + QStringLiteral("/work")), QStringList());
        QCOMPARE(entries(dir), (QStringList{QStringLiteral("m.tif"), QStringLiteral("p.tif"), QStringLiteral("v.gpkg"),
                                            QStringLiteral("work")}));
    }

    void destroyedOrCancelledLeavesNothing_data()
    {
        QTest::addColumn<bool>("cancel");
        QTest::newRow("destroyed after finish") << false;
        QTest::newRow("cancelled in finish") << true;
    }

    void destroyedOrCancelledLeavesNothing()
    {
        QFETCH(bool, cancel);
        const QString dir = freshDir(QStringLiteral("abandon"));
        auto o = options(dir, utmGrid(24, 16));
        o.outputs = {(dir + QStringLiteral("/m.tif")).toStdString(), (dir + QStringLiteral("/p.tif")).toStdString(),
                     (dir + QStringLiteral("/v.gpkg")).toStdString()};
        o.minObjectArea = 2.0;
        Rows in(24, 16);
        in.prob(cv::Rect(3, 3, 6, 6)).setTo(0.9);
        {
            MaskPipeline p(o);
            feed(p, in);
            Feedback fb;
            if (cancel) {
                fb.cancel();
                QVERIFY_THROWS_EXCEPTION(CancelledError, p.finish({}, &fb));
            } else {
                p.finish({}, &fb);
            }
        }
        QCOMPARE(entries(dir), QStringList{QStringLiteral("work")});
        QCOMPARE(entries(dir + QStringLiteral("/work")), QStringList());
    }

    void refusesBadOptions_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("message"); // a part of the error
        QTest::newRow("mask extension") << "png" << "unknown raster output format";
        QTest::newRow("probability extension") << "jpg" << "unknown raster output format";
        QTest::newRow("vector extension") << "txt" << ".txt";
        QTest::newRow("same path") << "same" << "same path";
        QTest::newRow("threshold 0") << "t0" << "threshold";
        QTest::newRow("threshold 1") << "t1" << "threshold";
        QTest::newRow("m2 without crs") << "m2" << "CRS";
        QTest::newRow("existing output") << "exists" << "already exists";
        QTest::newRow("no work folder") << "nowork" << "work folder";
    }

    // Refused in the constructor, naming the problem, before anything is written.
    void refusesBadOptions()
    {
        QFETCH(QString, what);
        QFETCH(QString, message);
        const QString dir = freshDir(QStringLiteral("bad"));
        auto o = options(dir, utmGrid(8, 8));
        o.outputs.mask = (dir + QStringLiteral("/m.tif")).toStdString();
        if (what == QLatin1String("png"))
            o.outputs.mask = (dir + QStringLiteral("/m.png")).toStdString();
        else if (what == QLatin1String("jpg"))
            o.outputs.probability = (dir + QStringLiteral("/p.jpg")).toStdString();
        else if (what == QLatin1String("txt"))
            o.outputs.vector = (dir + QStringLiteral("/v.txt")).toStdString();
        else if (what == QLatin1String("same"))
            o.outputs.probability = (dir + QStringLiteral("/./m.tif")).toStdString();
        else if (what == QLatin1String("t0"))
            o.threshold = 0.0;
        else if (what == QLatin1String("t1"))
            o.threshold = 1.0;
        else if (what == QLatin1String("m2")) {
            o.grid.crsWkt.clear();
            o.areaUnit = SegmentationSettings::AreaUnit::SquareMetres;
            o.minObjectArea = 10.0;
        } else if (what == QLatin1String("nowork"))
            o.workDir = (dir + QStringLiteral("/missing")).toStdString();
        QStringList before;
        if (what == QLatin1String("exists")) {
            QFile f(QString::fromStdString(o.outputs.mask));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("keep me");
            f.close();
        }
        before = entries(dir);
        try {
            MaskPipeline p(o);
            QFAIL("no exception");
        } catch (const Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
        }
        QCOMPARE(entries(dir), before);
        QCOMPARE(entries(dir + QStringLiteral("/work")), QStringList());
        if (what == QLatin1String("exists")) {
            QFile f(QString::fromStdString(o.outputs.mask));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QCOMPARE(f.readAll(), QByteArray("keep me"));
        }
    }
};

QTEST_GUILESS_MAIN(TestMaskPipeline)
#include "test_maskpipeline.moc"
