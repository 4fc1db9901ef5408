// ProbabilityDisplay: the display grid of a result (factor, row sampling, tiles, encoding).
#include "ui/probabilitydisplay.h"

#include <QTest>

#include <opencv2/core.hpp>

using rsrefseg::PixelWindow;
using rsrefseg::ProbabilityDisplay;

class TestProbabilityDisplay : public QObject
{
    Q_OBJECT
  private slots:
    void factorKeepsTheLongerSideWithinTheLimit()
    {
        QCOMPARE(ProbabilityDisplay({0, 0, 512, 300}).factor(), 1);
        const ProbabilityDisplay big({0, 0, 20000, 9000}, 4096);
        QCOMPARE(big.factor(), 5);
        QVERIFY(big.width() <= 4096);
        QCOMPARE(big.width(), 4000);
        QCOMPARE(big.height(), 1800);
    }

    void encodingIsMonotonicWithNoDataApart()
    {
        QCOMPARE(ProbabilityDisplay::encode(0.0f), uchar(0));
        QCOMPARE(ProbabilityDisplay::encode(1.0f), uchar(254));
        QCOMPARE(ProbabilityDisplay::encode(2.0f), uchar(254));
        QCOMPARE(ProbabilityDisplay::encode(-1.0f), uchar(0));
        QVERIFY(ProbabilityDisplay::encode(0.51f) > ProbabilityDisplay::encode(0.5f));
        QCOMPARE(ProbabilityDisplay::decode(ProbabilityDisplay::kNoData), 0.0f);
    }

    void rowsSampleEveryFactorthRowExactlyOnce()
    {
        // 10 x 10 grid, factor 3 -> 4 x 4 display; row r samples grid row min(3r + 1, 9).
        const ProbabilityDisplay d({100, 200, 10, 10}, 3, true);
        QCOMPARE(d.height(), 4);
        std::vector<int> covered;
        for (int y = 0; y < 10; y += 4) { // blocks of 4 rows
            const int n = std::min(4, 10 - y);
            cv::Mat prob(n, 10, CV_32FC1);
            for (int r = 0; r < n; ++r)
                prob.row(r).setTo((y + r) / 10.0);
            cv::Mat valid(n, 10, CV_8UC1, cv::Scalar(255));
            valid.at<uchar>(0, 4) = 0; // column 4 = display column 1 (sample x 4): nodata in first rows
            int dy = -1;
            const cv::Mat out = d.rows(y, prob, valid, &dy);
            for (int r = 0; r < out.rows; ++r) {
                covered.push_back(dy + r);
                const int sample = std::min(3 * (dy + r) + 1, 9);
                QCOMPARE(int(out.at<uchar>(r, 0)), int(ProbabilityDisplay::encode(sample / 10.0f)));
                if (sample == y)
                    QCOMPARE(out.at<uchar>(r, 1), ProbabilityDisplay::kNoData);
            }
        }
        QCOMPARE(covered, (std::vector<int>{0, 1, 2, 3}));
    }

    void tilesLandInTheirDisplayRectangle()
    {
        const ProbabilityDisplay d({1000, 0, 400, 400}, 2, true);
        cv::Mat prob(64, 64, CV_32FC1, cv::Scalar(1.0f)); // a model-sized output, resized
        QRect r;
        const cv::Mat t = d.tile({1100, 50, 128, 128}, prob, &r);
        QCOMPARE(r, QRect(50, 25, 64, 64));
        QCOMPARE(t.cols, 64);
        QCOMPARE(t.rows, 64);
        QCOMPARE(int(t.at<uchar>(10, 10)), 254);
        // A tile reaching past the window is clipped.
        d.tile({1350, 350, 128, 128}, prob, &r);
        QCOMPARE(r, QRect(175, 175, 25, 25));
    }
};

QTEST_GUILESS_MAIN(TestProbabilityDisplay)
#include "test_probabilitydisplay.moc"
