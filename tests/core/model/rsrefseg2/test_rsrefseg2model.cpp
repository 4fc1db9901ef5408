// RSRefSeg2Model end to end against the reference run of the tiny RSRefSeg 2 (golden README §4):
// every stored intermediate from the padded input and the stored token ids, the two-stage
// post-processing to the original size, the binary mask, for the weights of the bf16 PEFT
// `.pth`, the `module.`-prefixed `.pth` and the merged safetensors; the bf16 model's error;
// several queries on one cached image; and bad inputs.
#include "../goldentest.h"

#include "common/error.h"
#include "model/rsrefseg2/rsrefseg2checkpoint.h"
#include "model/rsrefseg2/rsrefseg2model.h"
#include "model/weights/statedictloader.h"

#include <torch/torch.h>

#include <QtTest>

using namespace rsrefseg;
using namespace goldentest;

namespace {

// golden README §11: atol 1e-4 + rtol 1e-4 for a float32 port; measured on this machine (see
// the qInfo lines): largest max abs difference 1.4e-5 (dec.all_masks), well inside.
constexpr double kAtol = 1e-4;
constexpr double kRtol = 1e-4;

RSRefSeg2Config tinyConfig()
{
    return RSRefSeg2Config::fromFile(goldenPath("rsrefseg2/config.json"));
}

RSRefSeg2Model loadTiny(const std::string &weights)
{
    const RSRefSeg2Config config = tinyConfig();
    RSRefSeg2Model model(config);
    const auto ckpt = RSRefSeg2Checkpoint::read(goldenPath("rsrefseg2/" + weights), config.lora);
    StateDictLoader::load(*model, ckpt.tensors, weights);
    model->eval();
    return model;
}

const std::map<std::string, torch::Tensor> &io()
{
    static const auto tensors = loadTensors("rsrefseg2/io.safetensors");
    return tensors;
}

struct Run
{
    RSRefSeg2DecodeOutput out;
    torch::Tensor logits; // [1, 1, 100, 147]
    RSRefSeg2Trace trace;
};

Run runReference(RSRefSeg2Model &model)
{
    Run r;
    c10::InferenceMode guard;
    r.out = model->predict(io().at("inputs"), io().at("text.input_ids"), io().at("text.attention_mask"), &r.trace);
    r.logits = model->postprocess(r.out.lowResLogits, 87, 128, 100, 147, &r.trace);
    return r;
}

// Every trace entry the fixture also holds, compared; returns how many.
int compareTrace(const RSRefSeg2Trace &trace, const std::string &prefix = "")
{
    int compared = 0;
    double worst = 0.0;
    std::string worstName;
    for (const auto &[name, actual] : trace) {
        const auto it = io().find(prefix + name);
        if (it == io().end() || it->second.scalar_type() != torch::kFloat32)
            continue;
        const Comparison c = compare(actual, it->second, kAtol, kRtol);
        if (!c.close())
            qWarning("%s", qPrintable(c.describe(name)));
        if (c.maxAbs > worst) {
            worst = c.maxAbs;
            worstName = name;
        }
        if (!c.close())
            return -1;
        ++compared;
    }
    qInfo("%d intermediates compared, largest max abs difference %g (%s)", compared, worst, worstName.c_str());
    return compared;
}

} // namespace

