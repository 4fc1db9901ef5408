// ProbabilityStitcher: feathering weights sum to one across every overlap (no seams), rows
// come out once each, in order, as soon as they are final, with bounded buffers; gated tiles
// add nothing; each pixel's owner is its most-weighted contributing tile.
#include "common/error.h"
#include "engine/probabilitystitcher.h"

#include <opencv2/core.hpp>

#include <QtTest>

#include <cmath>
#include <random>

using namespace rsrefseg;

class TestProbabilityStitcher : public QObject
{
    Q_OBJECT

    struct Collected
    {
        cv::Mat prob;
        cv::Mat valid;
        cv::Mat owner;
        std::vector<std::pair<int, int>> blocks; // y, rows
    };

    // Runs a grid where each tile's logits come from logitOf(x, y) (global coordinates).
    static Collected stitch(int w, int h, int tile, int overlap, const std::function<float(int, int, int)> &logitOf,
                            const std::function<bool(const Tile &)> &contributes = {})
    {
        const TileGrid grid(w, h, tile, overlap);
        Collected c;
        c.prob = cv::Mat(h, w, CV_32FC1, cv::Scalar::all(-1));
        c.valid = cv::Mat(h, w, CV_8UC1, cv::Scalar::all(7));
        c.owner = cv::Mat(h, w, CV_32SC1, cv::Scalar::all(-9));
        ProbabilityStitcher s(grid, w, h, [&](int y, const cv::Mat &p, const cv::Mat &v, const cv::Mat &o) {
            c.blocks.emplace_back(y, p.rows);
            p.copyTo(c.prob.rowRange(y, y + p.rows));
            v.copyTo(c.valid.rowRange(y, y + p.rows));
            o.copyTo(c.owner.rowRange(y, y + p.rows));
        });
        for (const Tile &t : grid.tiles()) {
            cv::Mat l(t.valid.height, t.valid.width, CV_32FC1);
            for (int y = 0; y < l.rows; ++y)
                for (int x = 0; x < l.cols; ++x)
                    l.at<float>(y, x) = logitOf(t.id, t.valid.x + x, t.valid.y + y);
            s.addTile(t, l, cv::Mat(l.size(), CV_8UC1, cv::Scalar::all(255)), !contributes || contributes(t));
        }
        Q_ASSERT(s.finished());
        return c;
    }

  private slots:
    void weightsSumToOne()
    {
        for (int length : {100, 150, 333, 1000})
            for (int overlap : {0, 8, 16, 31}) {
                const int tile = 64;
                const std::vector<int> starts = TileGrid::starts(length, tile, overlap);
                std::vector<double> sum(static_cast<size_t>(length), 0.0);
                std::vector<int> cover(static_cast<size_t>(length), 0);
                for (size_t i = 0; i < starts.size(); ++i) {
                    const std::vector<float> w = ProbabilityStitcher::axisWeights(starts, int(i), tile, length);
                    for (size_t d = 0; d < w.size(); ++d) {
                        QVERIFY(w[d] > 0.0f && w[d] <= 1.0f);
                        sum[static_cast<size_t>(starts[i]) + d] += w[d];
                        ++cover[static_cast<size_t>(starts[i]) + d];
                    }
                }
                // Where two tiles meet the ramps sum to one. Where three meet (a last tile shifted
                // into a large overlap) the blend is normalised by the sum anyway.
                for (int x = 0; x < length; ++x)
                    if (cover[static_cast<size_t>(x)] <= 2 && std::abs(sum[static_cast<size_t>(x)] - 1.0) > 1e-5)
                        QFAIL(qPrintable(QString("length %1 overlap %2: weight sum %3 at %4")
                                             .arg(length).arg(overlap).arg(sum[static_cast<size_t>(x)]).arg(x)));
            }
    }

    void rowsOnceInOrder()
    {
        const Collected c = stitch(150, 333, 64, 16, [](int, int, int) { return 0.0f; });
        int next = 0;
        for (const auto &b : c.blocks) {
            QCOMPARE(b.first, next);
            QVERIFY(b.second > 0 && b.second <= 64);
            next += b.second;
        }
        QCOMPARE(next, 333);
        QCOMPARE(cv::countNonZero(c.valid != 255), 0);
    }

