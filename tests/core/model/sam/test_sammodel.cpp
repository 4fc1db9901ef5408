// Tests SamModel as a whole: its state-dict layout (every key and shape of sam_tiny's file,
// and of the full-size facebook/sam-vit-base manifest), strict loading with errors that name the
// tensor, tying of the two positional-embedding copies when a file carries only one, and the
// end-to-end HF forward (pixels, no prompts -> golden decoder outputs).
#include "../goldentest.h"

#include "common/error.h"
#include "model/sam/sammodel.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest>

#include <fstream>
#include <set>

using namespace rsrefseg;
using namespace goldentest;

namespace {

std::map<std::string, torch::Tensor> stateOf(torch::nn::Module &module)
{
    std::map<std::string, torch::Tensor> out;
    for (const auto &item : module.named_parameters())
        out.emplace(item.key(), item.value());
    for (const auto &item : module.named_buffers())
        out.emplace(item.key(), item.value());
    return out;
}

} // namespace

class TestSamModel : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void tinyLoadsEveryTensorByName()
    {
        torch::NoGradGuard noGrad;
        const auto file = loadTensors("sam_tiny/model.safetensors");
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        const auto state = stateOf(*model);
        QCOMPARE(state.size(), file.size());
        for (const auto &item : file) {
            const auto it = state.find(item.first);
            QVERIFY2(it != state.end(), item.first.c_str());
            QVERIFY2(torch::equal(it->second, item.second), item.first.c_str());
        }
    }

    void vitBaseLayoutEqualsManifest()
    {
        // Built on the CPU with real (uninitialised-then-random) tensors: 94M floats, ~375 MB.
        // LibTorch has no meta-device module construction in C++ (1.13), and building the real
        // tree is what proves the names and shapes.
        torch::NoGradGuard noGrad;
        std::ifstream in(goldenPath("manifests/sam-vit-base.keys.json"));
        const nlohmann::json manifest = nlohmann::json::parse(in);
        QCOMPARE(manifest.size(), size_t(315));
        SamModel model(SamConfig::samVitBase());
        const auto state = stateOf(*model);
        std::set<std::string> seen;
        int64_t values = 0;
        for (const auto &entry : manifest) {
            const std::string name = entry.at("name").get<std::string>();
            const auto it = state.find(name);
            QVERIFY2(it != state.end(), ("missing " + name).c_str());
            QCOMPARE(it->second.sizes().vec(), entry.at("shape").get<std::vector<int64_t>>());
            QCOMPARE(entry.at("dtype").get<std::string>(), std::string("F32"));
            QCOMPARE(it->second.scalar_type(), torch::kFloat32);
            seen.insert(name);
            values += it->second.numel();
        }
        QCOMPARE(state.size(), seen.size()); // nothing extra
        QCOMPARE(values, int64_t(93735984)); // README §6, both positional-embedding copies
    }

    void strictLoadNamesTheTensor()
    {
        auto file = loadTensors("sam_tiny/model.safetensors");
        const SamConfig config = SamConfig::fromFile(goldenPath("sam_tiny/config.json"));
        SamModel model(config);

        auto missing = file;
        missing.erase("mask_decoder.iou_token.weight");
        QString e = errorOf([&] { model->loadStateDict(missing, "tiny"); });
        QVERIFY2(e.contains("mask_decoder.iou_token.weight") && e.contains("tiny"), qPrintable(e));

        auto unexpected = file;
        unexpected["vision_encoder.layers.2.attn.qkv.weight"] = torch::zeros({3});
        e = errorOf([&] { model->loadStateDict(unexpected, "tiny"); });
        QVERIFY2(e.contains("vision_encoder.layers.2.attn.qkv.weight"), qPrintable(e));

        auto misshaped = file;
        misshaped["vision_encoder.layers.0.attn.rel_pos_h"] = torch::zeros({15, 16});
        e = errorOf([&] { model->loadStateDict(misshaped, "tiny"); });
        QVERIFY2(e.contains("vision_encoder.layers.0.attn.rel_pos_h"), qPrintable(e));

        // A window-3 file does not fit a window-4 model (rel_pos tables 5 vs 7 rows).
        e = errorOf([&] { model->loadSafetensors(goldenPath("sam_tiny_w3/model.safetensors")); });
        QVERIFY2(e.contains("rel_pos"), qPrintable(e));
    }

    void onePositionalEmbeddingCopyIsTied()
    {
        torch::NoGradGuard noGrad;
        const auto file = loadTensors("sam_tiny/model.safetensors");
        const torch::Tensor g = file.at(SamModelImpl::kImagePeKey);
        const SamConfig config = SamConfig::fromFile(goldenPath("sam_tiny/config.json"));
        for (const char *dropped : {SamModelImpl::kImagePeKey, SamModelImpl::kPromptPeKey}) {
            auto partial = file;
            partial.erase(dropped);
            SamModel model(config);
            model->loadStateDict(partial, "tiny without one copy");
            QVERIFY(torch::equal(model->sharedImageEmbedding()->positionalEmbedding(), g));
            QVERIFY(torch::equal(model->promptEncoder()->sharedEmbedding()->positionalEmbedding(), g));
        }
        // Both present and different: each keeps its own (a fine-tuned prompt encoder wins only
        // for points/boxes).
        auto both = file;
        both[SamModelImpl::kPromptPeKey] = g * 2;
        SamModel model(config);
        model->loadStateDict(both, "tiny with two copies");
        QVERIFY(torch::equal(model->sharedImageEmbedding()->positionalEmbedding(), g));
        QVERIFY(torch::equal(model->promptEncoder()->sharedEmbedding()->positionalEmbedding(), g * 2));
        // Neither present: strict loading names the missing key.
        auto none = file;
        none.erase(SamModelImpl::kImagePeKey);
        none.erase(SamModelImpl::kPromptPeKey);
        const QString e = errorOf([&] { model->loadStateDict(none, "tiny"); });
        QVERIFY2(e.contains("positional_embedding"), qPrintable(e));
    }

    void endToEndWithoutPrompts()
    {
        // HF SamModel.forward(pixel_values) with no prompts == the golden zero-sparse / no-mask
        // decoder case (the prompt encoder's zero sparse output is not appended).
        torch::NoGradGuard noGrad;
        SamModel model = loadModel<SamModel, SamConfig>("sam_tiny");
        const auto io = loadTensors("sam_tiny/io.safetensors");
        for (const bool multi : {false, true}) {
            const std::string prefix = std::string("decoder.zero_sparse.nomask_dense.") + (multi ? "multi." : "single.");
            const SamMaskDecoderOutput out = model->forward(io.at("pixel_values"), SamPrompts(), multi);
            for (const auto &item : {std::make_pair(prefix + "low_res_masks", out.masks),
                                     std::make_pair(prefix + "iou_predictions", out.iouPredictions)}) {
                const Comparison c = compare(item.second, io.at(item.first), 1e-5, 1e-4);
                qInfo().noquote() << "end to end" << c.describe(item.first);
                QVERIFY2(c.close(), qPrintable(c.describe(item.first)));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestSamModel)
#include "test_sammodel.moc"
