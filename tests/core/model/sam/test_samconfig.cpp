// Tests SamConfig: SamConfig defaults for unstated values (checked value by value against the
// fully resolved config.full.json of sam_tiny, sam_tiny_w3 and sam-vit-base), the built-in
// sam-vit-base config, the derived mlp_dim / image_embedding_size, JSON round trip, and errors
// that name the file and field at fault.
#include "common/error.h"
#include "model/sam/samconfig.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <fstream>
#include <functional>
#include "testpaths.h"

using namespace rsrefseg;
using nlohmann::json;

namespace {

std::string golden(const std::string &relative)
{
    return rsrefseg::test::testDataDir() + "/golden/" + relative;
}

json readJson(const std::string &path)
{
    std::ifstream in(path);
    return json::parse(in);
}

QString errorOf(const std::function<void()> &fn)
{
    try {
        fn();
    } catch (const Error &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

// Every value SamConfig resolves (toJson writes all of them) must equal HF's resolved value.
void checkAgainstFull(const SamConfig &cfg, const json &full)
{
    const json mine = cfg.toJson();
    QCOMPARE(mine.at("initializer_range").get<double>(), full.at("initializer_range").get<double>());
    int checked = 0;
    for (const char *sub : {"vision_config", "prompt_encoder_config", "mask_decoder_config"}) {
        for (const auto &item : mine.at(sub).items()) {
            const std::string where = std::string(sub) + "." + item.key();
            QVERIFY2(full.at(sub).contains(item.key()), where.c_str());
            const json &expected = full.at(sub).at(item.key());
            // Numbers compare by value (HF writes mlp_ratio 4.0, eps 1e-06 ...).
            if (expected.is_number())
                QVERIFY2(item.value().is_number() && item.value().get<double>() == expected.get<double>(), where.c_str());
            else
                QVERIFY2(item.value() == expected, where.c_str());
            ++checked;
        }
    }
    QCOMPARE(checked, 18 + 8 + 10);
}

} // namespace

class TestSamConfig : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void tinyConfigResolvesLikeHf()
    {
        const SamConfig fromDiff = SamConfig::fromFile(golden("sam_tiny/config.json"));
        const SamConfig fromFull = SamConfig::fromFile(golden("sam_tiny/config.full.json"));
        QVERIFY(fromDiff == fromFull);
        checkAgainstFull(fromDiff, readJson(golden("sam_tiny/config.full.json")));
        // Spot checks of the values the tiny model relies on.
        QCOMPARE(fromDiff.vision.hiddenSize, int64_t(64));
        QCOMPARE(fromDiff.vision.windowSize, int64_t(4));
        QCOMPARE(fromDiff.vision.globalAttnIndexes, std::vector<int64_t>({1}));
        QCOMPARE(fromDiff.vision.layerWindowSize(0), int64_t(4));
        QCOMPARE(fromDiff.vision.layerWindowSize(1), int64_t(0));
        QCOMPARE(fromDiff.vision.gridSize(), int64_t(8));
        QCOMPARE(fromDiff.promptEncoder.maskInputChannels, int64_t(16)); // default, not stated
        QCOMPARE(fromDiff.promptEncoder.imageEmbeddingSize(), int64_t(8));
        QCOMPARE(fromDiff.maskDecoder.numMultimaskOutputs, int64_t(3));
        QVERIFY(fromDiff != SamConfig::samVitBase());
    }

    void w3ConfigResolvesLikeHf()
    {
        const SamConfig cfg = SamConfig::fromFile(golden("sam_tiny_w3/config.json"));
        QCOMPARE(cfg.vision.windowSize, int64_t(3));
        checkAgainstFull(cfg, readJson(golden("sam_tiny_w3/config.full.json")));
    }

    void vitBaseBuiltInEqualsManifest()
    {
        const SamConfig builtIn = SamConfig::samVitBase();
        QVERIFY(builtIn == SamConfig::fromFile(golden("manifests/sam-vit-base.config.json")));
        QVERIFY(builtIn == SamConfig::fromFile(golden("manifests/sam-vit-base.config.full.json")));
        checkAgainstFull(builtIn, readJson(golden("manifests/sam-vit-base.config.full.json")));
        QCOMPARE(builtIn.vision.mlpDim, int64_t(3072));
        QCOMPARE(builtIn.vision.gridSize(), int64_t(64));
        QCOMPARE(builtIn.promptEncoder.imageEmbeddingSize(), int64_t(64));
    }

    void roundTripThroughJson()
    {
        const SamConfig tiny = SamConfig::fromFile(golden("sam_tiny/config.json"));
        QVERIFY(SamConfig::fromJson(tiny.toJson(), "round trip") == tiny);
        QVERIFY(SamConfig::fromJson(SamConfig::samVitBase().toJson(), "round trip") == SamConfig::samVitBase());
    }

    void mlpDimDerivedFromRatio()
    {
        // HF: mlp_dim = int(hidden_size * mlp_ratio) when mlp_dim is absent or null.
        json j = {{"vision_config", {{"hidden_size", 96}, {"num_attention_heads", 4}, {"mlp_ratio", 2.5}}}};
        QCOMPARE(SamConfig::fromJson(j, "x").vision.mlpDim, int64_t(240));
        j["vision_config"]["mlp_dim"] = nullptr;
        QCOMPARE(SamConfig::fromJson(j, "x").vision.mlpDim, int64_t(240));
        j["vision_config"]["mlp_dim"] = 100;
        QCOMPARE(SamConfig::fromJson(j, "x").vision.mlpDim, int64_t(100));
        // An empty object is sam-vit-base.
        QVERIFY(SamConfig::fromJson(json::object(), "x") == SamConfig::samVitBase());
    }

    void statedImageEmbeddingSizeIsDerived()
    {
        // HF overwrites a stated image_embedding_size with image_size // patch_size.
        json j = {{"prompt_encoder_config", {{"image_embedding_size", 32}}}};
        QCOMPARE(SamConfig::fromJson(j, "x").promptEncoder.imageEmbeddingSize(), int64_t(64));
    }

    void errorsNameFileAndField()
    {
        json j = {{"vision_config", {{"hidden_size", "big"}}}};
        QString e = errorOf([&] { SamConfig::fromJson(j, "cfg.json"); });
        QVERIFY2(e.contains("cfg.json") && e.contains("vision_config.hidden_size"), qPrintable(e));

        j = {{"mask_decoder_config", {{"num_attention_heads", 3}}}};
        e = errorOf([&] { SamConfig::fromJson(j, "cfg.json"); });
        QVERIFY2(e.contains("mask_decoder_config.hidden_size") && e.contains("num_attention_heads"), qPrintable(e));

        j = {{"vision_config", {{"num_pos_feats", 64}}}};
        e = errorOf([&] { SamConfig::fromJson(j, "cfg.json"); });
        QVERIFY2(e.contains("num_pos_feats"), qPrintable(e));

        j = {{"vision_config", {{"hidden_act", "swish"}}}};
        e = errorOf([&] { SamConfig::fromJson(j, "cfg.json"); });
        QVERIFY2(e.contains("vision_config.hidden_act") && e.contains("swish"), qPrintable(e));

        j = {{"vision_config", {{"global_attn_indexes", {1, "two"}}}}};
        e = errorOf([&] { SamConfig::fromJson(j, "cfg.json"); });
        QVERIFY2(e.contains("vision_config.global_attn_indexes"), qPrintable(e));

        j = {{"prompt_encoder_config", {{"mask_input_channels", 6}}}};
        e = errorOf([&] { SamConfig::fromJson(j, "cfg.json"); });
        QVERIFY2(e.contains("prompt_encoder_config.mask_input_channels"), qPrintable(e));

        j = {{"vision_config", 3}};
        e = errorOf([&] { SamConfig::fromJson(j, "cfg.json"); });
        QVERIFY2(e.contains("vision_config"), qPrintable(e));

        e = errorOf([] { SamConfig::fromFile("/nonexistent/sam/config.json"); });
        QVERIFY2(e.contains("/nonexistent/sam/config.json"), qPrintable(e));
    }

    void invalidJsonFileNamesTheFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("config.json").toStdString();
        {
            std::ofstream out(path);
            out << "{ \"vision_config\": ";
        }
        const QString e = errorOf([&] { SamConfig::fromFile(path); });
        QVERIFY2(e.contains(QString::fromStdString(path)) && e.contains("JSON"), qPrintable(e));
    }
};

QTEST_APPLESS_MAIN(TestSamConfig)
#include "test_samconfig.moc"