    // Identical logits from every tile: the blend is exactly the per-pixel value (no seam).
    void seamless()
    {
        auto field = [](int, int x, int y) { return static_cast<float>(std::sin(x * 0.05) * 4.0 + std::cos(y * 0.07) * 3.0); };
        const Collected c = stitch(300, 200, 64, 20, field);
        double worst = 0;
        for (int y = 0; y < 200; ++y)
            for (int x = 0; x < 300; ++x)
                worst = std::max(worst, std::abs(c.prob.at<float>(y, x) - 1.0 / (1.0 + std::exp(-field(0, x, y)))));
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
    }

    // Tiles that disagree: the blend moves linearly across the overlap, with no jump.
    void continuousBlend()
    {
        const Collected c = stitch(112, 64, 64, 16, [](int id, int, int) { return id == 0 ? -4.0f : 4.0f; });
        // Tiles start at 0 and 48: the overlap is columns 48..63.
        QVERIFY(std::abs(c.prob.at<float>(10, 40) - 1.0 / (1.0 + std::exp(4.0))) < 1e-6);
        QVERIFY(std::abs(c.prob.at<float>(10, 70) - 1.0 / (1.0 + std::exp(-4.0))) < 1e-6);
        double previous = 0.0;
        for (int x = 47; x <= 64; ++x) {
            const double logit = std::log(c.prob.at<float>(10, x) / (1.0 - c.prob.at<float>(10, x)));
            const double expected = x < 48 ? -4.0 : x > 63 ? 4.0 : -4.0 + 8.0 * ((x - 48) + 0.5) / 16.0;
            QVERIFY2(std::abs(logit - expected) < 1e-3, qPrintable(QString("x %1: %2 vs %3").arg(x).arg(logit).arg(expected)));
            QVERIFY(logit >= previous || x == 47);
            previous = logit;
        }
        // Owners switch at the middle of the overlap.
        QCOMPARE(c.owner.at<int32_t>(5, 55), 0);
        QCOMPARE(c.owner.at<int32_t>(5, 56), 1);
    }

    void gatedTilesAddNothing()
    {
        const Collected c = stitch(
            112, 64, 64, 16, [](int id, int, int) { return id == 0 ? -4.0f : 4.0f; },
            [](const Tile &t) { return t.id != 0; });
        // Tile 0 gated: its overlap shows tile 1's value; its own part has no contribution.
        QVERIFY(std::abs(c.prob.at<float>(3, 50) - 1.0 / (1.0 + std::exp(-4.0))) < 1e-6);
        QCOMPARE(c.prob.at<float>(3, 10), 0.0f);
        QCOMPARE(c.owner.at<int32_t>(3, 10), -1);
        QCOMPARE(c.owner.at<int32_t>(3, 50), 1);
        QCOMPARE(int(c.valid.at<uint8_t>(3, 10)), 255); // validity still comes through
    }

    // Buffers hold one tile row of the output, whatever the height (30,000 x 30,000 included).
    void boundedBuffers()
    {
        const TileGrid grid(30000, 30000, 256, 32);
        ProbabilityStitcher s(grid, 30000, 30000, [](int, const cv::Mat &, const cv::Mat &, const cv::Mat &) {});
        QCOMPARE(s.bufferBytes(), size_t(256) * 30000 * 13);
        // ~100 MB instead of 3.6 GB for one full-size float array.
        QVERIFY(s.bufferBytes() < size_t(30000) * 30000 * 4 / 30);
    }

    void refusesDisorder()
    {
        const TileGrid grid(100, 100, 64, 16);
        ProbabilityStitcher s(grid, 100, 100, [](int, const cv::Mat &, const cv::Mat &, const cv::Mat &) {});
        const Tile &t1 = grid.tile(1);
        const cv::Mat v(t1.valid.height, t1.valid.width, CV_8UC1, cv::Scalar::all(255));
        QVERIFY_EXCEPTION_THROWN(s.addTile(t1, cv::Mat(), v, false), Error);
        const Tile &t0 = grid.tile(0);
        QVERIFY_EXCEPTION_THROWN(s.addTile(t0, cv::Mat(3, 3, CV_32FC1), v, true), Error);
    }
};

QTEST_APPLESS_MAIN(TestProbabilityStitcher)
#include "test_probabilitystitcher.moc"
