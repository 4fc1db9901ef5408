// Tests SiglipModel as a whole: its state-dict layout (tiny file and the full-size so400m
// manifest), the LoRA targets of RSRefSeg-b, merge == unmerged forward, the inert vision-head
// out_proj adapter, the RSRefSeg tiny checkpoint's LoRA SigLIP outputs (golden PEFT forward,
// unmerged, merged here, and the golden merged file), and the image-text logits.
#include "common/error.h"
#include "model/siglip/siglipmodel.h"
#include "model/weights/statedictloader.h"
#include "../goldentest.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QtTest>

#include <fstream>
#include <set>

using namespace rsrefseg;
using goldentest::compare;

namespace {

using ShapeList = std::vector<std::pair<std::string, std::vector<int64_t>>>;

ShapeList shapesOf(torch::nn::Module &module)
{
    ShapeList out;
    for (const auto &p : module.named_parameters())
        out.emplace_back(p.key(), p.value().sizes().vec());
    for (const auto &b : module.named_buffers())
        out.emplace_back(b.key(), b.value().sizes().vec());
    return out;
}

// Repeats the block of `encoder.layers.0.` keys of a 1-layer build for layers 0..n-1, in place,
// giving the key list an n-layer build has (the layers are built by one loop from one config).
ShapeList expandLayers(const ShapeList &oneLayer, int64_t n)
{
    ShapeList out;
    ShapeList block;
    auto flush = [&] {
        for (int64_t i = 0; i < n; ++i) {
            for (const auto &item : block) {
                std::string name = item.first;
                name.replace(name.find(".layers.0."), 10, ".layers." + std::to_string(i) + ".");
                out.emplace_back(name, item.second);
            }
        }
        block.clear();
    };
    for (const auto &item : oneLayer) {
        if (item.first.find(".encoder.layers.0.") != std::string::npos) {
            block.push_back(item);
        } else {
            flush();
            out.push_back(item);
        }
    }
    flush();
    return out;
}

SiglipModel loadTinyModel()
{
    SiglipModel model(SiglipConfig::fromFile(goldentest::goldenPath("siglip_tiny/config.json")));
    StateDictLoader::load(*model, goldentest::loadTensors("siglip_tiny/model.safetensors"),
                          "siglip_tiny/model.safetensors");
    model->eval();
    return model;
}

void randomizeAdapters(torch::nn::Module &module, uint64_t seed, const std::string &onlyContaining = "")
{
    torch::manual_seed(seed);
    torch::NoGradGuard noGrad;
    for (auto &p : module.named_parameters()) {
        const std::string &name = p.key();
        if (name.find(".lora_") == std::string::npos || name.find(onlyContaining) == std::string::npos)
            continue;
        p.value().copy_(torch::randn(p.value().sizes()) * 0.2);
    }
}

std::set<std::string> loraModules(torch::nn::Module &module)
{
    std::set<std::string> out;
    const std::string suffix = ".lora_A.weight";
    for (const auto &p : module.named_parameters()) {
        const std::string &name = p.key();
        if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
            out.insert(name.substr(0, name.size() - suffix.size()));
    }
    return out;
}

} // namespace

class TestSiglipModel : public QObject
{
    Q_OBJECT

  private slots:
    void initTestCase() { torch::set_num_threads(2); }

    void tinyStateDictEqualsFile()
    {
        SiglipModel model(SiglipConfig::fromFile(goldentest::goldenPath("siglip_tiny/config.json")));
        const auto file = goldentest::loadTensors("siglip_tiny/model.safetensors");
        const ShapeList shapes = shapesOf(*model);
        QCOMPARE(shapes.size(), file.size());
        for (const auto &item : shapes) {
            QVERIFY2(file.count(item.first), item.first.c_str());
            QVERIFY2(file.at(item.first).sizes().vec() == item.second, item.first.c_str());
        }
        // And the loop-expansion used for so400m reproduces the 2-layer build from a 1-layer one.
        SiglipConfig one = model->config();
        one.vision.numHiddenLayers = 1;
        one.text.numHiddenLayers = 1;
        SiglipModel small(one);
        QVERIFY(expandLayers(shapesOf(*small), 2) == shapes);
    }

