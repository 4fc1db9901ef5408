// RSRefSegModel against the golden fixtures: every intermediate of the upstream forward, for
// every weight format a user may have (PEFT safetensors, mmengine .pth, merged safetensors,
// DeepSpeed fp16 .pth), plus the two-phase API, batching and bf16.
#include "rsrefseggolden.h"

#include "common/error.h"

#include <QtTest>

using namespace rsrefseg;
using namespace rsgolden;

class TestRSRefSegModel : public QObject
{
    Q_OBJECT

    std::map<std::string, torch::Tensor> mIo;

    // Runs the model on the golden input and compares every traced intermediate.
    void checkParity(RSRefSegModel &model, double atol, double rtol, double logitAtol, double *worstLogit = nullptr,
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
            if (isLogit && worstLogit)
                *worstLogit = std::max(*worstLogit, d.maxAbs);
            QVERIFY2(d.within, qPrintable(QString("%1: max abs diff %2").arg(name.c_str()).arg(d.maxAbs)));
            ++compared;
        }
        QCOMPARE(compared, 30); // every traced intermediate has a golden twin
        // The binary mask, wherever the logit is clear of 0 (golden README §10).
        const torch::Tensor logits = trace["logits_original_size"];
        const torch::Tensor mask = logits.sigmoid().gt(0.5).to(torch::kUInt8);
        const torch::Tensor clear = mIo.at("logits_original_size").abs().gt(clearOfZero);
        QVERIFY(torch::equal(mask.masked_select(clear), mIo.at("mask_original_size").masked_select(clear)));
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
        // rounding of the weights. Measured on this machine: max |logit diff| 6.7e-4 (asserted
        // 5e-3); the mask is compared where |logit| > 5e-3.
        ModelImporter::Report report;
        RSRefSegModel model = ModelImporter::build(tinyImport("model_deepspeed_fp16.pth"), report);
        double worst = 0.0;
        checkParity(model, 5e-2, 5e-2, 5e-3, &worst, 5e-3);
        qInfo("fp16 checkpoint: max |logit - golden| = %.3g", worst);
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
        ModelImporter::Report report;
        RSRefSegModel model = ModelImporter::build(tinyImport("model.safetensors"), report);
        model->to(torch::kBFloat16);
        c10::InferenceMode guard;
        const DecodeOutput out = model->predict(mIo.at("inputs"), mIo.at("input_ids"), mIo.at("attention_mask"));
        const torch::Tensor logits = model->upsampleLogits(out.lowResLogits, 150, 130).squeeze(1);
        const Difference d = compare(logits, mIo.at("logits_original_size"), 0.1, 0.0);
        qInfo("bf16 tiny model: max |logit - golden| = %.3g (max |logit| 0.372)", d.maxAbs);
        QVERIFY2(d.within, qPrintable(QString::number(d.maxAbs)));
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
