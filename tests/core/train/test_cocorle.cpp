// Tests of CocoRle against hand-computed pycocotools encodings (maskApi.c rleEncode /
// rleToString / rleFrString / rleToBbox / rleFrPoly).
#include "common/error.h"
#include "train/cocorle.h"

#include <QtTest/QtTest>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <cmath>
#include <random>

using rsrefseg::CocoRle;

namespace {

cv::Mat maskFromRows(const std::vector<std::string> &rows)
{
    cv::Mat m(static_cast<int>(rows.size()), static_cast<int>(rows.front().size()), CV_8UC1);
    for (int r = 0; r < m.rows; ++r)
        for (int c = 0; c < m.cols; ++c)
            m.at<std::uint8_t>(r, c) = rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)] == '1';
    return m;
}

cv::Mat binary(const cv::Mat &m)
{
    cv::Mat out;
    cv::compare(m, 0, out, cv::CMP_NE);
    return out / 255;
}

bool sameMask(const cv::Mat &a, const cv::Mat &b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

} // namespace

class TestCocoRle : public QObject
{
    Q_OBJECT

  private slots:
    void handComputed3x3()
    {
        // 0 1 0
        // 1 1 0      column-major walk: col0 = 0,1,0  col1 = 1,1,0  col2 = 0,0,1
        // 0 0 1      -> runs 0:1 1:1 0:1 1:2 0:3 1:1 = [1,1,1,2,3,1]
        // String: runs 0..2 as they are: '1','1','1' (48 + 1). From run 3 on the difference to
        // the run two back: 2-1 = 1 -> '1'; 3-1 = 2 -> '2'; 1-2 = -1 -> 5-bit group 0x1f with the
        // sign bit (0x10) set and nothing more to come -> 48 + 31 = 'O'.
        const cv::Mat m = maskFromRows({"010", "110", "001"});
        const CocoRle rle = CocoRle::encode(m);
        QCOMPARE(rle.counts(), (std::vector<std::uint32_t>{1, 1, 1, 2, 3, 1}));
        QCOMPARE(QString::fromStdString(rle.toString()), QString("11112O"));
        QCOMPARE(rle.area(), std::uint64_t(4));
        const auto box = rle.boundingBox();
        QCOMPARE(box, (std::array<double, 4>{0, 0, 3, 3}));
        QVERIFY(sameMask(CocoRle::fromString("11112O", 3, 3).decode(), m));
    }

    void handComputedAllZeroAllOne()
    {
        // All zero 3x3: one run of 9 zeros -> [9] -> '9' (48 + 9 = 57).
        const CocoRle zeros = CocoRle::encode(cv::Mat::zeros(3, 3, CV_8UC1));
        QCOMPARE(zeros.counts(), (std::vector<std::uint32_t>{9}));
        QCOMPARE(QString::fromStdString(zeros.toString()), QString("9"));
        QCOMPARE(zeros.area(), std::uint64_t(0));
        QCOMPARE(zeros.boundingBox(), (std::array<double, 4>{0, 0, 0, 0}));
        // All one 2x2: the first run (zeros) is empty -> [0, 4] -> "04".
        const CocoRle ones = CocoRle::encode(cv::Mat(2, 2, CV_8UC1, cv::Scalar(255)));
        QCOMPARE(ones.counts(), (std::vector<std::uint32_t>{0, 4}));
        QCOMPARE(QString::fromStdString(ones.toString()), QString("04"));
        QCOMPARE(ones.boundingBox(), (std::array<double, 4>{0, 0, 2, 2}));
        QVERIFY(sameMask(CocoRle::fromString("04", 2, 2).decode(),
                         cv::Mat(2, 2, CV_8UC1, cv::Scalar(1))));
    }

    void handComputedStartsWithOnes()
    {
        // 1 x 4 mask 1 1 0 0 -> [0, 2, 2] -> "022".
        const cv::Mat m = maskFromRows({"1100"});
        const CocoRle rle = CocoRle::encode(m);
        QCOMPARE(rle.counts(), (std::vector<std::uint32_t>{0, 2, 2}));
        QCOMPARE(QString::fromStdString(rle.toString()), QString("022"));
        QVERIFY(sameMask(CocoRle::fromString("022", 1, 4).decode(), m));
    }

