// CheckpointNames at full size: every key and shape of the real-world files (RSRefSeg-b with
// PEFT names, merged, HF SiglipModel so400m, HF SamModel vit-base; golden manifests) lands on a
// tensor of the same shape in RSRefSegModel(rsrefsegB), and nothing is left over: real
// checkpoints will load.
//
// LibTorch 1.13's C++ API cannot construct modules on the meta device, so the model is built
// part by part (largest part: the SigLIP text tower, ~450 M floats) and each part is freed before
// the next: the peak stays below 2 GB instead of the 3.9 GB of the whole model.
#include "rsrefseggolden.h"

#include "common/error.h"
#include "model/rsrefseg/checkpointnames.h"
#include "model/rsrefseg/rsrefsegmodel.h"

#include <QtTest>

#include <fstream>
#include <functional>

using namespace rsrefseg;
using namespace rsgolden;

namespace {

using Shapes = std::map<std::string, std::vector<int64_t>>;

Shapes readManifest(const std::string &relative)
{
    std::ifstream in(golden(relative));
    const nlohmann::json j = nlohmann::json::parse(in);
    Shapes out;
    for (const auto &e : j)
        out[e.at("name").get<std::string>()] = e.at("shape").get<std::vector<int64_t>>();
    return out;
}

void addShapes(Shapes &out, torch::nn::Module &m, const std::string &prefix)
{
    for (const auto &p : m.named_parameters(true))
        out[prefix + p.key()] = p.value().sizes().vec();
    for (const auto &b : m.named_buffers(true))
        out[prefix + b.key()] = b.value().sizes().vec();
}

// Names and shapes of RSRefSegModel(rsrefsegB), built one part at a time.
Shapes fullSizeShapes(bool lora)
{
    torch::NoGradGuard noGrad;
    const RSRefSegConfig c = RSRefSegConfig::rsrefsegB();
    Shapes out;
    {
        SamVisionEncoder sam(c.sam.vision);
        if (lora)
            sam->enableLora(16, 16.0, 0.0);
        addShapes(out, *sam, "backbone.model.");
    }
    {
        SamPositionalEmbedding pe(c.sam.vision.numPosFeats);
        addShapes(out, *pe, "backbone.shared_image_embedding.");
    }
    {
        SiglipVisionTransformer v(c.siglip.vision);
        if (lora)
            v->enableLora(16, 16.0, 0.0);
        addShapes(out, *v, "clip_vision_encoder.model.");
    }
    {
        SiglipTextTransformer t(c.siglip.text);
        if (lora)
            t->enableLora(16, 16.0, 0.0);
        addShapes(out, *t, "clip_text_encoder.model.");
    }
    out["clip_text_encoder.logit_scale"] = {1};
    out["clip_text_encoder.logit_bias"] = {1};
    {
        SamPromptEncoder p(c.sam.promptEncoder);
        addShapes(out, *p, "sam_prompt_encoder.model.");
        SamMaskDecoder d(c.sam.maskDecoder);
        addShapes(out, *d, "sam_mask_decoder.model.");
    }
    {
        // The prompter is small: take it from a model whose big towers are tiny.
        RSRefSegConfig small = c;
        small.siglip.vision.numHiddenLayers = 0;
        small.siglip.text.numHiddenLayers = 0;
        small.sam.vision.numHiddenLayers = 0;
        small.sam.vision.globalAttnIndexes.clear();
        RSRefSegModel m(small);
        for (const auto &p : m->named_parameters(true))
            if (p.key().rfind("prompter_", 0) == 0)
                out[p.key()] = p.value().sizes().vec();
        for (const auto &b : m->named_buffers(true))
            if (b.key().rfind("prompter_", 0) == 0)
                out[b.key()] = b.value().sizes().vec();
    }
    return out;
}

// Renames the manifest's names through `rename` (tensors of the right shape, no data).
Shapes renamed(const Shapes &manifest, const std::function<TensorMap(const TensorMap &)> &rename)
{
    TensorMap fake;
    for (const auto &[name, shape] : manifest)
        fake[name] = torch::zeros({}).expand(shape);
    Shapes out;
    for (const auto &[name, t] : rename(fake))
        out[name] = t.sizes().vec();
    return out;
}

void expectSame(const Shapes &actual, const Shapes &expected)
{
    for (const auto &[name, shape] : expected) {
        const auto it = actual.find(name);
        QVERIFY2(it != actual.end(), ("model lacks " + name).c_str());
        QVERIFY2(it->second == shape, ("shape differs for " + name).c_str());
    }
    for (const auto &entry : actual)
        QVERIFY2(expected.count(entry.first), ("not in the file: " + entry.first).c_str());
}

} // namespace

