// LoraTrainer on the tiny golden model: the reference's trainable split (LoRA, prompter, SAM
// prompt encoder, mask decoder), one step changes only those parameters, the loss falls on a
// fixed batch, an interrupted + resumed run is identical to an uninterrupted one, checkpoints
// refuse a different model, and the exported bundle (LoRA merged) predicts what the trainer's
// unmerged model predicts.
#include "trainfixtures.h"

#include "common/error.h"
#include "model/rsrefseg/modelbundle.h"
#include "model/weights/safetensorsfile.h"
#include "train/loratrainer.h"

#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <filesystem>
#include <fstream>

using namespace rsrefseg;
using namespace trainfixtures;

class TestLoraTrainer : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string mBundle;
    SyntheticSet mTrain;
    SyntheticSet mVal;

    std::string path(const char *name) { return mDir.filePath(name).toStdString(); }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mBundle = makeTinyBundle(path("tiny"));
        mTrain = makeSyntheticSet(path("train"), 3, 11, 2, "train"); // 6 sentences
        mVal = makeSyntheticSet(path("val"), 2, 12, 1, "val");
    }

    void trainableSplitFollowsTheReference()
    {
        LoraTrainer trainer(tinyConfig(mBundle, mTrain, path("split")));
        int lora[3] = {0, 0, 0};
        int prompter = 0, promptEncoder = 0, decoder = 0;
        for (const auto &p : trainer.model()->named_parameters(true)) {
            const std::string &n = p.key();
            QCOMPARE(p.value().requires_grad(), LoraTrainer::isTrainableName(n));
            const bool isLora = n.find(".lora_A.") != std::string::npos || n.find(".lora_B.") != std::string::npos;
            if (isLora) {
                if (n.rfind("backbone.", 0) == 0)
                    ++lora[0];
                else if (n.rfind("clip_vision_encoder.", 0) == 0)
                    ++lora[1];
                else if (n.rfind("clip_text_encoder.", 0) == 0)
                    ++lora[2];
                else
                    QFAIL(("LoRA outside the three encoders: " + n).c_str());
            }
            prompter += n.rfind("prompter_", 0) == 0;
            promptEncoder += n.rfind("sam_prompt_encoder.", 0) == 0;
            decoder += n.rfind("sam_mask_decoder.", 0) == 0;
            // Frozen: the encoders' own weights, SAM's positional table, SigLIP's logit scale.
            if (!isLora && (n.rfind("backbone.", 0) == 0 || n.rfind("clip_", 0) == 0))
                QVERIFY2(!p.value().requires_grad(), n.c_str());
        }
        // Tiny model: SAM 2 layers x (qkv, proj, lin1, lin2) + neck conv1, conv2 = 10 adapters;
        // SigLIP vision 2 x (q, k, v, out) + head out_proj = 9; text 2 x 4 + head = 9 (A + B each).
        QCOMPARE(lora[0], 20);
        QCOMPARE(lora[1], 18);
        QCOMPARE(lora[2], 18);
        QVERIFY(prompter > 0 && promptEncoder > 0 && decoder > 0);
        QVERIFY(trainer.model()->named_parameters(true)["backbone.model.layers.0.attn.qkv.lora_A.weight"].requires_grad());
        QVERIFY(!trainer.model()->named_parameters(true)["backbone.model.layers.0.attn.qkv.weight"].requires_grad());
        QVERIFY(!trainer.model()->logitScale.requires_grad());
    }

    void oneStepChangesOnlyTrainableParameters()
    {
        TrainConfig c = tinyConfig(mBundle, mTrain, path("onestep"));
        c.warmupSteps = 0;
        LoraTrainer trainer(c);
        const auto before = snapshot(*trainer.model());
        const double loss = trainer.trainStep(trainer.trainLoader().batch(0, 0));
        QVERIFY(std::isfinite(loss) && loss > 0.0);
        QCOMPARE(trainer.step(), int64_t(1));

        std::map<std::string, int> changedByGroup;
        for (const auto &p : trainer.model()->named_parameters(true)) {
            const std::string &n = p.key();
            const bool same = torch::equal(before.at(n), p.value().detach());
            if (!LoraTrainer::isTrainableName(n)) {
                QVERIFY2(same, ("frozen parameter changed: " + n).c_str());
                continue;
            }
            if (same) {
                // Only parameters the loss does not reach may stay (IoU head, point embeddings,
                // the SigLIP pooling head's inert LoRA): they have no gradient.
                QVERIFY2(!p.value().grad().defined(), ("trainable parameter with a gradient did not change: " + n).c_str());
                continue;
            }
            std::string group = n.find(".lora_B.") != std::string::npos ? n.substr(0, n.find('.')) + ".lora_B"
                                                                         : n.substr(0, n.find('.'));
            ++changedByGroup[group];
        }
        for (const char *group : {"backbone.lora_B", "clip_vision_encoder.lora_B", "clip_text_encoder.lora_B",
                                  "prompter_down_channel", "prompter_down_spatial", "sam_prompt_encoder", "sam_mask_decoder"})
            QVERIFY2(changedByGroup[group] > 0, group);
        // BatchNorm of the prompter trains in train mode: its running statistics moved.
        QVERIFY(!torch::equal(before.at("buffer:prompter_down_channel.bn.running_mean"),
                              trainer.model()->named_buffers(true)["prompter_down_channel.bn.running_mean"]));
    }

    void lossFallsOnAFixedBatch()
    {
        TrainConfig c = tinyConfig(mBundle, mTrain, path("fixed"));
        c.warmupSteps = 0;
        c.epochs = 20;
        c.lr = 2e-3;
        LoraTrainer trainer(c);
        const TrainingBatch batch = trainer.trainLoader().load({0, 1, 2, 3});
        std::vector<double> losses;
        for (int i = 0; i < 8; ++i)
            losses.push_back(trainer.trainStep(batch));
        qInfo() << "losses on a fixed batch:" << QVector<double>(losses.begin(), losses.end());
        QVERIFY(losses.back() < 0.8 * losses.front());
        QVERIFY(losses[6] < losses[0] && losses[7] < losses[1]);
    }

    void optionalLossTerms()
    {
        // Same seed, same batch: Dice (~1 for an untrained model) and the activation-map term
        // (BCE + Dice on the 7x7 SigLIP grid) add to the reference BCE.
        TrainConfig c = tinyConfig(mBundle, mTrain, path("terms"));
        c.loraDropout = 0.0;
        LoraTrainer plain(c);
        const double bce = plain.trainStep(plain.trainLoader().load({0, 1}));
        c.diceWeight = 1.0;
        LoraTrainer withDice(c);
        const double dice = withDice.trainStep(withDice.trainLoader().load({0, 1}));
        c.activationWeight = 2.0;
        LoraTrainer withBoth(c);
        const double both = withBoth.trainStep(withBoth.trainLoader().load({0, 1}));
        qInfo() << "BCE x 5:" << bce << " + Dice:" << dice << " + activation x 2:" << both;
        QVERIFY(dice - bce > 0.5 && dice - bce <= 1.0);
        QVERIFY(both - dice > 0.5);
    }

    void resumeContinuesWithIdenticalState()
    {
        // Uninterrupted: 2 epochs x 3 steps with validation after each epoch.
        TrainConfig c = tinyConfig(mBundle, mTrain, path("straight"));
        c.valData = mVal.jsonl;
        c.valImages = mVal.images;
        c.valEvery = 1;
        c.exportDir = path("straight-bundle");
        LoraTrainer straight(c);
        QCOMPARE(straight.totalSteps(), int64_t(6));
        const LoraTrainer::Result a = straight.run();
        QVERIFY(a.finished && !a.interrupted);
        QCOMPARE(a.steps, int64_t(6));
        QVERIFY(a.bestStep == 3 || a.bestStep == 6);
        QVERIFY(std::filesystem::exists(a.bestCheckpoint));
        const auto final = snapshot(*straight.model());

        // Interrupted after step 4 (the stop flag is what SIGINT sets in the CLI) ...
        TrainConfig ci = c;
        ci.outDir = path("interrupted");
        ci.exportDir = path("interrupted-bundle");
        std::atomic<bool> stop{false};
        LoraTrainer::Feedback fb;
        fb.progress = [&](const LoraTrainer::Progress &p) {
            if (p.step == 4)
                stop = true;
        };
        fb.stop = &stop;
        LoraTrainer first(ci, fb);
        const LoraTrainer::Result b = first.run();
        QVERIFY(b.interrupted && !b.finished);
        QCOMPARE(b.steps, int64_t(4));
        QVERIFY(!std::filesystem::exists(ci.exportDir)); // no export from an interrupted run

        // ... and resumed from its checkpoint in a fresh trainer (fresh random state).
        const TrainConfig stored = LoraTrainer::checkpointConfig(b.lastCheckpoint);
        QCOMPARE(stored.toJson(), ci.toJson());
        torch::manual_seed(12345); // must not matter: the checkpoint restores the generator
        LoraTrainer second(stored);
        second.loadCheckpoint(b.lastCheckpoint);
        QCOMPARE(second.step(), int64_t(4));
        const LoraTrainer::Result r = second.run();
        QVERIFY(r.finished);
        QCOMPARE(r.steps, int64_t(6));
        QCOMPARE(r.bestStep, a.bestStep);
        QCOMPARE(r.bestGIoU, a.bestGIoU);
        std::string worst;
        const double diff = maxDifference(final, snapshot(*second.model()), &worst);
        qInfo() << "straight vs interrupted + resumed: max |difference|" << diff << QString::fromStdString(worst);
        QVERIFY2(diff <= 1e-6, worst.c_str());

        // The train log has records for both parts and the end.
        std::ifstream log(ci.outDir + "/train_log.jsonl");
        int trainRecords = 0, vals = 0;
        for (std::string line; std::getline(log, line);) {
            const auto j = nlohmann::json::parse(line);
            trainRecords += j["type"] == "train";
            vals += j["type"] == "val";
        }
        QCOMPARE(trainRecords, 6);
        QCOMPARE(vals, 2);

        // The exported bundle (LoRA merged) predicts what the trainer's best model predicted.
        const ModelBundle bundle = ModelBundle::open(r.exportedBundle);
        QVERIFY(bundle.manifest().trained);
        QCOMPARE(bundle.manifest().provenance["steps"].get<int64_t>(), a.bestStep);
        RSRefSegModel exported = bundle.load({"cpu", torch::kFloat32});
        TrainConfig fromBest = LoraTrainer::checkpointConfig(r.bestCheckpoint);
        LoraTrainer reference(fromBest);
        reference.loadCheckpoint(r.bestCheckpoint);
        reference.model()->eval();
        const TrainingBatch batch = reference.trainLoader().load({0});
        torch::NoGradGuard noGrad;
        const auto want = reference.model()->predict(batch.images, batch.inputIds[0]).lowResLogits;
        const auto got = exported->predict(batch.images, batch.inputIds[0]).lowResLogits;
        const double exportDiff = (want - got).abs().max().item<double>();
        qInfo() << "exported (merged) vs trainer (unmerged) logits: max |difference|" << exportDiff;
        QVERIFY(exportDiff < 1e-4);
        for (const auto &p : exported->named_parameters(true))
            QVERIFY2(p.key().find("lora_") == std::string::npos, p.key().c_str());
    }

    void checkpointRefusesAnotherModel()
    {
        TrainConfig c = tinyConfig(mBundle, mTrain, path("refuse"));
        c.maxSteps = 1;
        LoraTrainer trainer(c);
        const LoraTrainer::Result r = trainer.run();
        QCOMPARE(r.steps, int64_t(1));
        TrainConfig other = c;
        other.loraRank = 2;
        LoraTrainer different(other);
        QVERIFY_THROWS_EXCEPTION(Error, different.loadCheckpoint(r.lastCheckpoint));
        // A bundle's weights are not a training checkpoint.
        QVERIFY_THROWS_EXCEPTION(Error, LoraTrainer::checkpointConfig(mBundle + "/model.safetensors"));
    }

    void startsFromHfFoldersAndFromScratch()
    {
        // The real use: HF SigLIP + SAM folders (here the golden tiny ones), no RSRefSeg checkpoint.
        TrainConfig hf = tinyConfig({}, mTrain, path("hf"));
        hf.initBundle.clear();
        hf.siglipDir = golden("siglip_tiny");
        hf.samDir = golden("sam_tiny");
        LoraTrainer fromHf(hf);
        QVERIFY(std::isfinite(fromHf.trainStep(fromHf.trainLoader().batch(0, 0))));
        QVERIFY(!fromHf.model()->named_parameters(true)["backbone.model.layers.0.attn.qkv.weight"].requires_grad());

        // From scratch: an architecture file (the golden sizes) trained in full.
        const std::string arch = path("arch.json");
        {
            std::ifstream siglip(golden("siglip_tiny/config.json")), sam(golden("sam_tiny/config.json"));
            const nlohmann::json a = {{"siglip", nlohmann::json::parse(siglip)}, {"sam", nlohmann::json::parse(sam)},
                                      {"down_spatial_times", 1}};
            std::ofstream(arch) << a.dump(2);
        }
        TrainConfig scratch = tinyConfig({}, mTrain, path("scratch"));
        scratch.initBundle.clear();
        scratch.architecture = arch;
        scratch.tokenizer = golden("siglip_tiny/spiece.model");
        scratch.trainAll = true;
        scratch.maxSteps = 2;
        LoraTrainer fromScratch(scratch);
        QCOMPARE(fromScratch.model()->config().downSpatialTimes, int64_t(1));
        int64_t all = 0;
        for (const auto &p : fromScratch.model()->named_parameters(true)) {
            QVERIFY2(p.value().requires_grad(), p.key().c_str());
            QVERIFY2(p.key().find("lora_") == std::string::npos, p.key().c_str());
            ++all;
        }
        QCOMPARE(int64_t(fromScratch.trainableParameterNames().size()), all);
        const LoraTrainer::Result r = fromScratch.run();
        QCOMPARE(r.steps, int64_t(2));
        // A from-scratch checkpoint holds every weight, so it resumes and exports on its own.
        const SafetensorsFile file = SafetensorsFile::open(r.lastCheckpoint);
        QVERIFY(file.contains("param.backbone.model.layers.0.attn.qkv.weight"));
        LoraTrainer::exportBundle(r.lastCheckpoint, path("scratch-bundle"), false, "scratch");
        QCOMPARE(ModelBundle::open(path("scratch-bundle")).manifest().name, std::string("scratch"));
        // A wrong architecture field is an error naming it.
        std::ofstream(path("badarch.json")) << R"({"siglip": {}, "sam": {}, "down_spatial": 2})";
        QVERIFY_THROWS_EXCEPTION(Error, LoraTrainer::readArchitecture(path("badarch.json")));
    }

    void badDataLinesAreCountedWarnings()
    {
        // The synthetic lines plus a malformed line, an empty sentence and a missing image.
        const std::string jsonl = path("mixed.jsonl");
        {
            std::ifstream in(mTrain.jsonl);
            std::ofstream out(jsonl);
            std::string first;
            std::getline(in, first);
            out << first << "\n{not json\n";
            auto empty = nlohmann::json::parse(first);
            empty["sent"] = "   ";
            out << empty.dump() << "\n";
            auto missing = nlohmann::json::parse(first);
            missing["file_name"] = "nowhere.png";
            out << missing.dump() << "\n";
        }
        std::vector<std::string> messages;
        LoraTrainer::Feedback fb;
        fb.message = [&](const std::string &m) { messages.push_back(m); };
        TrainConfig c = tinyConfig(mBundle, {jsonl, mTrain.images}, path("mixed"));
        LoraTrainer trainer(c, fb);
        QCOMPARE(trainer.trainLoader().stepsPerEpoch(), int64_t(1)); // one usable sample
        QVERIFY(!messages.empty());
        QVERIFY2(messages[0].find("3 line(s) skipped") != std::string::npos, messages[0].c_str());
        bool namesLine2 = false;
        for (const auto &m : messages)
            namesLine2 |= m.find("line 2") != std::string::npos;
        QVERIFY(namesLine2);

        // Nothing usable: a clear error.
        const std::string bad = path("bad.jsonl");
        std::ofstream(bad) << "{not json\n[]\n";
        TrainConfig none = tinyConfig(mBundle, {bad, mTrain.images}, path("none"));
        QVERIFY_THROWS_EXCEPTION(Error, LoraTrainer trainer2(none));
    }

    void badSettingsAreErrors()
    {
        TrainConfig c = tinyConfig(mBundle, mTrain, path("bad"));
        c.architecture = "arch.json"; // two model sources
        QVERIFY_THROWS_EXCEPTION(Error, LoraTrainer trainer(c));
        c = tinyConfig(mBundle, mTrain, path("bad"));
        c.trainData = path("missing.jsonl");
        QVERIFY_THROWS_EXCEPTION(Error, LoraTrainer trainer(c));
    }
};

QTEST_APPLESS_MAIN(TestLoraTrainer)
#include "test_loratrainer.moc"
