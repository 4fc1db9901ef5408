// Tests SiglipConfig: HF defaults for unstated values (checked against the fully resolved
// config.full.json of siglip_tiny and so400m), the built-in so400m config, JSON round trip and
// error messages naming the field at fault.
#include "common/error.h"
#include "model/siglip/siglipconfig.h"

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

// Every value SiglipConfig resolves must equal HF's resolved value in config.full.json.
void checkAgainstFull(const SiglipConfig &cfg, const json &full)
{
    QCOMPARE(cfg.initializerFactor, full.at("initializer_factor").get<double>());
    auto checkEncoder = [](const SiglipEncoderConfig &e, const json &j) {
        QCOMPARE(e.hiddenSize, j.at("hidden_size").get<int64_t>());
        QCOMPARE(e.intermediateSize, j.at("intermediate_size").get<int64_t>());
        QCOMPARE(e.numHiddenLayers, j.at("num_hidden_layers").get<int64_t>());
        QCOMPARE(e.numAttentionHeads, j.at("num_attention_heads").get<int64_t>());
        QCOMPARE(e.hiddenAct, j.at("hidden_act").get<std::string>());
        QCOMPARE(e.layerNormEps, j.at("layer_norm_eps").get<double>());
        QCOMPARE(e.attentionDropout, j.at("attention_dropout").get<double>());
    };
    const json &v = full.at("vision_config");
    checkEncoder(cfg.vision, v);
    QCOMPARE(cfg.vision.numChannels, v.at("num_channels").get<int64_t>());
    QCOMPARE(cfg.vision.imageSize, v.at("image_size").get<int64_t>());
    QCOMPARE(cfg.vision.patchSize, v.at("patch_size").get<int64_t>());
    QVERIFY(cfg.vision.useHead); // HF default when vision_use_head is absent
    QVERIFY(!v.contains("vision_use_head"));
    const json &t = full.at("text_config");
    checkEncoder(cfg.text, t);
    QCOMPARE(cfg.text.vocabSize, t.at("vocab_size").get<int64_t>());
    QCOMPARE(cfg.text.maxPositionEmbeddings, t.at("max_position_embeddings").get<int64_t>());
    auto checkId = [](const std::optional<int64_t> &id, const json &j) {
        if (j.is_null()) {
            QVERIFY(!id.has_value());
        } else {
            QVERIFY(id.has_value());
            QCOMPARE(*id, j.get<int64_t>());
        }
    };
    checkId(cfg.text.padTokenId, t.at("pad_token_id"));
    checkId(cfg.text.bosTokenId, t.at("bos_token_id"));
    checkId(cfg.text.eosTokenId, t.at("eos_token_id"));
}

} // namespace

class TestSiglipConfig : public QObject
{
    Q_OBJECT

  private slots:
    void tinyDefaultsMatchResolvedConfig()
    {
        const SiglipConfig cfg = SiglipConfig::fromFile(golden("siglip_tiny/config.json"));
        checkAgainstFull(cfg, readJson(golden("siglip_tiny/config.full.json")));
        QCOMPARE(cfg.vision.hiddenSize, int64_t(64));
        QCOMPARE(cfg.vision.numPatches(), int64_t(49));
        QCOMPARE(cfg.text.vocabSize, int64_t(200));
        QVERIFY(!cfg.text.bosTokenId.has_value()); // explicit null in config.json
        QCOMPARE(*cfg.text.eosTokenId, int64_t(1));
        // The resolved file parses to the same config.
        QVERIFY(SiglipConfig::fromFile(golden("siglip_tiny/config.full.json")) == cfg);
    }

    void so400mDefaultsMatchResolvedConfig()
    {
        const SiglipConfig cfg = SiglipConfig::fromFile(golden("manifests/siglip-so400m-patch14-384.config.json"));
        checkAgainstFull(cfg, readJson(golden("manifests/siglip-so400m-patch14-384.config.full.json")));
        QVERIFY(SiglipConfig::fromFile(golden("manifests/siglip-so400m-patch14-384.config.full.json")) == cfg);
        QCOMPARE(cfg.vision.gridSize(), int64_t(27));
        QCOMPARE(cfg.vision.numPatches(), int64_t(729));
        QCOMPARE(cfg.vision.headDim(), int64_t(72));
    }

    void builtInSo400mEqualsFile()
    {
        const SiglipConfig file = SiglipConfig::fromFile(golden("manifests/siglip-so400m-patch14-384.config.json"));
        QVERIFY(SiglipConfig::so400mPatch14_384() == file);
        QVERIFY(SiglipConfig::so400mPatch14_384() != SiglipConfig());
    }