class TestRSRefSeg2Model : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void everyIntermediateFromTheBf16Checkpoint()
    {
        RSRefSeg2Model model = loadTiny("model.pth");
        const Run r = runReference(model);
        // siglip.* (5), sam.trunk/neck/F0/F1 (20+), prompter.* (27), dec.* (10+), post.* (3).
        const int compared = compareTrace(r.trace);
        QVERIFY2(compared >= 60, qPrintable(QString::number(compared)));
        for (const char *name : {"siglip.V", "siglip.T", "siglip.p", "sam.trunk.block5", "sam.neck.level2",
                                 "prompter.D", "prompter.S", "dec.all_masks", "dec.out.masks", "seg_logits_pad",
                                 "post.logits_original_size"})
            QVERIFY2(r.trace.count(name), name);
        // The fallback fired (stability 0.72 < 0.98): token 1 was chosen, as upstream.
        QCOMPARE(r.out.chosenToken[0].item<int64_t>(), io().at("dec.chosen_token")[0].item<int64_t>());
        QCOMPARE(r.out.chosenToken[0].item<int64_t>(), int64_t{1});
        QVERIFY(compare(r.out.stability, io().at("dec.stability_token0").view({1}), 1e-6, 0).close());
    }

    void maskEqualsTheReferenceAwayFromZero()
    {
        RSRefSeg2Model model = loadTiny("model.pth");
        const Run r = runReference(model);
        const torch::Tensor expectedLogits = io().at("post.logits_original_size");
        const torch::Tensor expectedMask = io().at("post.mask_original_size").to(torch::kBool);
        const torch::Tensor mask = (r.logits.squeeze(1) > 0);
        const torch::Tensor decided = expectedLogits.abs() > 1e-4;
        QVERIFY(torch::equal(mask.masked_select(decided), expectedMask.masked_select(decided)));
        QVERIFY(expectedMask.sum().item<int64_t>() > 0); // 3.4 % of the image: the test can fail
    }

    void modulePrefixAndMergedWeightsGiveTheSame()
    {
        RSRefSeg2Model plain = loadTiny("model.pth");
        const Run a = runReference(plain);
        for (const std::string file : {"model_module_prefix.pth", "model_merged.safetensors"}) {
            RSRefSeg2Model other = loadTiny(file);
            const Run b = runReference(other);
            // The same merged float32 weights (test_rsrefseg2checkpoint): bit-identical outputs.
            QVERIFY2(torch::equal(a.logits, b.logits), file.c_str());
        }
        // The reference's merged-weights run (plain modules, model_merged.safetensors).
        QVERIFY(compare(a.trace.at("seg_logits_pad"), io().at("merged.seg_logits_pad"), kAtol, kRtol).close());
        QVERIFY(compare(a.logits.squeeze(1), io().at("merged.post.logits_original_size"), kAtol, kRtol).close());
    }

    void bf16ModelStaysCloseToTheReference()
    {
        RSRefSeg2Model model = loadTiny("model.pth");
        model->to(torch::kBFloat16);
        const Run r = runReference(model);
        // Max abs differences from the float32 reference, measured on this machine: siglip.T
        // 0.028, sam.neck.level2 0.10, prompter.D 0.0086, prompter.S 0.026, dec.all_iou 0.015,
        // dec.all_masks 0.34 (logits up to 4.9). Bounds 2.3-2.9x.
        const std::vector<std::pair<const char *, double>> bounds = {{"siglip.T", 0.07},        {"sam.neck.level2", 0.25},
                                                                     {"prompter.D", 0.02},      {"prompter.S", 0.07},
                                                                     {"dec.all_iou", 0.04},     {"dec.all_masks", 0.8}};
        for (const auto &[name, bound] : bounds) {
            const double d = (r.trace.at(name).to(torch::kFloat32) - io().at(name)).abs().max().item<double>();
            qInfo("bf16 %s: max abs difference %g (bound %g)", name, d, bound);
            QVERIFY2(d < bound, name);
        }
        // The fallback picks the highest predicted IoU among tokens 1..3; the reference's IoUs of
        // tokens 1 and 3 differ by less than bf16 resolves (measured: bf16 chose token 3, the
        // reference token 1), so bf16 may take either of two near-equal candidates, never another.
        const torch::Tensor goldenIou = io().at("dec.all_iou")[0];
        const int64_t chosen = r.out.chosenToken[0].item<int64_t>();
        const int64_t reference = io().at("dec.chosen_token")[0].item<int64_t>();
        QVERIFY(chosen >= 1 && chosen <= 3);
        QVERIFY2(goldenIou[chosen].item<double>() >= goldenIou[reference].item<double>() - 0.02,
                 qPrintable(QString("bf16 chose token %1, the reference %2").arg(chosen).arg(reference)));
    }

    void severalQueriesOnOneCachedImage()
    {
        RSRefSeg2Model model = loadTiny("model.pth");
        c10::InferenceMode guard;
        const RSRefSeg2ImageFeatures image = model->encodeImage(io().at("inputs"));
        const torch::Tensor ids = io().at("text.input_ids");
        const RSRefSeg2TextFeatures one = model->encodeText(ids);
        torch::Tensor other = ids.clone();
        other.index_put_({0, 3}, 17);
        const RSRefSeg2TextFeatures two = model->encodeText(torch::cat({ids, other}));
        const RSRefSeg2DecodeOutput batch = model->decode(image, two);
        const RSRefSeg2DecodeOutput single = model->decode(image, one);
        QCOMPARE(batch.lowResLogits.size(0), int64_t{2});
        QVERIFY(compare(batch.lowResLogits[0], single.lowResLogits[0], 1e-5, 1e-5).close());
        QVERIFY(!torch::allclose(batch.lowResLogits[0], batch.lowResLogits[1]));
    }

    void keepRatioSizeIsMmcvs()
    {
        // golden README §3: 100 x 147 -> 87 x 128 at 128 px.
        QCOMPARE(RSRefSeg2ModelImpl::keepRatioSize(100, 147, 128), (std::array<int64_t, 2>{87, 128}));
        QCOMPARE(RSRefSeg2ModelImpl::keepRatioSize(800, 800, 1024), (std::array<int64_t, 2>{1024, 1024}));
        QCOMPARE(RSRefSeg2ModelImpl::keepRatioSize(3000, 1000, 1024), (std::array<int64_t, 2>{1024, 341}));
    }

    void badInputsAreRefused()
    {
        RSRefSeg2Model model = loadTiny("model_merged.safetensors");
        c10::InferenceMode guard;
        QString e = errorOf([&] { model->encodeImage(torch::zeros({1, 3, 100, 128})); });
        QVERIFY2(e.contains("[1, 3, 100, 128]"), qPrintable(e));
        e = errorOf([&] { model->encodeText(torch::zeros({1, 0}, torch::kLong)); });
        QVERIFY2(e.contains("L >= 1"), qPrintable(e));
        e = errorOf([&] { model->encodeText(torch::zeros({1, 65}, torch::kLong)); });
        QVERIFY2(e.contains("65 tokens") && e.contains("64 positions"), qPrintable(e));
        e = errorOf([&] { RSRefSeg2ModelImpl::keepRatioSize(0, 10, 128); });
        QVERIFY2(e.contains("nothing to segment"), qPrintable(e));
        // Strict loading names a missing tensor.
        RSRefSeg2Model fresh(tinyConfig());
        auto tensors = RSRefSeg2Checkpoint::read(goldenPath("rsrefseg2/model.pth"), tinyConfig().lora).tensors;
        tensors.erase("prompter.img_pe");
        e = errorOf([&] { StateDictLoader::load(*fresh, tensors, "model.pth"); });
        QVERIFY2(e.contains("prompter.img_pe"), qPrintable(e));
    }
};

QTEST_APPLESS_MAIN(TestRSRefSeg2Model)
#include "test_rsrefseg2model.moc"