    void so400mKeysEqualManifest()
    {
        // Full width (hidden 1152, 729 positions, vocab 32000), one encoder layer per tower:
        // ~85M values (~340 MB) instead of 878M; the 27 layers come from the same loop.
        SiglipConfig cfg = SiglipConfig::so400mPatch14_384();
        const int64_t layers = cfg.vision.numHiddenLayers;
        QCOMPARE(cfg.text.numHiddenLayers, layers);
        cfg.vision.numHiddenLayers = 1;
        cfg.text.numHiddenLayers = 1;
        ShapeList built;
        {
            SiglipModel model(cfg);
            built = expandLayers(shapesOf(*model), layers);
        }
        std::ifstream in(goldentest::goldenPath("manifests/siglip-so400m-patch14-384.keys.json"));
        const nlohmann::json manifest = nlohmann::json::parse(in);
        QCOMPARE(manifest.size(), size_t(888));
        QCOMPARE(built.size(), manifest.size());
        int64_t values = 0;
        for (size_t i = 0; i < built.size(); ++i) {
            const std::string name = manifest[i].at("name").get<std::string>();
            const auto shape = manifest[i].at("shape").get<std::vector<int64_t>>();
            QCOMPARE(manifest[i].at("dtype").get<std::string>(), std::string("F32"));
            // Same names, same shapes, same order as HF's state_dict().
            QVERIFY2(built[i].first == name, qPrintable(QString("position %1: built %2, manifest %3")
                                                            .arg(i)
                                                            .arg(built[i].first.c_str())
                                                            .arg(name.c_str())));
            QVERIFY2(built[i].second == shape, name.c_str());
            int64_t n = 1;
            for (int64_t d : shape)
                n *= d;
            values += n;
        }
        QCOMPARE(values, int64_t(877960498));
    }

    void loraTargetsAreRsrefsegB()
    {
        SiglipModel model(SiglipConfig::fromFile(goldentest::goldenPath("siglip_tiny/config.json")));
        model->enableLora(4, 8.0, 0.1);
        // Golden README §8, tiny targets ("model." is the tower).
        std::set<std::string> expected;
        for (const std::string tower : {"vision_model", "text_model"}) {
            for (int layer = 0; layer < 2; ++layer)
                for (const std::string proj : {"k_proj", "v_proj", "q_proj", "out_proj"})
                    expected.insert(tower + ".encoder.layers." + std::to_string(layer) + ".self_attn." + proj);
        }
        expected.insert("vision_model.head.attention.out_proj");
        expected.insert("text_model.head");
        QVERIFY(loraModules(*model) == expected);
        // Shapes: lora_A [r, in], lora_B [out, r]; scale alpha / r.
        const auto params = model->named_parameters();
        QCOMPARE(params["text_model.head.lora_A.weight"].sizes().vec(), std::vector<int64_t>({4, 64}));
        QCOMPARE(params["text_model.head.lora_B.weight"].sizes().vec(), std::vector<int64_t>({64, 4}));
        QCOMPARE(model->textModel->head->loraScale(), 2.0);
        model->setLoraAlpha(16.0);
        QCOMPARE(model->visionModel->head->attention->outProj->loraScale(), 4.0);
        QCOMPARE(model->textModel->encoder->layer(1)->selfAttn->vProj->loraScale(), 4.0);
    }

