// TrainConfig: reference defaults, JSON round trip, unknown keys and wrong types are errors
// naming the key, validation names the field at fault.
#include "common/error.h"
#include "train/trainconfig.h"

#include <QtTest>

using namespace rsrefseg;

namespace {

TrainConfig minimal()
{
    TrainConfig c;
    c.trainData = "train.jsonl";
    c.trainImages = "images";
    c.outDir = "run";
    c.initBundle = "bundle";
    return c;
}

QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestTrainConfig : public QObject
{
    Q_OBJECT

  private slots:
    void referenceDefaults()
    {
        const TrainConfig c;
        QCOMPARE(c.loraRank, int64_t(16));
        QCOMPARE(c.loraAlpha, 16.0);
        QCOMPARE(c.loraDropout, 0.1);
        QCOMPARE(c.lr, 1e-4);
        QCOMPARE(c.lossWeight, 5.0);
        QCOMPARE(c.minLrRatio, 0.001);
        QCOMPARE(c.warmupStartFactor, 0.01);
        QCOMPARE(c.weightDecay, 0.05);
        QCOMPARE(c.epochs, int64_t(200));
        QCOMPARE(c.valEvery, int64_t(5));
        QVERIFY(!c.trainAll);
    }

    void jsonRoundTrip()
    {
        TrainConfig c = minimal();
        c.lr = 3e-4;
        c.trainAll = true;
        c.seed = 42;
        c.initLoraAlpha = 8.0;
        const nlohmann::json j = c.toJson();
        QCOMPARE(j["batch_size"].get<int64_t>(), int64_t(1));
        QCOMPARE(j["init_lora_alpha"].get<double>(), 8.0);
        const TrainConfig back = TrainConfig::fromJson(j, "test");
        QCOMPARE(back.toJson(), j);
        QCOMPARE(TrainConfig::fromJson(nlohmann::json::object(), "empty").toJson(), TrainConfig().toJson());
    }

    void badJson()
    {
        QVERIFY(errorOf([] { TrainConfig::fromJson({{"learning_rate", 1e-3}}, "cfg.json"); }).contains("learning_rate"));
        QVERIFY(errorOf([] { TrainConfig::fromJson({{"epochs", "ten"}}, "cfg.json"); }).contains("'epochs'"));
        QVERIFY(errorOf([] { TrainConfig::fromJson(nlohmann::json::array(), "cfg.json"); }).contains("cfg.json"));
    }

    void validation()
    {
        minimal().validate();
        QCOMPARE(minimal().initKind(), std::string("bundle"));
        auto fails = [](const std::function<void(TrainConfig &)> &edit, const char *word) {
            TrainConfig c = minimal();
            edit(c);
            const QString e = errorOf([&] { c.validate(); });
            if (!e.contains(word))
                qWarning() << "expected" << word << "in" << e;
            return e.contains(word);
        };
        QVERIFY(fails([](TrainConfig &c) { c.trainData.clear(); }, "train_data"));
        QVERIFY(fails([](TrainConfig &c) { c.outDir.clear(); }, "out"));
        QVERIFY(fails([](TrainConfig &c) { c.siglipDir = "s"; c.samDir = "m"; }, "exactly one"));
        QVERIFY(fails([](TrainConfig &c) { c.initBundle.clear(); }, "exactly one"));
        QVERIFY(fails([](TrainConfig &c) { c.initBundle.clear(); c.architecture = "a.json"; }, "tokenizer"));
        QVERIFY(fails([](TrainConfig &c) { c.loraDropout = 1.0; }, "lora_dropout"));
        QVERIFY(fails([](TrainConfig &c) { c.batchSize = 0; }, "batch_size"));
        QVERIFY(fails([](TrainConfig &c) { c.lr = -1; }, "lr"));
        QVERIFY(fails([](TrainConfig &c) { c.precision = "fp8"; }, "precision"));
        QVERIFY(fails([](TrainConfig &c) { c.valData = "v.jsonl"; }, "val_images"));
    }

    void warmupSteps()
    {
        TrainConfig c = minimal();
        QCOMPARE(c.warmupStepsFor(100), int64_t(500)); // 5 epochs
        c.warmupEpochs = 0.25;
        QCOMPARE(c.warmupStepsFor(10), int64_t(3));    // rounded
        c.warmupSteps = 7;
        QCOMPARE(c.warmupStepsFor(10), int64_t(7));
    }
};

QTEST_APPLESS_MAIN(TestTrainConfig)
#include "test_trainconfig.moc"
