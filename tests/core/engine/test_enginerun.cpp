// EngineRun's shared tile path, seen through SegmentationEngine::run: every tile report handed
// to Feedback::onTile carries the decoder's global activation map (what the tile inspector
// shows; none for a nodata tile) while the result keeps the numbers only; view and tiled mode
// fill the same report fields; the tokenizer's warning comes from the text features (the query
// is encoded once, the warning survives the text cache) and reaches the result, a message and
// every tile report.
#include "enginetestsupport.h"

#include "common/error.h"
#include "engine/colourtestmodel.h"
#include "engine/segmentationengine.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace rsrefseg;
using namespace rsrefseg::test;

namespace {

// 200 x 150; tiles of 64 with overlap 16: 4 x 3 tiles. The top-right tile (x >= 136, y < 64)
// is all nodata (7).
const std::vector<SceneBox> kBoxes = {
    {50, 20, 40, 40, 0, false}, // red, across tile borders
    {20, 80, 20, 20, 1, false}, // green
};

struct Reported
{
    TileReport report;
    cv::Mat probability;
};

float maxSigmoid(const cv::Mat &logits)
{
    double best = 0.0;
    cv::minMaxLoc(logits, nullptr, &best);
    return static_cast<float>(1.0 / (1.0 + std::exp(-best)));
}

} // namespace

