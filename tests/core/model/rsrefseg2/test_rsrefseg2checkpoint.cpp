// RSRefSeg2Checkpoint: the fixture's bf16 PEFT checkpoint (plain and `module.`-prefixed) reads
// as the generator's own merged file (model_merged.safetensors, folded in float32 by the
// reference tooling), the merged file reads as itself, and foreign or broken checkpoints are
// refused with the tensor named.
#include "../goldentest.h"

#include "model/rsrefseg2/rsrefseg2checkpoint.h"
#include "model/weights/weightfile.h"

#include <torch/torch.h>

#include <QtTest>

using namespace rsrefseg;
using namespace goldentest;

namespace {

// Folding W + 1.5 B A in float32: measured max abs difference from the generator's fold 0 on
// this machine (the same float32 operations); any difference is a different fold.
constexpr double kFoldAtol = 0.0;

Lora2Config tinyLora()
{
    return RSRefSeg2Config::fromFile(goldenPath("rsrefseg2/config.json")).lora;
}

std::map<std::string, torch::Tensor> expectedMerged()
{
    std::map<std::string, torch::Tensor> all = loadTensors("rsrefseg2/model_merged.safetensors");
    for (auto it = all.begin(); it != all.end();)
        it = it->first.rfind("decode_head.", 0) == 0 ? all.erase(it) : std::next(it);
    return all;
}

void compareWithMerged(const RSRefSeg2Checkpoint::Result &r)
{
    const auto expected = expectedMerged();
    QCOMPARE(r.tensors.size(), expected.size());
    double worst = 0.0;
    for (const auto &[name, tensor] : expected) {
        const auto it = r.tensors.find(name);
        QVERIFY2(it != r.tensors.end(), name.c_str());
        QVERIFY2(it->second.sizes() == tensor.sizes(), name.c_str());
        QCOMPARE(it->second.scalar_type(), tensor.scalar_type());
        const Comparison c = compare(it->second, tensor, kFoldAtol, 0.0);
        worst = std::max(worst, c.maxAbs);
        QVERIFY2(c.close(), qPrintable(c.describe(name)));
    }
    qInfo("max abs difference from the reference's merged weights: %g", worst);
}

} // namespace

class TestRSRefSeg2Checkpoint : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void bf16PeftCheckpointFoldsAsTheReference()
    {
        const auto r = RSRefSeg2Checkpoint::read(goldenPath("rsrefseg2/model.pth"), tinyLora());
        QCOMPARE(r.loraRank, int64_t{4});
        QCOMPARE(r.storedDtype, std::string("bf16"));
        // 40 adapters (golden README §3): 39 folded, the inert vision-head out_proj dropped.
        QCOMPARE(r.foldedAdapters, int64_t{39});
        compareWithMerged(r);
    }

    void modulePrefixIsStripped()
    {
        const auto r = RSRefSeg2Checkpoint::read(goldenPath("rsrefseg2/model_module_prefix.pth"), tinyLora());
        QCOMPARE(r.foldedAdapters, int64_t{39});
        compareWithMerged(r);
    }

    void bf16ValuesWidenExactly()
    {
        // A tensor without adapter is the stored bf16 value, widened without rounding.
        const auto raw = rawCheckpoint();
        const auto r = RSRefSeg2Checkpoint::fromTensors(raw, "model.pth", tinyLora());
        const std::string stored = "prompter.img_pe";
        QVERIFY(raw.at(stored).scalar_type() == torch::kBFloat16);
        QVERIFY(torch::equal(r.tensors.at(stored), raw.at(stored).to(torch::kFloat32)));
        QVERIFY(r.tensors.at("prompter.dense_prompt_conv.1.num_batches_tracked").scalar_type() == torch::kInt64);
    }

    void mergedSafetensorsReadAsThemselves()
    {
        const auto r = RSRefSeg2Checkpoint::read(goldenPath("rsrefseg2/model_merged.safetensors"), tinyLora());
        QCOMPARE(r.loraRank, int64_t{0});
        QCOMPARE(r.foldedAdapters, int64_t{0});
        QCOMPARE(r.storedDtype, std::string("f32"));
        compareWithMerged(r);
    }

    void version1CheckpointIsNamed()
    {
        const QString e = errorOf(
            [] { RSRefSeg2Checkpoint::read(goldenPath("rsrefseg_tiny/model.pth"), tinyLora()); });
        QVERIFY2(e.contains("rsrefseg_tiny/model.pth") && e.contains("RSRefSeg (v1)") &&
                     e.contains("--architecture rsrefseg"),
                 qPrintable(e));
    }

    void foreignAndBrokenTensorsAreNamed()
    {
        auto raw = rawCheckpoint();
        raw["optimizer.state.0"] = torch::zeros({1});
        QString e = errorOf([&] { RSRefSeg2Checkpoint::fromTensors(raw, "ckpt.pth", tinyLora()); });
        QVERIFY2(e.contains("ckpt.pth") && e.contains("optimizer.state.0"), qPrintable(e));

        raw = rawCheckpoint();
        const std::string b = "backbone.model.image_encoder.base_model.model.trunk.blocks.0.attn.qkv.lora_B.default.weight";
        raw.erase(b);
        e = errorOf([&] { RSRefSeg2Checkpoint::fromTensors(raw, "ckpt.pth", tinyLora()); });
        QVERIFY2(e.contains("trunk.blocks.0.attn.qkv") && e.contains("lora_B"), qPrintable(e));

        raw = rawCheckpoint();
        raw.at(b) = torch::zeros({35, 4}, torch::kBFloat16);
        e = errorOf([&] { RSRefSeg2Checkpoint::fromTensors(raw, "ckpt.pth", tinyLora()); });
        QVERIFY2(e.contains("trunk.blocks.0.attn.qkv") && e.contains("[35, 4]"), qPrintable(e));
    }

  private:
    static std::map<std::string, torch::Tensor> rawCheckpoint()
    {
        return WeightFile::readAll(goldenPath("rsrefseg2/model.pth"));
    }
};

QTEST_APPLESS_MAIN(TestRSRefSeg2Checkpoint)
#include "test_rsrefseg2checkpoint.moc"
