// RrsisdConverter on a small RRSIS-D written here in its distributed layout (benchmarkfixtures.h):
// every field of every line against what the raw files say; the polygon annotation's RLE against
// an independent rasterisation (OpenCV's point-in-polygon test at pixel centres); the boxes'
// convention; bad input (hostile or truncated pickle, an annotation the instances lack, a missing
// image, disagreeing category) named, with nothing written.
#include "core/data/benchmarkfixtures.h"
#include "data/rrsisdconverter.h"
#include "train/rsrefsegdataset.h"

#include "common/error.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace rsrefseg;
namespace fs = std::filesystem;

// A JSON value against the expected one, printing the value on failure.
#define JSON_EQ(actual, expected)                                                                 \
    QVERIFY2((actual) == nlohmann::json(expected), (actual).dump().c_str())

namespace {

std::vector<nlohmann::json> readLines(const std::string &path)
{
    std::ifstream in(path);
    std::vector<nlohmann::json> lines;
    std::string line;
    while (std::getline(in, line))
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

CocoRle maskOf(const nlohmann::json &line)
{
    return RSRefSegDataset::parseSegmentation(line["segmentation"], std::nullopt);
}

// Pixels whose centre lies inside the polygon (cv::pointPolygonTest), and those whose centre is
// within `margin` of its boundary, where two rasterisers may legitimately differ.
void rasteriseByCentres(const std::vector<double> &xy, cv::Mat &inside, cv::Mat &nearEdge, double margin)
{
    std::vector<cv::Point2f> contour;
    for (std::size_t i = 0; i + 1 < xy.size(); i += 2)
        contour.emplace_back(static_cast<float>(xy[i]), static_cast<float>(xy[i + 1]));
    for (int y = 0; y < inside.rows; ++y)
        for (int x = 0; x < inside.cols; ++x) {
            const double d = cv::pointPolygonTest(contour, cv::Point2f(x + 0.5f, y + 0.5f), true);
            inside.at<uchar>(y, x) = d > 0 ? 1 : 0;
            nearEdge.at<uchar>(y, x) = std::abs(d) < margin ? 1 : 0;
        }
}

} // namespace

class TestRrsisdConverter : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    benchfix::Rrsisd mRaw;

    RrsisdConverter::Options options(const QString &out) const
    {
        RrsisdConverter::Options o;
        o.refs = mRaw.refs;
        o.instances = mRaw.instances;
        o.images = mRaw.images;
        o.out = mDir.filePath(out).toStdString();
        return o;
    }

    QString errorOf(const RrsisdConverter::Options &o) const
    {
        try {
            RrsisdConverter(o).run();
        } catch (const Error &e) {
            return QString::fromStdString(e.what());
        }
        return QString();
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mRaw = benchfix::writeRrsisd(mDir.filePath("raw").toStdString());
    }

    void convertsEveryField()
    {
        const RrsisdConverter::Options o = options("rrsisd.jsonl");
        const ConversionSummary summary = RrsisdConverter(o).run();
        QCOMPARE(summary.lines, std::size_t(4));
        QCOMPARE(summary.objects, std::size_t(3));
        QCOMPARE(summary.images, std::size_t(2));
        QCOMPARE(summary.linesPerSplit.at("val"), std::size_t(2));
        QCOMPARE(summary.linesPerCategory.at("airplane"), std::size_t(2));
        QCOMPARE(summary.boxConvention, std::string("x1,y1,x2,y2"));
        QCOMPARE(summary.boxReadings.at("x1,y1,x2,y2"), std::size_t(3));

        const auto lines = readLines(o.out);
        QCOMPARE(lines.size(), std::size_t(4));
        const nlohmann::json &a = lines[0];
        JSON_EQ(a["file_name"], "02934.jpg");
        JSON_EQ(a["sent"], "The plane on the left");
        JSON_EQ(a["split"], "train");
        JSON_EQ(a["category_id"], 2);
        JSON_EQ(a["category_name"], "airplane");
        JSON_EQ(a["image_id"], 2934);
        JSON_EQ(a["ann_id"], 10);
        JSON_EQ(a["ref_id"], 100);
        JSON_EQ(a["sent_id"], 500);
        JSON_EQ(a["area"], 80);
        JSON_EQ(a["bbox"], nlohmann::json({5, 3, 15, 11})); // as in instances.json
        JSON_EQ(a["bbox_xywh"], nlohmann::json({5.0, 3.0, 10.0, 8.0}));
        QVERIFY(a["segmentation"].is_array() && a["segmentation"].size() == 1);
        JSON_EQ(a["segmentation"][0]["size"], nlohmann::json({30, 40}));
        QVERIFY(a["segmentation"][0]["counts"].is_string());
        QVERIFY(maskOf(a) == CocoRle::encode(mRaw.rectangleMask));
        // The ref with two sentences: two lines, same object.
        JSON_EQ(lines[1]["sent"], "the vehicle on the right");
        JSON_EQ(lines[2]["sent"], "a car at the right");
        JSON_EQ(lines[1]["sent_id"], 501);
        JSON_EQ(lines[2]["sent_id"], 502);
        JSON_EQ(lines[2]["ref_id"], 101);
        JSON_EQ(lines[2]["category_name"], "vehicle");
        JSON_EQ(lines[2]["area"], 123.5);
        JSON_EQ(lines[1]["segmentation"], lines[2]["segmentation"]);
        // Uncompressed counts in instances.json come out compressed, same mask.
        JSON_EQ(lines[3]["split"], "test");
        QVERIFY(lines[3]["segmentation"][0]["counts"].is_string());
        QVERIFY(maskOf(lines[3]) == CocoRle::encode(mRaw.secondMask));
        // What the trainer reads.
        const RSRefSegDataset data = RSRefSegDataset::load(o.out, o.images);
        QCOMPARE(data.size(), std::size_t(4));
        QVERIFY(data.warnings().empty());
    }