class TestEngineRun : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string mRaster;

    SegmentationRequest request(SegmentationSettings::Mode mode, const std::string &query) const
    {
        SegmentationRequest r;
        r.raster = mRaster;
        r.queries = {query};
        r.settings.mode = mode;
        r.settings.tileSize = 64;
        r.settings.overlap = 16;
        r.settings.gateThreshold = 0.5;
        return r;
    }

    static std::vector<Reported> runCollecting(SegmentationEngine &engine, const SegmentationRequest &r,
                                               SegmentationResult *result, std::vector<std::string> *messages = nullptr)
    {
        std::vector<Reported> out;
        Feedback fb;
        fb.onTile = [&](const TileReport &t, const cv::Mat &p) { out.push_back({t, p}); };
        if (messages)
            fb.onMessage = [messages](const std::string &m) { messages->push_back(m); };
        *result = engine.run(r, &fb);
        return out;
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        RasterSpec s = sceneSpec(200, 150, kBoxes);
        s.hasNoData = true;
        s.noData = 7;
        s.value = [](int b, int x, int y) {
            if (x >= 136 && y < 64)
                return 7.0;
            return double(sceneRgb(kBoxes, x, y)[static_cast<size_t>(b - 1)]);
        };
        mRaster = mDir.filePath("scene.tif").toStdString();
        makeRaster(mRaster, s);
    }

    void tiledReportsCarryTheActivation()
    {
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 8, "colour"});
        SegmentationEngine engine(model);
        SegmentationResult res;
        const std::vector<Reported> reported =
            runCollecting(engine, request(SegmentationSettings::Mode::Tiled, "red"), &res);
        QCOMPARE(reported.size(), size_t(12));
        QCOMPARE(res.queries.at(0).tiles.size(), size_t(12));
        int noData = 0;
        int gated = 0;
        for (size_t i = 0; i < reported.size(); ++i) {
            const TileReport &t = reported[i].report;
            QCOMPARE(t.tileId, int(i));
            if (t.state == TileReport::State::NoData) {
                ++noData;
                QVERIFY(t.activation.empty()); // never decoded
                QVERIFY(reported[i].probability.empty());
            } else {
                gated += t.state == TileReport::State::Gated;
                // The decoder's own grid: relevance is its max sigmoid (ColourTestModel).
                QCOMPARE(t.activation.rows, 8);
                QCOMPARE(t.activation.cols, 8);
                QCOMPARE(t.activation.type(), CV_32FC1);
                QVERIFY(std::abs(maxSigmoid(t.activation) - t.relevance) < 1e-6f);
                QCOMPARE(reported[i].probability.rows, t.window.height);
            }
            // The result keeps the same numbers, without the grid.
            const TileReport &kept = res.queries[0].tiles[i];
            QVERIFY(kept.activation.empty());
            QCOMPARE(QString::fromStdString(kept.toJson().dump()), QString::fromStdString(t.toJson().dump()));
        }
        QCOMPARE(noData, 1);
        QVERIFY(gated > 0);       // tiles without red are gated, yet carry their activation
        QVERIFY(gated < 11);
        // A tile with red: its activation shows it where the red box lies (tile 1: x 48..111).
        const TileReport &t1 = reported[1].report;
        QCOMPARE(t1.state, TileReport::State::Segmented);
        QVERIFY(t1.activation.at<float>(0, 0) < 0.0f); // x 48..55, y 0..7: background only
        QCOMPARE(t1.activation.at<float>(4, 1), ColourTestModel::logitFor(200)); // x 56..63, y 32..39: red
    }

    void viewReportCarriesTheActivation()
    {
        auto model = std::make_shared<ColourTestModel>(ColourTestModel::Options{64, 4, "colour"});
        SegmentationEngine engine(model);
        SegmentationResult res;
        const std::vector<Reported> first =
            runCollecting(engine, request(SegmentationSettings::Mode::View, "red"), &res);
        QCOMPARE(first.size(), size_t(1));
        const TileReport &t = first[0].report;
        QCOMPARE(t.state, TileReport::State::View);
        QCOMPARE(t.window, (PixelWindow{0, 0, 200, 150}));
        QCOMPARE(t.cache, TileReport::Cache::Miss);
        QCOMPARE(t.activation.rows, 4);
        QVERIFY(std::abs(maxSigmoid(t.activation) - t.relevance) < 1e-6f);
        // View mode hands over the probability at the model's resolution.
        QCOMPARE(first[0].probability.rows, 64);
        QVERIFY(res.queries[0].tiles[0].activation.empty());
        // The second run finds the region in the cache: same activation, no encoder.
        const std::vector<Reported> second =
            runCollecting(engine, request(SegmentationSettings::Mode::View, "red"), &res);
        QCOMPARE(second[0].report.cache, TileReport::Cache::Memory);
        QCOMPARE(second[0].report.encodeMs, 0.0);
        QCOMPARE(cv::countNonZero(second[0].report.activation != t.activation), 0);
        QCOMPARE(model->imageEncoderCalls(), int64_t(1));
    }

    void tokenizerWarningComesWithTheTextFeatures()
    {
        ColourTestModel::Options o{64, 8, "colour"};
        o.warnAfterCharacters = 20;
        auto model = std::make_shared<ColourTestModel>(o);
        const std::string longQuery = "the red roofs of the old town";
        const std::string expected = textWarningOf(model->encodeText(longQuery));
        QVERIFY(!expected.empty());
        QVERIFY(textWarningOf(model->encodeText("red")).empty());
        const int64_t textCalls = model->textEncoderCalls();

        SegmentationEngine engine(model);
        for (int pass = 0; pass < 2; ++pass) {
            SegmentationResult res;
            std::vector<std::string> messages;
            const std::vector<Reported> reported =
                runCollecting(engine, request(SegmentationSettings::Mode::Tiled, longQuery), &res, &messages);
            QCOMPARE(res.queries.at(0).warning, expected);
            QVERIFY(std::find(messages.begin(), messages.end(), "query '" + longQuery + "': " + expected) !=
                    messages.end());
            QCOMPARE(reported.size(), size_t(12));
            for (const Reported &r : reported)
                QCOMPARE(r.report.textWarning, expected);
            // Encoded (and tokenized) once; the second pass takes features and warning from the cache.
            QCOMPARE(model->textEncoderCalls(), textCalls + 1);
        }
        // The query result's JSON holds the warning; the tile reports' JSON stays as it was.
        SegmentationResult res;
        runCollecting(engine, request(SegmentationSettings::Mode::View, "red"), &res);
        QVERIFY(res.queries.at(0).warning.empty());
        QVERIFY(res.queries[0].tiles.at(0).textWarning.empty());
        QVERIFY(!res.queries[0].tiles[0].toJson().contains("text_warning"));
    }
};

QTEST_GUILESS_MAIN(TestEngineRun)
#include "test_enginerun.moc"
