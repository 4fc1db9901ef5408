// ComponentLabeller: the streaming two-pass labelling agrees with OpenCV's
// connectedComponentsWithStats (4-connectivity) on random masks, finds holes (background not
// touching the border or nodata), sums per-row areas and per-pixel statistics, and refuses a
// second pass that differs from the first.
#include "common/error.h"
#include "engine/componentlabeller.h"

#include <opencv2/imgproc.hpp>

#include <QtTest>

#include <map>
#include <random>
#include <set>

using namespace rsrefseg;

class TestComponentLabeller : public QObject
{
    Q_OBJECT

    // Labels every pixel through the two passes.
    static cv::Mat label(ComponentLabeller &lab, const cv::Mat &classes, double area = 1.0)
    {
        for (int y = 0; y < classes.rows; ++y)
            lab.addRow(classes.ptr<uint8_t>(y), area);
        lab.finish();
        cv::Mat out(classes.size(), CV_32SC1);
        for (int y = 0; y < classes.rows; ++y)
            lab.relabelRow(classes.ptr<uint8_t>(y), [&](int x0, int x1, int32_t c) {
                for (int x = x0; x < x1; ++x)
                    out.at<int32_t>(y, x) = c;
            });
        return out;
    }

  private slots:
    void matchesOpenCv_data()
    {
        QTest::addColumn<int>("seed");
        QTest::addColumn<double>("density");
        for (int seed = 1; seed <= 6; ++seed)
            QTest::newRow(qPrintable(QString("seed %1").arg(seed))) << seed << (0.2 + 0.1 * seed);
    }

    void matchesOpenCv()
    {
        QFETCH(int, seed);
        QFETCH(double, density);
        std::mt19937 rng(static_cast<unsigned>(seed));
        std::bernoulli_distribution on(density);
        cv::Mat m(97, 131, CV_8UC1);
        for (int y = 0; y < m.rows; ++y)
            for (int x = 0; x < m.cols; ++x)
                m.at<uint8_t>(y, x) = on(rng) ? 1 : 0;
        ComponentLabeller lab(m.cols, m.rows);
        const cv::Mat mine = label(lab, m);

        cv::Mat cvLabels;
        cv::Mat stats;
        cv::Mat centroids;
        const int n = cv::connectedComponentsWithStats(m, cvLabels, stats, centroids, 4, CV_32S);
        QCOMPARE(lab.objectCount(), n - 1);
        // Same partition: a one-to-one map between their labels and mine, and the same sizes.
        std::map<int, int32_t> cvToMine;
        std::set<int32_t> used;
        for (int y = 0; y < m.rows; ++y)
            for (int x = 0; x < m.cols; ++x) {
                if (!m.at<uint8_t>(y, x))
                    continue;
                const int c = cvLabels.at<int32_t>(y, x);
                const int32_t me = mine.at<int32_t>(y, x);
                auto it = cvToMine.find(c);
                if (it == cvToMine.end()) {
                    QVERIFY(used.insert(me).second);
                    cvToMine[c] = me;
                } else {
                    QCOMPARE(it->second, me);
                }
            }
        for (const auto &kv : cvToMine) {
            QCOMPARE(lab.component(kv.second).pixels, int64_t(stats.at<int32_t>(kv.first, cv::CC_STAT_AREA)));
            QCOMPARE(lab.component(kv.second).cls, uint8_t(ComponentLabeller::Object));
        }
        // Background: also 4-connected, and the border flag is exactly "reaches the border".
        cv::Mat bg = (m == 0) / 255;
        cv::Mat bgLabels;
        const int nb = cv::connectedComponents(bg, bgLabels, 4, CV_32S);
        int mineBg = 0;
        for (int32_t c = 0; c < lab.componentCount(); ++c)
            mineBg += lab.component(c).cls == ComponentLabeller::Background;
        QCOMPARE(mineBg, nb - 1);
        std::set<int> bordering;
        for (int y = 0; y < m.rows; ++y)
            for (int x = 0; x < m.cols; ++x)
                if (!m.at<uint8_t>(y, x) && (x == 0 || y == 0 || x == m.cols - 1 || y == m.rows - 1))
                    bordering.insert(bgLabels.at<int32_t>(y, x));
        for (int y = 0; y < m.rows; ++y)
            for (int x = 0; x < m.cols; ++x)
                if (!m.at<uint8_t>(y, x))
                    QCOMPARE(lab.component(mine.at<int32_t>(y, x)).touchesEdge,
                             bordering.count(bgLabels.at<int32_t>(y, x)) == 1);
    }

