// RSRefSegModel against the golden fixtures: every intermediate of the upstream forward, for
// every weight format a user may have (PEFT safetensors, mmengine .pth, merged safetensors,
// DeepSpeed fp16 .pth), plus the two-phase API, batching and bf16.
#include "rsrefseggolden.h"

#include "common/error.h"

#include <QtTest>

#include <limits>

using namespace rsrefseg;
using namespace rsgolden;

class TestRSRefSegModel : public QObject
{
    Q_OBJECT

    std::map<std::string, torch::Tensor> mIo;

    // What checkParity measured: the largest |logit - golden| and, over the other
    // intermediates, the smallest t with |a - b| <= t + t |b| everywhere (the tolerance that
    // atol = rtol = t would need), so that the bounds below can be set from measurements.
    struct Measured
    {
        double logit = 0.0;
        double intermediate = 0.0;
    };

    static double neededTolerance(const torch::Tensor &actual, const torch::Tensor &expected)
    {
        const torch::Tensor a = actual.detach().to(torch::kFloat64), b = expected.detach().to(torch::kFloat64);
        return a.sizes() == b.sizes() ? ((a - b).abs() / (1.0 + b.abs())).max().item<double>()
                                      : std::numeric_limits<double>::infinity();
    }

    // Runs the model on the golden input and compares every traced intermediate.
    void checkParity(RSRefSegModel &model, double atol, double rtol, double logitAtol, Measured *measured = nullptr,
                     double clearOfZero = 1e-4)
    {
        c10::InferenceMode guard;
        RSRefSegTrace trace;
        const DecodeOutput out = model->predict(mIo.at("inputs"), mIo.at("input_ids"), mIo.at("attention_mask"), &trace);
        trace["logits_model_size"] = model->upsampleLogits(out.lowResLogits, 128, 128);
        trace["logits_original_size"] = model->upsampleLogits(out.lowResLogits, 150, 130).squeeze(1);
        int compared = 0;
        for (const auto &[name, value] : trace) {
            const auto it = mIo.find(name);
            QVERIFY2(it != mIo.end(), ("golden has no " + name).c_str());
            const bool isLogit = name == "low_res_masks" || name == "seg_mask" || name.rfind("logits_", 0) == 0 ||
                                 name == "iou_predictions";
            const Difference d = compare(value, it->second, isLogit ? logitAtol : atol, isLogit ? 0.0 : rtol);
            if (measured && isLogit)
                measured->logit = std::max(measured->logit, d.maxAbs);
            if (measured && !isLogit)
                measured->intermediate = std::max(measured->intermediate, neededTolerance(value, it->second));
            QVERIFY2(d.within, qPrintable(QString("%1: max abs diff %2").arg(name.c_str()).arg(d.maxAbs)));
            ++compared;
        }
        QCOMPARE(compared, 30); // every traced intermediate has a golden twin
        // The binary mask, wherever the logit is clear of 0 (golden README §10).
        QVERIFY(maskMatches(trace["logits_original_size"], clearOfZero) > 0);
    }

    // The thresholded mask equals the golden one wherever |golden logit| > clearOfZero (there a
    // logit within the asserted bound cannot change sign); returns how many pixels that is.
    int64_t maskMatches(const torch::Tensor &logits, double clearOfZero)
    {
        const torch::Tensor mask = logits.to(torch::kFloat32).sigmoid().gt(0.5).to(torch::kUInt8);
        const torch::Tensor clear = mIo.at("logits_original_size").abs().gt(clearOfZero);
        const torch::Tensor differ = mask.masked_select(clear).ne(mIo.at("mask_original_size").masked_select(clear));
        const int64_t wrong = differ.sum().item<int64_t>();
        if (wrong)
            qWarning("%lld mask pixels differ where |golden logit| > %g", static_cast<long long>(wrong), clearOfZero);
        return wrong ? -1 : clear.sum().item<int64_t>();
    }

  private slots:
    void initTestCase()
    {
        torch::set_num_threads(2);
        mIo = SafetensorsFile::open(golden("rsrefseg_tiny/io.safetensors")).tensors();
    }

    void parity_data()
    {
        QTest::addColumn<QString>("checkpoint");
        QTest::newRow("PEFT safetensors") << "model.safetensors";
        QTest::newRow("mmengine .pth") << "model.pth";
        QTest::newRow("merged safetensors") << "model_merged.safetensors";
    }

    void parity()
    {
        QFETCH(QString, checkpoint);
        ModelImporter::Report report;
        RSRefSegModel model = ModelImporter::build(tinyImport(checkpoint.toStdString()), report);
        QCOMPARE(model->config().downSpatialTimes, int64_t(2));
        QCOMPARE(report.loraRank, checkpoint.contains("merged") ? int64_t(0) : int64_t(4));
        // No LoRA tensors remain after import: merged into the weights.
        for (const auto &p : model->named_parameters(true))
            QVERIFY2(p.key().find("lora_") == std::string::npos, p.key().c_str());
        checkParity(model, 1e-4, 1e-4, 1e-5);
    }