class TestCheckpointNames : public QObject
{
    Q_OBJECT

  private slots:
    void peftCheckpointMapsOntoFullSizeModel()
    {
        const Shapes manifest = readManifest("manifests/rsrefseg-b.keys.json");
        QCOMPARE(manifest.size(), size_t(1759));
        const Shapes mapped = renamed(manifest, [](const TensorMap &t) {
            return CheckpointNames::fromRSRefSegCheckpoint(t, "rsrefseg-b");
        });
        QCOMPARE(mapped.size(), manifest.size());
        expectSame(fullSizeShapes(true), mapped);

        TensorMap fake;
        for (const auto &[name, shape] : mapped)
            fake[name] = torch::zeros({}).expand(shape);
        QCOMPARE(CheckpointNames::loraRank(fake, "rsrefseg-b"), int64_t(16));
        QCOMPARE(CheckpointNames::downSpatialTimes(fake), int64_t(2));
    }

    void mergedCheckpointMapsOntoFullSizeModel()
    {
        const Shapes manifest = readManifest("manifests/rsrefseg-b.merged.keys.json");
        const Shapes mapped = renamed(manifest, [](const TensorMap &t) {
            return CheckpointNames::fromRSRefSegCheckpoint(t, "merged");
        });
        expectSame(fullSizeShapes(false), mapped);
    }

    void hfFoldersCoverTheEncoders()
    {
        const Shapes model = fullSizeShapes(false);
        const Shapes siglip = renamed(readManifest("manifests/siglip-so400m-patch14-384.keys.json"),
                                      [](const TensorMap &t) { return CheckpointNames::fromHfSiglip(t, "siglip"); });
        QCOMPARE(siglip.size(), size_t(888));
        const Shapes sam = renamed(readManifest("manifests/sam-vit-base.keys.json"),
                                   [](const TensorMap &t) { return CheckpointNames::fromHfSam(t, "sam"); });
        QCOMPARE(sam.size(), size_t(315));
        for (const Shapes *part : {&siglip, &sam})
            for (const auto &[name, shape] : *part) {
                const auto it = model.find(name);
                QVERIFY2(it != model.end(), ("model lacks " + name).c_str());
                QVERIFY2(it->second == shape, ("shape differs for " + name).c_str());
            }
        // Everything but the prompter comes from the two HF folders.
        for (const auto &entry : model)
            if (entry.first.rfind("prompter_", 0) != 0)
                QVERIFY2(siglip.count(entry.first) || sam.count(entry.first), entry.first.c_str());
    }

    void unknownNamesAreRefused()
    {
        TensorMap t{{"decode_head.conv_seg.weight", torch::zeros({1})}};
        QVERIFY_THROWS_EXCEPTION(Error, CheckpointNames::fromRSRefSegCheckpoint(t, "x"));
        TensorMap s{{"vision_model.x", torch::zeros({1})}};
        QVERIFY_THROWS_EXCEPTION(Error, CheckpointNames::fromHfSam(s, "x"));
        // DDP's module. prefix is accepted.
        TensorMap ddp{{"module.prompter_down_channel.conv.weight", torch::zeros({1})}};
        QCOMPARE(CheckpointNames::fromRSRefSegCheckpoint(ddp, "x").begin()->first,
                 std::string("prompter_down_channel.conv.weight"));
        // A lora_A without its lora_B.
        TensorMap half{{"backbone.model.layers.0.attn.qkv.lora_A.weight", torch::zeros({4, 8})}};
        QVERIFY_THROWS_EXCEPTION(Error, CheckpointNames::loraRank(half, "x"));
    }
};

QTEST_GUILESS_MAIN(TestCheckpointNames)
#include "test_checkpointnames.moc"