    void polygonAgainstIndependentRasterisation()
    {
        const auto lines = readLines(mDir.filePath("rrsisd.jsonl").toStdString());
        const cv::Mat converted = maskOf(lines[1]).decode();
        cv::Mat inside(converted.size(), CV_8UC1), nearEdge(converted.size(), CV_8UC1);
        rasteriseByCentres(mRaw.polygons[0], inside, nearEdge, 0.75);
        int differing = 0, interior = 0;
        for (int y = 0; y < converted.rows; ++y)
            for (int x = 0; x < converted.cols; ++x) {
                if (nearEdge.at<uchar>(y, x))
                    continue;
                interior += inside.at<uchar>(y, x);
                differing += converted.at<uchar>(y, x) != inside.at<uchar>(y, x);
            }
        QVERIFY2(interior > 100, "the polygon covers a real area away from its edges");
        QCOMPARE(differing, 0);
        // The box stored for it (x1, y1, x2, y2 of the converted mask) comes back as x, y, w, h.
        const cv::Rect r = cv::boundingRect(converted);
        JSON_EQ(lines[1]["bbox_xywh"], nlohmann::json({double(r.x), double(r.y), double(r.width), double(r.height)}));
    }

    void hostileAndTruncatedPicklesWriteNothing()
    {
        RrsisdConverter::Options o = options("hostile.jsonl");
        const std::string marker = mDir.filePath("ran").toStdString();
        o.refs = mDir.filePath("hostile.p").toStdString();
        benchfix::writeFile(o.refs, pickletest::osSystemPickle(marker));
        const QString error = errorOf(o);
        QVERIFY2(error.contains("refusing to load global 'os.system'") && error.contains("hostile.p"), qPrintable(error));
        QVERIFY(!fs::exists(marker));
        QVERIFY(!fs::exists(o.out));

        std::ifstream in(mRaw.refs, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        o.refs = mDir.filePath("truncated.p").toStdString();
        benchfix::writeFile(o.refs, bytes.substr(0, bytes.size() - 40));
        const QString cut = errorOf(o);
        QVERIFY2(cut.contains("truncated.p: ") && (cut.contains("truncated pickle") || cut.contains("past the end")),
                 qPrintable(cut));
        QVERIFY(!fs::exists(o.out));
    }

    void missingAnnotationAndImageNamed()
    {
        using pickletest::Py;
        RrsisdConverter::Options o = options("bad.jsonl");
        o.refs = mDir.filePath("missing-ann.p").toStdString();
        benchfix::writeFile(o.refs, pickletest::dumps(Py::list(
                                        {benchfix::refEntry(100, 10, 2934, 2, "train", "02934.jpg", {{1, "a"}}),
                                         benchfix::refEntry(107, 99, 2934, 2, "train", "02934.jpg", {{2, "b"}})})));
        QCOMPARE(errorOf(o), QString::fromStdString(o.refs + ": ref 1 (ref_id 107): annotation 99 is not in " +
                                                    mRaw.instances));
        QVERIFY(!fs::exists(o.out));

        o.refs = mDir.filePath("missing-image.p").toStdString();
        benchfix::writeFile(o.refs, pickletest::dumps(Py::list(
                                        {benchfix::refEntry(108, 12, 6000, 2, "val", "09999.jpg", {{1, "a"}})})));
        const QString error = errorOf(o);
        QVERIFY2(error.contains("ref 0 (ref_id 108): image ") && error.contains("09999.jpg does not exist"),
                 qPrintable(error));
        QVERIFY(!fs::exists(o.out));

        o.refs = mDir.filePath("wrong-category.p").toStdString();
        benchfix::writeFile(o.refs, pickletest::dumps(Py::list(
                                        {benchfix::refEntry(109, 12, 6000, 18, "val", "06000.jpg", {{1, "a"}})})));
        QVERIFY2(errorOf(o).contains("ref_id 109): category_id 18 differs from annotation 12's 2"), qPrintable(errorOf(o)));
        QVERIFY(!fs::exists(o.out));
    }

    void existingOutputKeptWithoutOverwrite()
    {
        RrsisdConverter::Options o = options("existing.jsonl");
        benchfix::writeFile(o.out, "keep me\n");
        QVERIFY(errorOf(o).contains("exists (pass --overwrite"));
        o.overwrite = true;
        QCOMPARE(RrsisdConverter(o).run().lines, std::size_t(4));
        QCOMPARE(readLines(o.out).size(), std::size_t(4));
    }
};

QTEST_GUILESS_MAIN(TestRrsisdConverter)
#include "test_rrsisdconverter.moc"