    void mergeEqualsUnmergedForward()
    {
        SiglipModel model = loadTinyModel();
        model->enableLora(4, 8.0, 0.1);
        randomizeAdapters(*model, 11);
        const auto vio = goldentest::loadTensors("siglip_tiny/io_vision.safetensors");
        const auto tio = goldentest::loadTensors("siglip_tiny/io_text.safetensors");
        torch::NoGradGuard noGrad;
        const torch::Tensor px = vio.at("pixel_values");
        const torch::Tensor ids = tio.at("batch.input_ids");
        const torch::Tensor mask = tio.at("batch.attention_mask");
        const SiglipVisionOutput v0 = model->visionModel->forward(px);
        const SiglipTextOutput t0 = model->textModel->forward(ids, mask);
        // The adapters matter (otherwise this test would prove nothing).
        QVERIFY(compare(v0.lastHiddenState, vio.at("last_hidden_state"), 0, 0).maxAbs > 0.05);
        QVERIFY(compare(t0.poolerOutput, tio.at("batch.masked.pooler_output"), 0, 0).maxAbs > 0.05);
        const torch::Tensor headOut = model->visionModel->head->attention->outProj->weight.clone();

        model->mergeLora();
        QVERIFY(loraModules(*model).empty());
        // Merged layout = plain HF keys (the inert head adapter is dropped, not folded).
        const auto file = goldentest::loadTensors("siglip_tiny/model.safetensors");
        const ShapeList shapes = shapesOf(*model);
        QCOMPARE(shapes.size(), file.size());
        for (const auto &item : shapes)
            QVERIFY2(file.count(item.first), item.first.c_str());
        QVERIFY(torch::equal(model->visionModel->head->attention->outProj->weight, headOut));

        const SiglipVisionOutput v1 = model->visionModel->forward(px);
        const SiglipTextOutput t1 = model->textModel->forward(ids, mask);
        const std::vector<std::tuple<std::string, torch::Tensor, torch::Tensor>> checks = {
            {"vision last_hidden_state", v1.lastHiddenState, v0.lastHiddenState},
            {"vision pooler_output", v1.poolerOutput, v0.poolerOutput},
            {"text last_hidden_state", t1.lastHiddenState, t0.lastHiddenState},
            {"text pooler_output", t1.poolerOutput, t0.poolerOutput},
        };
        for (const auto &check : checks) {
            const auto c = compare(std::get<1>(check), std::get<2>(check), 1e-5, 0.0);
            qInfo().noquote() << "merged vs unmerged" << c.describe(std::get<0>(check));
            QVERIFY2(c.close(), qPrintable(c.describe(std::get<0>(check))));
        }
        model->mergeLora(); // idempotent without adapters
    }

    void headOutProjAdapterIsInert()
    {
        SiglipModel plain = loadTinyModel();
        SiglipModel adapted = loadTinyModel();
        adapted->enableLora(4, 8.0, 0.0);
        randomizeAdapters(*adapted, 5, "head.attention.out_proj");
        QVERIFY(adapted->visionModel->head->attention->outProj->hasLora());
        const auto vio = goldentest::loadTensors("siglip_tiny/io_vision.safetensors");
        torch::NoGradGuard noGrad;
        const torch::Tensor px = vio.at("pixel_values");
        const torch::Tensor p0 = plain->visionModel->forward(px).poolerOutput;
        const torch::Tensor p1 = adapted->visionModel->forward(px).poolerOutput;
        QVERIFY(torch::equal(p0, p1));
        // Calling the adapter would have changed it: out_proj's own forward differs.
        const torch::Tensor probe = torch::randn({1, 64});
        QVERIFY(!torch::allclose(adapted->visionModel->head->attention->outProj->forward(probe),
                                 plain->visionModel->head->attention->outProj->forward(probe)));
        adapted->mergeLora();
        QVERIFY(torch::equal(adapted->visionModel->forward(px).poolerOutput, p0));
    }

