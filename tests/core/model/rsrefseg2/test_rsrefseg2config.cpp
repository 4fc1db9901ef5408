// RSRefSeg2Config: the fixture's tiny config.json and the built-in full-size config read as the
// golden README §3 and ../shared/RSREFSEG2.md describe them, round-trip through JSON, and bad
// values are refused with the field named.
#include "../goldentest.h"

#include "model/rsrefseg2/rsrefseg2config.h"

#include <QtTest>

#include <fstream>

using namespace rsrefseg;
using namespace goldentest;

class TestRSRefSeg2Config : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void tinyFixtureConfig()
    {
        const RSRefSeg2Config c = RSRefSeg2Config::fromFile(goldenPath("rsrefseg2/config.json"));
        // README §3: image 128, Hiera 12 / stages [1,2,3,2], windows [8,4,6,4], global [4].
        QCOMPARE(c.imageSize, int64_t{128});
        QCOMPARE(c.embeddingGrid(), int64_t{8});
        QCOMPARE(c.maskInputSize(), int64_t{32});
        QCOMPARE(c.hiera.embedDim, int64_t{12});
        QCOMPARE(c.hiera.stages, (std::vector<int64_t>{1, 2, 3, 2}));
        QCOMPARE(c.hiera.windowSpec, (std::vector<int64_t>{8, 4, 6, 4}));
        QCOMPARE(c.hiera.globalAttBlocks, (std::vector<int64_t>{4}));
        QCOMPARE(c.hiera.numBlocks(), int64_t{8});
        QCOMPARE(c.hiera.stageChannels(), (std::vector<int64_t>{12, 24, 48, 96}));
        QCOMPARE(c.neck.dModel, int64_t{32});
        QCOMPARE(c.siglip.vision.imageSize, int64_t{64});
        QCOMPARE(c.siglipGrid(), int64_t{4});
        QCOMPARE(c.siglip.text.vocabSize, int64_t{384});
        QCOMPARE(c.prompter.mlpDim, int64_t{48});
        QCOMPARE(c.prompter.query2Order.size(), size_t{16});
        QCOMPARE(c.lora.r, int64_t{4});
        QCOMPARE(c.lora.scale(), 1.5);
        QCOMPARE(c.heads.stabilityThresh, 0.98);
    }

    void fullConfigIsTheManifest()
    {
        // The built-in full-size config equals the fixture's manifest of the released model.
        const RSRefSeg2Config manifest =
            RSRefSeg2Config::fromFile(goldenPath("rsrefseg2/manifests/rsrefseg2-full.config.json"));
        const RSRefSeg2Config full = RSRefSeg2Config::full();
        QVERIFY(manifest == full);
        QCOMPARE(full.hiera.stageChannels(), (std::vector<int64_t>{144, 288, 576, 1152}));
        QCOMPARE(full.embeddingGrid(), int64_t{64});
        QCOMPARE(full.maskInputSize(), int64_t{256});
        QCOMPARE(full.siglipGrid(), int64_t{32});
    }

    void roundTrip()
    {
        const RSRefSeg2Config tiny = RSRefSeg2Config::fromFile(goldenPath("rsrefseg2/config.json"));
        QVERIFY(RSRefSeg2Config::fromJson(tiny.toJson(), "round trip") == tiny);
        const RSRefSeg2Config full = RSRefSeg2Config::full();
        QVERIFY(RSRefSeg2Config::fromJson(full.toJson(), "round trip") == full);
        QVERIFY(!(tiny == full));
    }

    void badValuesNameTheField()
    {
        const nlohmann::json good = RSRefSeg2Config::full().toJson();
        auto errorFor = [&](const std::function<void(nlohmann::json &)> &edit) {
            nlohmann::json j = good;
            edit(j);
            return errorOf([&] { RSRefSeg2Config::fromJson(j, "cfg.json"); });
        };
        QString e = errorFor([](nlohmann::json &j) { j["hiera"].erase("window_spec"); });
        QVERIFY2(e.contains("cfg.json") && e.contains("hiera.window_spec"), qPrintable(e));
        e = errorFor([](nlohmann::json &j) { j["neck"]["d_model"] = "wide"; });
        QVERIFY2(e.contains("neck.d_model") && e.contains("wrong type"), qPrintable(e));
        e = errorFor([](nlohmann::json &j) { j["neck"]["backbone_channel_list"] = {1152, 576, 288, 100}; });
        QVERIFY2(e.contains("backbone_channel_list"), qPrintable(e));
        e = errorFor([](nlohmann::json &j) { j["prompter"]["prompt_feat_dim"] = 128; });
        QVERIFY2(e.contains("prompt_feat_dim"), qPrintable(e));
        e = errorFor([](nlohmann::json &j) { j["hiera"]["global_att_blocks"] = {23, 48}; });
        QVERIFY2(e.contains("global_att_blocks") && e.contains("48"), qPrintable(e));
        e = errorFor([](nlohmann::json &j) { j["siglip"]["processor"]["size"]["height"] = 384; });
        QVERIFY2(e.contains("siglip.processor.size"), qPrintable(e));
        QVERIFY(errorOf([] { RSRefSeg2Config::fromJson(nlohmann::json::array(), "cfg.json"); }).contains("cfg.json"));
        QVERIFY(errorOf([] { RSRefSeg2Config::fromFile("/nonexistent/config.json"); }).contains("/nonexistent/config.json"));
    }
};

QTEST_APPLESS_MAIN(TestRSRefSeg2Config)
#include "test_rsrefseg2config.moc"