    void handComputedMultiCharacter()
    {
        // 100 = 0b11_00100: low group 4 with "more" (0x20) -> 48 + 36 = 'T', then 3 -> '3'.
        QCOMPARE(QString::fromStdString(CocoRle::encode(cv::Mat::zeros(10, 10, CV_8UC1)).toString()),
                 QString("T3"));
        QCOMPARE(CocoRle::fromString("T3", 10, 10).counts(), (std::vector<std::uint32_t>{100}));
        // 16 sets bit 4 (the sign bit of a group), so it needs a second group: 0x10|0x20 -> '`',
        // then 0 -> '0'.
        QCOMPARE(QString::fromStdString(CocoRle::encode(cv::Mat::zeros(4, 4, CV_8UC1)).toString()),
                 QString("`0"));
        // Runs [1, 50, 1, 10] on a 1 x 62 mask: '1'; 50 = 18 + 1*32 -> 18|0x20 = 50 -> 'b', then
        // 1 -> '1'; '1'; run 3 is written as 10 - 50 = -40: -40 & 31 = 24, -40 >> 5 = -2, more ->
        // 24|0x20 = 56 -> 'h'; -2 & 31 = 30 (sign bit set), -2 >> 5 = -1, done -> 'N'.
        const CocoRle rle(1, 62, {1, 50, 1, 10});
        QCOMPARE(QString::fromStdString(rle.toString()), QString("1b11hN"));
        QCOMPARE(CocoRle::fromString("1b11hN", 1, 62).counts(),
                 (std::vector<std::uint32_t>{1, 50, 1, 10}));
    }

    void stringsPycocotoolsProduces_data()
    {
        // pycocotools' mask.encode of a 25 x 25 mask whose square [a:b, a:b] is 1, as quoted in
        // the test cases of other COCO mask libraries that check themselves against it.
        QTest::addColumn<int>("a");
        QTest::addColumn<int>("b");
        QTest::addColumn<QString>("counts");
        QTest::newRow("top left") << 0 << 5 << "05d00000000d?";
        QTest::newRow("centre") << 5 << 10 << "R45d00000000b;";
        QTest::newRow("bottom right") << 20 << 25 << "X`05d00000000";
    }

    void stringsPycocotoolsProduces()
    {
        QFETCH(int, a);
        QFETCH(int, b);
        QFETCH(QString, counts);
        cv::Mat m = cv::Mat::zeros(25, 25, CV_8UC1);
        m(cv::Range(a, b), cv::Range(a, b)).setTo(1);
        QCOMPARE(QString::fromStdString(CocoRle::encode(m).toString()), counts);
        QVERIFY(sameMask(CocoRle::fromString(counts.toStdString(), 25, 25).decode(), m));
    }

    void roundTripRandomMasks()
    {
        std::mt19937 rng(1234);
        for (int trial = 0; trial < 60; ++trial) {
            const int h = 1 + static_cast<int>(rng() % 70), w = 1 + static_cast<int>(rng() % 70);
            cv::Mat m(h, w, CV_8UC1);
            // Blobs of varied density so runs of every length (and long differences) occur.
            const unsigned density = rng() % 5;
            for (int r = 0; r < h; ++r)
                for (int c = 0; c < w; ++c)
                    m.at<std::uint8_t>(r, c) =
                        density == 0 ? 0 : (rng() % 7 < density ? 1 : 0) * (1 + rng() % 200);
            if (trial % 3 == 0) // big solid blocks: long runs
                m(cv::Rect(0, 0, w / 2, h)).setTo(trial % 2 ? 1 : 0);
            const CocoRle rle = CocoRle::encode(m);
            const CocoRle back = CocoRle::fromString(rle.toString(), h, w);
            QCOMPARE(back.counts(), rle.counts());
            QVERIFY(back == rle);
            QVERIFY(sameMask(back.decode(), binary(m)));
            QCOMPARE(back.area(), static_cast<std::uint64_t>(cv::countNonZero(m)));
            const CocoRle viaJson = CocoRle::fromJson(rle.toJson());
            QVERIFY(viaJson == rle);
            // The box is the tight box of the mask except for pycocotools' column-spanning rule
            // (tested separately): it always contains every foreground pixel.
            const auto box = rle.boundingBox();
            if (rle.area() > 0) {
                cv::Mat outside = m.clone();
                outside(cv::Rect(int(box[0]), int(box[1]), int(box[2]), int(box[3]))).setTo(0);
                QCOMPARE(cv::countNonZero(outside), 0);
            }
        }
    }