    void holesAndNodata()
    {
        // An object ring around a hole, another ring whose hole touches nodata.
        cv::Mat m(20, 30, CV_8UC1, cv::Scalar::all(0));
        cv::rectangle(m, cv::Rect(2, 2, 8, 8), cv::Scalar::all(1), cv::FILLED);
        cv::rectangle(m, cv::Rect(4, 4, 3, 2), cv::Scalar::all(0), cv::FILLED);    // hole, 6 px
        cv::rectangle(m, cv::Rect(15, 2, 10, 10), cv::Scalar::all(1), cv::FILLED);
        cv::rectangle(m, cv::Rect(17, 4, 4, 4), cv::Scalar::all(0), cv::FILLED);   // hole next to nodata
        m.at<uint8_t>(5, 21) = 255;                                               // nodata inside the ring
        ComponentLabeller lab(m.cols, m.rows);
        const cv::Mat l = label(lab, m, 0.25);
        const auto &hole = lab.component(l.at<int32_t>(4, 4));
        QCOMPARE(hole.cls, uint8_t(ComponentLabeller::Background));
        QVERIFY(!hole.touchesEdge);
        QCOMPARE(hole.pixels, int64_t(6));
        QCOMPARE(hole.area, 1.5);
        QVERIFY(lab.component(l.at<int32_t>(5, 18)).touchesEdge); // touches nodata
        QVERIFY(lab.component(l.at<int32_t>(0, 0)).touchesEdge);  // outside
        QCOMPARE(lab.objectCount(), 2);
        QCOMPARE(lab.component(l.at<int32_t>(2, 2)).objectNumber, 1); // first in raster order
        QCOMPARE(lab.component(l.at<int32_t>(2, 15)).objectNumber, 2);
        QCOMPARE(lab.component(l.at<int32_t>(5, 21)).cls, uint8_t(ComponentLabeller::NoData));
    }

    void statistics()
    {
        cv::Mat m(3, 6, CV_8UC1, cv::Scalar::all(0));
        m(cv::Rect(1, 0, 2, 3)).setTo(cv::Scalar::all(1));
        const uint8_t prob[6] = {0, 255, 51, 0, 0, 0};
        const float rel[6] = {0, 0.5f, 0.9f, 0, 0, 0};
        const float iou[6] = {0, 0.25f, 0.75f, 0, 0, 0};
        ComponentLabeller lab(6, 3);
        for (int y = 0; y < 3; ++y)
            lab.addRow(m.ptr<uint8_t>(y), 1.0 + y, {prob, rel, iou}); // rows of different pixel area
        lab.finish();
        int32_t comp = -1;
        lab.relabelRow(m.ptr<uint8_t>(0), [&](int x0, int, int32_t c) {
            if (x0 == 1)
                comp = c;
        });
        const auto &c = lab.component(comp);
        QCOMPARE(c.pixels, int64_t(6));
        QCOMPARE(c.area, 2.0 * (1.0 + 2.0 + 3.0));
        QVERIFY(std::abs(c.sumProbability - 3.0 * (1.0 + 0.2)) < 1e-12);
        QCOMPARE(c.maxRelevance, 0.9f);
        QVERIFY(std::abs(c.sumIou - 3.0) < 1e-6);
    }

    void replayMustMatch()
    {
        cv::Mat m(2, 4, CV_8UC1, cv::Scalar::all(0));
        ComponentLabeller lab(4, 2);
        QVERIFY_EXCEPTION_THROWN(lab.relabelRow(m.ptr<uint8_t>(0), [](int, int, int32_t) {}), Error);
        lab.addRow(m.ptr<uint8_t>(0), 1.0);
        QVERIFY_EXCEPTION_THROWN(lab.finish(), Error); // a row missing
        lab.addRow(m.ptr<uint8_t>(1), 1.0);
        lab.finish();
        cv::Mat other(1, 4, CV_8UC1, cv::Scalar::all(1));
        QVERIFY_EXCEPTION_THROWN(lab.relabelRow(other.ptr<uint8_t>(0), [](int, int, int32_t) {}), Error);
    }
};

QTEST_APPLESS_MAIN(TestComponentLabeller)
#include "test_componentlabeller.moc"