    void emptyObjectGivesHfDefaults()
    {
        const SiglipConfig cfg = SiglipConfig::fromJsonText("{}", "inline");
        QVERIFY(cfg == SiglipConfig());
        QCOMPARE(cfg.vision.hiddenSize, int64_t(768));
        QCOMPARE(cfg.vision.intermediateSize, int64_t(3072));
        QCOMPARE(cfg.vision.numHiddenLayers, int64_t(12));
        QCOMPARE(cfg.vision.numAttentionHeads, int64_t(12));
        QCOMPARE(cfg.vision.imageSize, int64_t(224));
        QCOMPARE(cfg.vision.patchSize, int64_t(16));
        QCOMPARE(cfg.vision.numChannels, int64_t(3));
        QCOMPARE(cfg.text.vocabSize, int64_t(32000));
        QCOMPARE(cfg.text.maxPositionEmbeddings, int64_t(64));
        QCOMPARE(*cfg.text.padTokenId, int64_t(1));
        QCOMPARE(*cfg.text.bosTokenId, int64_t(49406));
        QCOMPARE(*cfg.text.eosTokenId, int64_t(49407));
        QCOMPARE(cfg.text.hiddenAct, std::string("gelu_pytorch_tanh"));
        QCOMPARE(cfg.text.layerNormEps, 1e-6);
        // Null sub-configs mean defaults too (HF).
        QVERIFY(SiglipConfig::fromJsonText(R"({"vision_config": null, "text_config": null})", "inline") == cfg);
    }

    void towerOnlyConfigs()
    {
        const SiglipConfig v = SiglipConfig::fromJsonText(
            R"({"model_type": "siglip_vision_model", "hidden_size": 32, "num_attention_heads": 2,
                "vision_use_head": false})",
            "inline");
        QCOMPARE(v.vision.hiddenSize, int64_t(32));
        QVERIFY(!v.vision.useHead);
        QVERIFY(v.text == SiglipTextConfig());
        const SiglipConfig t =
            SiglipConfig::fromJsonText(R"({"model_type": "siglip_text_model", "vocab_size": 99})", "inline");
        QCOMPARE(t.text.vocabSize, int64_t(99));
        QVERIFY(t.vision == SiglipVisionConfig());
    }

    void jsonRoundTrip()
    {
        SiglipConfig cfg = SiglipConfig::fromFile(golden("siglip_tiny/config.json"));
        cfg.vision.useHead = false;
        cfg.text.hiddenAct = "gelu";
        const json j = cfg.toJson();
        QVERIFY(SiglipConfig::fromJson(j, "roundtrip") == cfg);
        QVERIFY(SiglipConfig::fromJsonText(j.dump(), "roundtrip") == cfg);
        const SiglipConfig so = SiglipConfig::so400mPatch14_384();
        QVERIFY(SiglipConfig::fromJson(so.toJson(), "roundtrip") == so);
    }

    void errorsNameTheField()
    {
        QString e =
            errorOf([] { SiglipConfig::fromJsonText(R"({"vision_config": {"hidden_size": "64"}})", "cfg.json"); });
        QVERIFY2(e.contains("cfg.json") && e.contains("vision_config.hidden_size"), qPrintable(e));

        e = errorOf([] { SiglipConfig::fromJsonText(R"({"text_config": {"hidden_size": 65}})", "cfg.json"); });
        QVERIFY2(e.contains("text_config.hidden_size") && e.contains("divisible"), qPrintable(e));

        e = errorOf([] { SiglipConfig::fromJsonText(R"({"text_config": {"hidden_act": "swish"}})", "cfg.json"); });
        QVERIFY2(e.contains("text_config.hidden_act") && e.contains("swish"), qPrintable(e));

        e = errorOf([] { SiglipConfig::fromJsonText(R"({"vision_config": {"patch_size": 0}})", "cfg.json"); });
        QVERIFY2(e.contains("vision_config.patch_size"), qPrintable(e));

        e = errorOf([] { SiglipConfig::fromJsonText(R"({"vision_config": {"layer_norm_eps": "x"}})", "c"); });
        QVERIFY2(e.contains("vision_config.layer_norm_eps"), qPrintable(e));

        e = errorOf([] { SiglipConfig::fromJsonText(R"({"text_config": [1, 2]})", "cfg.json"); });
        QVERIFY2(e.contains("text_config"), qPrintable(e));

        e = errorOf([] { SiglipConfig::fromJsonText(R"({"model_type": "clip"})", "cfg.json"); });
        QVERIFY2(e.contains("model_type") && e.contains("clip"), qPrintable(e));

        e = errorOf([] { SiglipConfig::fromJsonText("{not json", "broken.json"); });
        QVERIFY2(e.contains("broken.json") && e.contains("JSON"), qPrintable(e));

        e = errorOf([] { SiglipConfig::fromFile("/nonexistent/siglip/config.json"); });
        QVERIFY2(e.contains("/nonexistent/siglip/config.json"), qPrintable(e));

        // Floats where HF requires integers are refused, not truncated.
        e = errorOf([] { SiglipConfig::fromJsonText(R"({"vision_config": {"image_size": 384.5}})", "c"); });
        QVERIFY2(e.contains("vision_config.image_size"), qPrintable(e));
    }
};

QTEST_APPLESS_MAIN(TestSiglipConfig)
#include "test_siglipconfig.moc"