    void boundingBoxLikePycocotools()
    {
        // A 2x2 block at x 3..4, y 1..2 of a 5 (h) x 6 (w) mask.
        cv::Mat m = cv::Mat::zeros(5, 6, CV_8UC1);
        m(cv::Rect(3, 1, 2, 2)).setTo(1);
        QCOMPARE(CocoRle::encode(m).boundingBox(), (std::array<double, 4>{3, 1, 2, 2}));
        // One run crossing a column boundary: bottom pixel of column 0 and top pixel of column 1.
        // pycocotools' rleToBbox then takes the full height: [0, 0, 2, 3].
        const cv::Mat cross = maskFromRows({"01", "00", "10"});
        const CocoRle rle = CocoRle::encode(cross);
        QCOMPARE(rle.counts(), (std::vector<std::uint32_t>{2, 2, 2}));
        QCOMPARE(rle.boundingBox(), (std::array<double, 4>{0, 0, 2, 3}));
    }

    void uncompressedCountsJson()
    {
        const auto j = nlohmann::json::parse(R"({"size":[3,3],"counts":[1,1,1,2,3,1]})");
        QVERIFY(sameMask(CocoRle::fromJson(j).decode(), maskFromRows({"010", "110", "001"})));
        // Non-canonical runs (a zero-length run inside) describe the same mask.
        QVERIFY(CocoRle(3, 3, {1, 0, 1, 1, 2, 3, 1}) == CocoRle(3, 3, {2, 1, 2, 3, 1}));
    }

    void rejectsBadInput_data()
    {
        QTest::addColumn<QString>("counts");
        QTest::addColumn<int>("h");
        QTest::addColumn<int>("w");
        QTest::newRow("character below '0'") << "11 12O" << 3 << 3;
        QTest::newRow("character above 'o'") << "11112~" << 3 << 3;
        QTest::newRow("ends inside a number") << "1b" << 1 << 62;
        QTest::newRow("runs too short") << "9" << 4 << 4;
        QTest::newRow("runs too long") << "T3" << 3 << 3;
        // 'K' = -5 relative to run 1: 1 - 5 = -4 pixels.
        QTest::newRow("negative run") << "111K" << 2 << 3;
        QTest::newRow("number too long") << "oooooooooooooo0" << 3 << 3;
    }