    void deepspeedFp16()
    {
        // Weights stored in fp16 are upcast; the difference to the fp32 golden run is the fp16
        // rounding of the weights. Measured on this machine (torch CPU): max |logit diff| 6.7e-4,
        // asserted 2e-3 (3x); intermediates need t = 4.1e-3 in |a - b| <= t + t |b|, asserted
        // 1.2e-2 (3x); the mask is compared where |golden logit| > 2e-3.
        ModelImporter::Report report;
        RSRefSegModel model = ModelImporter::build(tinyImport("model_deepspeed_fp16.pth"), report);
        Measured m;
        checkParity(model, 1.2e-2, 1.2e-2, 2e-3, &m, 2e-3);
        qInfo("fp16 checkpoint: max |logit - golden| = %.3g, intermediates need t = %.3g", m.logit, m.intermediate);
    }

    void loraAlphaIsRequiredForOtherRanks()
    {
        auto o = tinyImport("model.safetensors");
        o.loraAlpha.reset();
        ModelImporter::Report report;
        try {
            ModelImporter::build(o, report);
            QFAIL("rank 4 without --lora-alpha must be refused");
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains("--lora-alpha"), e.what());
        }
        o.loraAlpha = 8.0;
        o.loraRank = 16;
        QVERIFY_THROWS_EXCEPTION(Error, ModelImporter::build(o, report));
    }

    void twoPhaseEqualsPredictAndBroadcasts()
    {
        ModelImporter::Report report;
        RSRefSegModel model = ModelImporter::build(tinyImport("model.safetensors"), report);
        c10::InferenceMode guard;
        const torch::Tensor image = mIo.at("inputs");
        const ImageFeatures img = model->encodeImage(image);
        const TextFeatures txt = model->encodeText(mIo.at("input_ids"), mIo.at("attention_mask"));
        const DecodeOutput one = model->decode(img, txt);
        // Three tiles at once, one query: each row equals the single decode of its tile.
        const torch::Tensor flipped = image.flip({3});
        const ImageFeatures batch = model->encodeImage(torch::cat({image, flipped, image}));
        const DecodeOutput many = model->decode(batch, txt);
        QCOMPARE(many.lowResLogits.size(0), int64_t(3));
        QVERIFY(compare(many.lowResLogits[0], one.lowResLogits[0], 1e-5, 0).within);
        QVERIFY(compare(many.lowResLogits[2], one.lowResLogits[0], 1e-5, 0).within);
        QVERIFY(!compare(many.lowResLogits[1], one.lowResLogits[0], 1e-3, 0).within);
        QCOMPARE(many.iouPrediction.sizes().vec(), (std::vector<int64_t>{3}));
        QCOMPARE(many.globalActivationLogit.sizes().vec(), (std::vector<int64_t>{3, 7, 7}));
    }

    void bf16WithinMeasuredTolerance()
    {
        // The whole model in bf16 vs the float32 golden. Measured on this machine (torch CPU):
        // max |logit diff| 0.0109 (max |golden logit| 0.372); bound 0.03 (2.75x). The
        // mask must equal the golden one wherever |golden logit| exceeds the bound.
        constexpr double kBound = 0.03;
        ModelImporter::Report report;
        RSRefSegModel model = ModelImporter::build(tinyImport("model.safetensors"), report);
        model->to(torch::kBFloat16);
        c10::InferenceMode guard;
        const DecodeOutput out = model->predict(mIo.at("inputs"), mIo.at("input_ids"), mIo.at("attention_mask"));
        const torch::Tensor logits = model->upsampleLogits(out.lowResLogits, 150, 130).squeeze(1);
        const Difference d = compare(logits, mIo.at("logits_original_size"), kBound, 0.0);
        const int64_t compared = maskMatches(logits, kBound);
        qInfo("bf16 tiny model: max |logit - golden| = %.3g; mask compared on %lld pixels", d.maxAbs,
              static_cast<long long>(compared));
        QVERIFY2(d.within, qPrintable(QString::number(d.maxAbs)));
        QVERIFY(compared > 0);
    }

    void badInputs()
    {
        ModelImporter::Report report;
        RSRefSegModel model = ModelImporter::build(tinyImport("model.safetensors"), report);
        c10::InferenceMode guard;
        QVERIFY_THROWS_EXCEPTION(Error, model->encodeImage(torch::zeros({1, 3, 64, 64})));
        QVERIFY_THROWS_EXCEPTION(Error, model->encodeText(torch::zeros({1, 0}, torch::kLong)));
        QVERIFY_THROWS_EXCEPTION(Error, model->encodeText(torch::ones({1, 65}, torch::kLong)));
        const ImageFeatures two = model->encodeImage(torch::rand({2, 3, 128, 128}));
        const TextFeatures three = model->encodeText(torch::ones({3, 4}, torch::kLong));
        QVERIFY_THROWS_EXCEPTION(Error, model->decode(two, three));
    }
};

QTEST_GUILESS_MAIN(TestRSRefSegModel)
#include "test_rsrefsegmodel.moc"
