// Tests of RSRefSegDataset on small JSONL files and images written into a temporary folder,
// including the malformed cases (each skipped with a warning naming its line).
#include "common/error.h"
#include "train/cocorle.h"
#include "train/rsrefsegdataset.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>

using rsrefseg::CocoRle;
using rsrefseg::RSRefSegDataset;

namespace {

// 3 (h) x 4 (w) mask:
//   0 1 0 0
//   1 0 0 0
//   1 0 1 0
// Column-major: 0 1 1 | 1 0 0 | 0 0 1 | 0 0 0 -> runs [1,3,4,1,3] -> "134" then 1-3 = -2 -> 'N'
// (group 30 with the sign bit) and 3-4 = -1 -> 'O'.
cv::Mat maskA()
{
    cv::Mat m = cv::Mat::zeros(3, 4, CV_8UC1);
    m.at<std::uint8_t>(1, 0) = m.at<std::uint8_t>(2, 0) = m.at<std::uint8_t>(0, 1) =
        m.at<std::uint8_t>(2, 2) = 1;
    return m;
}

void writeText(const QString &path, const std::string &text)
{
    std::ofstream out(path.toStdString(), std::ios::binary);
    out << text;
}

bool sameMask(const cv::Mat &a, const cv::Mat &b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

} // namespace

class TestRSRefSegDataset : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    QString mImages;

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mImages = mDir.filePath("images");
        QVERIFY(QDir().mkpath(mImages));
        // a.png: 4 wide, 3 high, RGB; pixel (0,0) is pure red in RGB.
        cv::Mat rgbA(3, 4, CV_8UC3, cv::Scalar(10, 20, 30));
        rgbA.at<cv::Vec3b>(0, 0) = cv::Vec3b(255, 0, 0);
        cv::Mat bgrA;
        cv::cvtColor(rgbA, bgrA, cv::COLOR_RGB2BGR);
        QVERIFY(cv::imwrite((mImages + "/a.png").toStdString(), bgrA));
        // b.png: 6 wide, 5 high, one grey band.
        cv::Mat grey(5, 6, CV_8UC1, cv::Scalar(77));
        QVERIFY(cv::imwrite((mImages + "/b.png").toStdString(), grey));
        // not-an-image.png: text.
        writeText(mImages + "/not-an-image.png", "hello");
    }

    void readsValidAndSkipsMalformedLines()
    {
        const std::string rleA = CocoRle::encode(maskA()).toString();
        QCOMPARE(QString::fromStdString(rleA), QString("134NO"));
        auto line = [](const nlohmann::json &j) { return j.dump() + "\n"; };
        const nlohmann::json rleList = nlohmann::json::array(
            {nlohmann::json{{"size", {3, 4}}, {"counts", rleA}}});
        std::string text;
        // 1: RRSIS-D form (segmentation is a list with one RLE)
        text += line({{"file_name", "a.png"}, {"sent", " the red corner "}, {"segmentation", rleList},
                      {"bbox", {0, 0, 3, 3}}, {"split", "train"}, {"category_name", "vehicle"},
                      {"image_id", 7}, {"ann_id", 70}});
        // 2: a bare RLE object, CRLF line ending
        std::string second = nlohmann::json{{"file_name", "a.png"}, {"sent", "again"},
                                            {"segmentation", rleList[0]}, {"split", "val"}}
                                 .dump();
        text += second + "\r\n";
        // 3: polygons on the grey image (pixels x 1..3, y 1..2)
        text += line({{"file_name", "b.png"}, {"sent", "a box"},
                      {"segmentation", {{1, 1, 4, 1, 4, 3, 1, 3}}}, {"split", "train"}});
        // 4: blank (ignored, not counted)
        text += "   \n";
        // 5: malformed JSON
        text += "{\"file_name\": \"a.png\", \"sent\": \n";
        // 6: missing image
        text += line({{"file_name", "nope.png"}, {"sent", "x"}, {"segmentation", rleList}});
        // 7: RLE size differs from the image
        text += line({{"file_name", "a.png"}, {"sent", "x"},
                      {"segmentation", {{"size", {4, 3}}, {"counts", rleA}}}});
        // 8: empty sentence
        text += line({{"file_name", "a.png"}, {"sent", "   "}, {"segmentation", rleList}});
        // 9: not an object
        text += "[1, 2, 3]\n";
        // 10: path outside the image folder
        text += line({{"file_name", "../images/a.png"}, {"sent", "x"}, {"segmentation", rleList}});
        // 11: nested too deep
        text += "{\"x\": " + std::string(40, '[') + std::string(40, ']') + "}\n";
        // 12: longer than the bound set below (4096 bytes)
        text += line({{"file_name", "a.png"}, {"sent", std::string(5000, 'w')},
                      {"segmentation", rleList}});
        // 13: bad characters in the counts string
        text += line({{"file_name", "a.png"}, {"sent", "x"},
                      {"segmentation", {{"size", {3, 4}}, {"counts", "12 14"}}}});
        // 14: not an image
        text += line({{"file_name", "not-an-image.png"}, {"sent", "x"}, {"segmentation", rleList}});
        // 15: missing segmentation
        text += line({{"file_name", "a.png"}, {"sent", "x"}});
        // 16: uncompressed counts, still fine after all the bad lines
        text += line({{"file_name", "a.png"}, {"sent", "uncompressed"},
                      {"segmentation", {{"size", {3, 4}}, {"counts", {1, 3, 4, 1, 3}}}},
                      {"split", "val"}});
        const QString jsonl = mDir.filePath("data.jsonl");
        writeText(jsonl, text);

        RSRefSegDataset::Options options;
        options.maxLineBytes = 4096;
        const RSRefSegDataset data =
            RSRefSegDataset::load(jsonl.toStdString(), mImages.toStdString(), options);
        QCOMPARE(data.size(), std::size_t(4));
        QCOMPARE(data.skippedLines(), std::size_t(11));
        std::vector<std::size_t> warned;
        for (const auto &w : data.warnings())
            warned.push_back(w.lineNumber);
        QCOMPARE(warned, (std::vector<std::size_t>{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}));
        auto warningOf = [&](std::size_t lineNumber) {
            for (const auto &w : data.warnings())
                if (w.lineNumber == lineNumber)
                    return QString::fromStdString(w.message);
            return QString();
        };
        QVERIFY2(warningOf(5).contains("malformed JSON"), qPrintable(warningOf(5)));
        QVERIFY2(warningOf(6).contains("nope.png"), qPrintable(warningOf(6)));
        QVERIFY2(warningOf(7).contains("differs from image"), qPrintable(warningOf(7)));
        QVERIFY2(warningOf(8).contains("\"sent\" is empty"), qPrintable(warningOf(8)));
        QVERIFY2(warningOf(10).contains("relative path"), qPrintable(warningOf(10)));
        QVERIFY2(warningOf(11).contains("nested deeper"), qPrintable(warningOf(11)));
        QVERIFY2(warningOf(12).contains("longer than 4096"), qPrintable(warningOf(12)));
        QVERIFY2(warningOf(13).contains("outside '0'..'o'"), qPrintable(warningOf(13)));
        QVERIFY2(warningOf(15).contains("\"segmentation\" is missing"), qPrintable(warningOf(15)));

        const auto &s0 = data.sample(0);
        QCOMPARE(s0.lineNumber, std::size_t(1));
        QCOMPARE(QString::fromStdString(s0.fileName), QString("a.png"));
        QCOMPARE(QString::fromStdString(s0.sentence), QString("the red corner"));
        QCOMPARE(QString::fromStdString(s0.split), QString("train"));
        QCOMPARE(QString::fromStdString(s0.categoryName), QString("vehicle"));
        QCOMPARE(s0.imageId.value_or(-1), std::int64_t(7));
        QCOMPARE(s0.annId.value_or(-1), std::int64_t(70));
        QVERIFY(s0.bbox.has_value());
        QCOMPARE((*s0.bbox)[2], 3.0);
        QCOMPARE(s0.imageWidth, 4);
        QCOMPARE(s0.imageHeight, 3);
        QVERIFY(sameMask(data.loadMask(0), maskA()));
        const cv::Mat image = data.loadImage(0);
        QCOMPARE(image.type(), CV_8UC3);
        QCOMPARE(image.at<cv::Vec3b>(0, 0), cv::Vec3b(255, 0, 0)); // RGB order
        QCOMPARE(image.at<cv::Vec3b>(2, 3), cv::Vec3b(10, 20, 30));

        QCOMPARE(data.sample(1).lineNumber, std::size_t(2));
        QCOMPARE(QString::fromStdString(data.sample(1).split), QString("val"));
        QVERIFY(!data.sample(1).imageId.has_value());
        QVERIFY(sameMask(data.loadMask(1), maskA()));

        cv::Mat expectedBox = cv::Mat::zeros(5, 6, CV_8UC1);
        expectedBox(cv::Rect(1, 1, 3, 2)).setTo(1);
        QVERIFY(sameMask(data.loadMask(2), expectedBox));
        const cv::Mat grey = data.loadImage(2);
        QCOMPARE(grey.at<cv::Vec3b>(4, 5), cv::Vec3b(77, 77, 77));

        QCOMPARE(data.sample(3).lineNumber, std::size_t(16));
        QVERIFY(sameMask(data.loadMask(3), maskA()));

        // Split filter: only the two "val" lines; other splits are neither samples nor warnings
        // (the malformed lines still are).
        options.split = "val";
        const RSRefSegDataset val =
            RSRefSegDataset::load(jsonl.toStdString(), mImages.toStdString(), options);
        QCOMPARE(val.size(), std::size_t(2));
        QCOMPARE(val.sample(0).lineNumber, std::size_t(2));
        QCOMPARE(val.sample(1).lineNumber, std::size_t(16));

        // Without image checks the RLE decides the size; polygon lines cannot be used.
        RSRefSegDataset::Options noImages;
        noImages.checkImages = false;
        const RSRefSegDataset unchecked =
            RSRefSegDataset::load(jsonl.toStdString(), mImages.toStdString(), noImages);
        bool polygonWarned = false;
        for (const auto &w : unchecked.warnings())
            polygonWarned = polygonWarned || (w.lineNumber == 3 &&
                                              w.message.find("image size") != std::string::npos);
        QVERIFY(polygonWarned);
        // Line 6 (missing image) and 7 (size) pass unchecked: 1, 2, 6, 7, 12 (long line is
        // under the default 16 MiB bound), 14, 16.
        QCOMPARE(unchecked.size(), std::size_t(7));
    }

    void nothingUsableIsAnError()
    {
        const QString jsonl = mDir.filePath("bad.jsonl");
        writeText(jsonl, "not json\n{\"file_name\":\"nope.png\",\"sent\":\"x\",\"segmentation\":{}}\n");
        try {
            RSRefSegDataset::load(jsonl.toStdString(), mImages.toStdString());
            QFAIL("expected an error");
        } catch (const rsrefseg::Error &e) {
            const QString message = QString::fromUtf8(e.what());
            QVERIFY2(message.contains("no usable sample"), qPrintable(message));
            QVERIFY2(message.contains("2 lines skipped"), qPrintable(message));
            QVERIFY2(message.contains("line 1"), qPrintable(message));
        }
        const QString empty = mDir.filePath("empty.jsonl");
        writeText(empty, "");
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error,
                                 RSRefSegDataset::load(empty.toStdString(), mImages.toStdString()));
        QVERIFY_THROWS_EXCEPTION(
            rsrefseg::Error,
            RSRefSegDataset::load(mDir.filePath("missing.jsonl").toStdString(),
                                  mImages.toStdString()));
        QVERIFY_THROWS_EXCEPTION(
            rsrefseg::Error,
            RSRefSegDataset::load(jsonl.toStdString(), mDir.filePath("no-folder").toStdString()));
    }

    void lineWithoutNewlineAtEnd()
    {
        const QString jsonl = mDir.filePath("last.jsonl");
        const std::string rle = CocoRle::encode(maskA()).toString();
        writeText(jsonl, "\xEF\xBB\xBF" + nlohmann::json{{"file_name", "a.png"}, {"sent", "x"},
                                            {"segmentation", {{"size", {3, 4}}, {"counts", rle}}}}
                                             .dump());
        const RSRefSegDataset data =
            RSRefSegDataset::load(jsonl.toStdString(), mImages.toStdString());
        QCOMPARE(data.size(), std::size_t(1));
        QCOMPARE(data.warnings().size(), std::size_t(0));
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error, data.sample(1));
    }
};

QTEST_APPLESS_MAIN(TestRSRefSegDataset)
#include "test_rsrefsegdataset.moc"