    void rejectsBadInput()
    {
        QFETCH(QString, counts);
        QFETCH(int, h);
        QFETCH(int, w);
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error,
                                 CocoRle::fromString(counts.toStdString(), h, w));
    }

    void rejectsBadJson()
    {
        for (const char *text : {R"({"counts":"9"})", R"({"size":[3],"counts":"9"})",
                                 R"({"size":[3,3]})", R"({"size":[3,3],"counts":5})",
                                 R"({"size":[3,3],"counts":[4,-1,6]})", R"({"size":[-3,3],"counts":""})",
                                 R"([1,2])"}) {
            bool threw = false;
            try {
                CocoRle::fromJson(nlohmann::json::parse(text));
            } catch (const rsrefseg::Error &) {
                threw = true;
            }
            QVERIFY2(threw, text);
        }
    }

    void polygonsLikePycocotools()
    {
        // Pixel-edge coordinates: (1,1)-(4,4) covers pixels 1..3 in x and y (pycocotools:
        // counts [7,3,3,3,3,3,14] on 6x6).
        const CocoRle square = CocoRle::fromPolygons({{1, 1, 4, 1, 4, 4, 1, 4}}, 6, 6);
        QCOMPARE(square.counts(), (std::vector<std::uint32_t>{7, 3, 3, 3, 3, 3, 14}));
        QCOMPARE(CocoRle::fromPolygons({{0, 0, 2, 0, 2, 2, 0, 2}}, 4, 4).area(), std::uint64_t(4));
        // Triangle (0.5,0.5) (5.5,0.5) (0.5,4.5): the pixels whose centres lie strictly inside
        // (the hypotenuse is x + 1.25 y = 6.125; centres on the edges x = 0.5 / y = 0.5 are out).
        const CocoRle triangle = CocoRle::fromPolygons({{0.5, 0.5, 5.5, 0.5, 0.5, 4.5}}, 6, 7);
        QVERIFY(sameMask(triangle.decode(), maskFromRows({"0000000", "0111000", "0110000",
                                                          "0100000", "0000000", "0000000"})));
        // Clipped at the image border.
        const CocoRle clipped = CocoRle::fromPolygons({{-2, -2, 3, -2, 3, 3, -2, 3}}, 5, 5);
        QCOMPARE(clipped.counts(), (std::vector<std::uint32_t>{0, 3, 2, 3, 2, 3, 12}));
        // Several polygons: their union.
        const CocoRle two =
            CocoRle::fromPolygons({{0, 0, 1, 0, 1, 1, 0, 1}, {3, 3, 5, 3, 5, 5, 3, 5}}, 5, 5);
        QCOMPARE(two.area(), std::uint64_t(1 + 4));
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error, CocoRle::fromPolygons({{0, 0, 1, 1}}, 5, 5));
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error, CocoRle::fromPolygons({{0, 0, 1, 1, 2}}, 5, 5));
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error,
                                 CocoRle::fromPolygons({{0, 0, NAN, 1, 2, 2}}, 5, 5));
    }

    void unionOfMasks()
    {
        cv::Mat a = cv::Mat::zeros(4, 5, CV_8UC1), b = a.clone();
        a(cv::Rect(0, 0, 2, 2)).setTo(1);
        b(cv::Rect(1, 1, 3, 2)).setTo(1);
        const CocoRle u = CocoRle::unionOf({CocoRle::encode(a), CocoRle::encode(b)});
        QVERIFY(sameMask(u.decode(), binary(a | b)));
        QCOMPARE(u.area(), std::uint64_t(4 + 6 - 1));
        QVERIFY_THROWS_EXCEPTION(
            rsrefseg::Error,
            CocoRle::unionOf({CocoRle::encode(a), CocoRle::encode(cv::Mat::zeros(4, 4, CV_8UC1))}));
        // Run-by-run union against pixel-wise OR on random masks (including masks that start
        // with ones, all-zero and all-one masks).
        std::mt19937 rng(99);
        for (int trial = 0; trial < 200; ++trial) {
            const int h = 1 + static_cast<int>(rng() % 12), w = 1 + static_cast<int>(rng() % 12);
            std::vector<cv::Mat> parts;
            std::vector<CocoRle> rles;
            const int n = 1 + static_cast<int>(rng() % 3);
            cv::Mat expected = cv::Mat::zeros(h, w, CV_8UC1);
            for (int k = 0; k < n; ++k) {
                cv::Mat m(h, w, CV_8UC1);
                const unsigned mode = rng() % 4;
                for (int r = 0; r < h; ++r)
                    for (int c = 0; c < w; ++c)
                        m.at<std::uint8_t>(r, c) = mode == 0 ? 0 : mode == 1 ? 1 : (rng() % 3 == 0);
                expected |= m;
                rles.push_back(CocoRle::encode(m));
            }
            const CocoRle merged = CocoRle::unionOf(rles);
            QVERIFY(sameMask(merged.decode(), expected));
            QVERIFY(merged == CocoRle::encode(expected));
        }
        // A huge declared size costs nothing: two empty 60000 x 60000 masks.
        const CocoRle huge = CocoRle::unionOf({CocoRle(60000, 60000, {3600000000u}),
                                               CocoRle(60000, 60000, {0, 1, 3599999999u})});
        QCOMPARE(huge.area(), std::uint64_t(1));
    }
};

QTEST_APPLESS_MAIN(TestCocoRle)
#include "test_cocorle.moc"