    void rsrefsegTinyCheckpointLora()
    {
        const SiglipConfig cfg = SiglipConfig::fromFile(goldentest::goldenPath("siglip_tiny/config.json"));
        const auto all = goldentest::loadTensors("rsrefseg_tiny/model.safetensors");
        const auto io = goldentest::loadTensors("rsrefseg_tiny/io.safetensors");
        SiglipVisionTransformer vision(cfg.vision);
        SiglipTextTransformer text(cfg.text);
        vision->enableLora(4, 8.0, 0.1); // RSRefSeg tiny: r=4, lora_alpha=8, dropout 0.1
        text->enableLora(4, 8.0, 0.1);
        StateDictLoader::load(*vision, goldentest::peftSubtree(all, "clip_vision_encoder.base_model.model.model."),
                              "rsrefseg_tiny/model.safetensors (vision)");
        StateDictLoader::load(*text, goldentest::peftSubtree(all, "clip_text_encoder.base_model.model.model."),
                              "rsrefseg_tiny/model.safetensors (text)");
        vision->eval();
        text->eval();
        // The checkpoint's inert head adapter is non-zero: it must be there and have no effect.
        QVERIFY(vision->head->attention->outProj->hasLora());
        QVERIFY(all.at("clip_vision_encoder.base_model.model.model.head.attention.out_proj.lora_B.default.weight")
                    .abs()
                    .max()
                    .item<double>() > 0);

        torch::NoGradGuard noGrad;
        auto check = [&](const char *stage) {
            const SiglipVisionOutput v = vision->forward(io.at("x_clip"));
            const SiglipTextOutput t = text->forward(io.at("input_ids"), io.at("attention_mask"));
            const std::vector<std::pair<std::string, torch::Tensor>> checks = {
                {"clip_visual_last_hidden_state", v.lastHiddenState},
                {"clip_visual_pooler", v.poolerOutput},
                {"clip_text_last_hidden_state", t.lastHiddenState},
                {"clip_text_pooler", t.poolerOutput},
            };
            for (const auto &c : checks) {
                const auto r = compare(c.second, io.at(c.first), 1e-4, 1e-4);
                qInfo().noquote() << stage << r.describe(c.first);
                QVERIFY2(r.close(), qPrintable(QString(stage) + " " + r.describe(c.first)));
            }
        };
        check("peft-unmerged");
        QVERIFY(!QTest::currentTestFailed());
        vision->mergeLora();
        text->mergeLora();
        check("merged-here");
        QVERIFY(!QTest::currentTestFailed());

        // Our merge equals the golden merged file, tensor by tensor, and that file runs too.
        const auto merged = goldentest::loadTensors("rsrefseg_tiny/model_merged.safetensors");
        const auto mergedVision = goldentest::peftSubtree(merged, "clip_vision_encoder.model.");
        const auto mergedText = goldentest::peftSubtree(merged, "clip_text_encoder.model.");
        double worst = 0;
        for (auto *tower :
             {static_cast<torch::nn::Module *>(vision.get()), static_cast<torch::nn::Module *>(text.get())}) {
            const auto &ref = tower == vision.get() ? mergedVision : mergedText;
            const auto params = tower->named_parameters();
            QCOMPARE(params.size(), ref.size());
            for (const auto &p : params) {
                QVERIFY2(ref.count(p.key()), p.key().c_str());
                const auto r = compare(p.value(), ref.at(p.key()), 1e-6, 1e-6);
                worst = std::max(worst, r.maxAbs);
                QVERIFY2(r.close(), qPrintable(r.describe(p.key())));
            }
        }
        qInfo() << "merged weights vs model_merged.safetensors, max abs diff" << worst;
        SiglipVisionTransformer plainVision(cfg.vision);
        SiglipTextTransformer plainText(cfg.text);
        StateDictLoader::load(*plainVision, mergedVision, "rsrefseg_tiny/model_merged.safetensors (vision)");
        StateDictLoader::load(*plainText, mergedText, "rsrefseg_tiny/model_merged.safetensors (text)");
        plainVision->eval();
        plainText->eval();
        vision = plainVision;
        text = plainText;
        check("golden-merged-file");
    }

    void imageTextLogits()
    {
        SiglipModel model = loadTinyModel();
        const auto vio = goldentest::loadTensors("siglip_tiny/io_vision.safetensors");
        const auto tio = goldentest::loadTensors("siglip_tiny/io_text.safetensors");
        torch::NoGradGuard noGrad;
        const torch::Tensor px = vio.at("pixel_values");
        const SiglipModelOutput out = model->forward(torch::cat({px, px.flip({2})}, 0), tio.at("batch.input_ids"),
                                                     tio.at("batch.attention_mask"));
        QCOMPARE(out.logitsPerImage.sizes().vec(), std::vector<int64_t>({2, 2}));
        QCOMPARE(out.logitsPerText.sizes().vec(), std::vector<int64_t>({2, 2}));
        // Image 0 against both texts from the golden poolers, in double, element by element.
        const auto image = vio.at("pooler_output")[0].to(torch::kFloat64);
        const auto texts = tio.at("batch.masked.pooler_output").to(torch::kFloat64);
        const double scale = std::exp(model->logitScale.item<double>());
        const double bias = model->logitBias.item<double>();
        QVERIFY(std::abs(scale - 1.0) > 0.1 && std::abs(bias) > 0.1); // perturbed in the fixture
        for (int64_t j = 0; j < 2; ++j) {
            const auto t = texts[j];
            const double cosine =
                (image * t).sum().item<double>() / (image.norm().item<double>() * t.norm().item<double>());
            const double expected = cosine * scale + bias;
            QVERIFY2(std::abs(out.logitsPerImage[0][j].item<double>() - expected) < 1e-4,
                     qPrintable(QString("logit(image 0, text %1)").arg(j)));
            QCOMPARE(out.logitsPerText[j][0].item<double>(), out.logitsPerImage[0][j].item<double>());
        }
    }
};

QTEST_APPLESS_MAIN(TestSiglipModel)
#include "test_siglipmodel.moc"
