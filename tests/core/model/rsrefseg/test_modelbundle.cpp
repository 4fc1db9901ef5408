// ModelBundle / ModelImporter: a bundle written by `model import` loads without the source
// folders and gives results bit-identical to the model imported in memory (and within 1e-5 of
// the golden float32 run); a bf16 bundle stays within its measured bound; manifests are
// validated strictly.
#include "rsrefseggolden.h"

#include "common/error.h"
#include "model/rsrefseg/modelbundle.h"
#include "model/weights/safetensorswriter.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace rsrefseg;
using namespace rsgolden;

class TestModelBundle : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string mBundle;
    std::map<std::string, torch::Tensor> mIo;

    nlohmann::json readManifest(const std::string &dir)
    {
        std::ifstream in(dir + "/manifest.json");
        return nlohmann::json::parse(in);
    }

    // A copy of the good bundle with its manifest edited.
    std::string variant(const std::string &name, const std::function<void(nlohmann::json &)> &edit)
    {
        const std::string dir = mDir.filePath(QString::fromStdString(name)).toStdString();
        std::filesystem::copy(mBundle, dir, std::filesystem::copy_options::recursive);
        nlohmann::json m = readManifest(dir);
        edit(m);
        std::ofstream(dir + "/manifest.json") << m.dump(2);
        return dir;
    }

    static QString errorOf(const std::function<void()> &f)
    {
        try {
            f();
        } catch (const Error &e) {
            return e.what();
        }
        return {};
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mIo = SafetensorsFile::open(golden("rsrefseg_tiny/io.safetensors")).tensors();
        auto o = tinyImport("model.safetensors");
        mBundle = mDir.filePath("tiny").toStdString();
        o.outDir = mBundle;
        const ModelImporter::Report r = ModelImporter::run(o);
        QCOMPARE(r.loraRank, int64_t(4));
        QCOMPARE(r.loraAlpha, 8.0);
    }

    void manifestContents()
    {
        const ModelBundle b = ModelBundle::open(mBundle);
        const BundleManifest &m = b.manifest();
        QCOMPARE(m.formatVersion, 1);
        QCOMPARE(m.modelId.size(), size_t(16));
        QVERIFY(!m.trained);
        QCOMPARE(m.config.downSpatialTimes, int64_t(2));
        QCOMPARE(m.config.siglip.vision.hiddenSize, int64_t(64));
        QCOMPARE(m.config.sam.vision.imageSize, int64_t(128));
        QVERIFY(m.parameterCount > 0);
        QCOMPARE(m.provenance["lora"]["rank"].get<int>(), 4);
        QCOMPARE(m.provenance["sources"].size(), size_t(3));
        QVERIFY(QFile::exists(QString::fromStdString(b.tokenizerPath())));
        // No temporary folder left behind.
        QCOMPARE(QDir(mDir.path()).entryList(QStringList() << ".*", QDir::Hidden | QDir::Dirs | QDir::NoDotAndDotDot).size(), 0);
    }

    void loadedBundleMatchesGolden()
    {
        RSRefSegModel model = ModelBundle::open(mBundle).load({});
        ModelImporter::Report report;
        RSRefSegModel direct = ModelImporter::build(tinyImport("model.safetensors"), report);
        c10::InferenceMode guard;
        const DecodeOutput out = model->predict(mIo.at("inputs"), mIo.at("input_ids"), mIo.at("attention_mask"));
        const DecodeOutput ref = direct->predict(mIo.at("inputs"), mIo.at("input_ids"), mIo.at("attention_mask"));
        // The bundle stores exactly the imported weights: same bits, same results.
        QVERIFY(torch::equal(out.lowResLogits, ref.lowResLogits));
        QVERIFY(torch::equal(out.iouPrediction, ref.iouPrediction));
        const torch::Tensor logits = model->upsampleLogits(out.lowResLogits, 150, 130).squeeze(1);
        QVERIFY(compare(logits, mIo.at("logits_original_size"), 1e-5, 0).within);
        QVERIFY(compare(out.iouPrediction, mIo.at("iou_predictions").reshape({1}), 1e-5, 0).within);
    }

    void storedInHalfPrecision()
    {
        auto o = tinyImport("model.safetensors");
        o.outDir = mDir.filePath("tiny-bf16").toStdString();
        o.dtype = "bf16";
        ModelImporter::run(o);
        const ModelBundle b = ModelBundle::open(o.outDir);
        QCOMPARE(b.manifest().weightsDtype, std::string("bf16"));
        QVERIFY(SafetensorsFile::open(b.weightsPath()).info("prompter_down_channel.conv.weight").dtype == "BF16");
        QVERIFY(SafetensorsFile::open(b.weightsPath()).info("prompter_down_channel.bn.num_batches_tracked").dtype == "I64");
        RSRefSegModel model = b.load({}); // upcast to f32
        c10::InferenceMode guard;
        const DecodeOutput out = model->predict(mIo.at("inputs"), mIo.at("input_ids"), mIo.at("attention_mask"));
        const torch::Tensor logits = model->upsampleLogits(out.lowResLogits, 150, 130).squeeze(1);
        // bf16 weights, float32 compute. Measured on this machine: max |logit - golden|
        // 0.0064 (max |golden logit| 0.372); bound 0.02 (3.1x). The mask must equal
        // the golden one wherever |golden logit| exceeds the bound.
        constexpr double kBound = 0.02;
        const Difference d = compare(logits, mIo.at("logits_original_size"), kBound, 0);
        qInfo("bf16 bundle: max |logit - golden| = %.3g", d.maxAbs);
        QVERIFY2(d.within, qPrintable(QString::number(d.maxAbs)));
        const torch::Tensor clear = mIo.at("logits_original_size").abs().gt(kBound);
        const torch::Tensor mask = logits.sigmoid().gt(0.5).to(torch::kUInt8);
        QVERIFY(clear.sum().item<int64_t>() > 0);
        QVERIFY(torch::equal(mask.masked_select(clear), mIo.at("mask_original_size").masked_select(clear)));
    }

    void refusesExistingOutput()
    {
        auto o = tinyImport("model.safetensors");
        o.outDir = mBundle;
        QVERIFY(errorOf([&] { ModelImporter::run(o); }).contains("already exists"));
    }

    void badManifests()
    {
        QVERIFY(errorOf([&] { ModelBundle::open(mDir.filePath("nope").toStdString()); }).contains("not a folder"));
        auto unknownVersion = variant("v99", [](nlohmann::json &m) { m["format_version"] = 99; });
        QVERIFY(errorOf([&] { ModelBundle::open(unknownVersion); }).contains("format_version 99"));
        auto traversal = variant("escape", [](nlohmann::json &m) { m["tokenizer"] = "../tiny/spiece.model"; });
        QVERIFY(errorOf([&] { ModelBundle::open(traversal); }).contains("outside the bundle"));
        auto absolute = variant("absolute", [](nlohmann::json &m) { m["weights"]["file"] = "/etc/passwd"; });
        QVERIFY(errorOf([&] { ModelBundle::open(absolute); }).contains("inside the bundle"));
        auto missingField = variant("nofield", [](nlohmann::json &m) { m.erase("config"); });
        QVERIFY(errorOf([&] { ModelBundle::open(missingField); }).contains("'config'"));
        auto badDtype = variant("dtype", [](nlohmann::json &m) { m["weights"]["dtype"] = "f8"; });
        QVERIFY(errorOf([&] { ModelBundle::open(badDtype); }).contains("f8"));
        // A symbolic link that leaves the folder is refused too.
        auto link = variant("link", [](nlohmann::json &m) { m["tokenizer"] = "spm-link"; });
        std::filesystem::create_symlink("/etc/hostname", link + "/spm-link");
        QVERIFY(errorOf([&] { ModelBundle::open(link); }).contains("outside the bundle"));
        // Nesting is bounded (64 levels) before anything recurses over the value; 64 is fine.
        auto nested = [](int levels) {
            nlohmann::json v = nlohmann::json::array();
            for (int i = 1; i < levels; ++i)
                v = nlohmann::json::array({v});
            return v;
        };
        auto deep = variant("deep", [&](nlohmann::json &m) { m["provenance"] = {{"x", nested(100)}}; });
        QVERIFY(errorOf([&] { ModelBundle::open(deep); }).contains("nested deeper than 64 levels"));
        auto shallow = variant("shallow", [&](nlohmann::json &m) { m["provenance"] = {{"x", nested(60)}}; });
        QCOMPARE(ModelBundle::open(shallow).manifest().provenance["x"].size(), size_t(1));
        // Not JSON at all.
        auto garbage = variant("garbage", [](nlohmann::json &) {});
        std::ofstream(garbage + "/manifest.json") << "{ not json";
        QVERIFY(errorOf([&] { ModelBundle::open(garbage); }).contains("invalid JSON"));
    }

    void brokenWeights()
    {
        // Truncated weights: named error at load, not a crash.
        auto truncated = variant("truncated", [](nlohmann::json &) {});
        const std::string w = truncated + "/model.safetensors";
        std::filesystem::resize_file(w, std::filesystem::file_size(w) / 2);
        QVERIFY(errorOf([&] { ModelBundle::open(truncated).load({}); }).contains("model.safetensors"));
        // A wrong-shaped tensor is named.
        auto misshaped = variant("misshaped", [](nlohmann::json &) {});
        auto tensors = SafetensorsFile::open(misshaped + "/model.safetensors").tensors();
        tensors["prompter_down_channel.conv.weight"] = torch::zeros({3, 3});
        SafetensorsWriter::write(misshaped + "/model.safetensors", tensors);
        const QString e = errorOf([&] { ModelBundle::open(misshaped).load({}); });
        QVERIFY2(e.contains("prompter_down_channel.conv.weight"), qPrintable(e));
        // Renamed weights file.
        auto renamed = variant("renamed", [](nlohmann::json &) {});
        std::filesystem::rename(renamed + "/model.safetensors", renamed + "/weights.bin");
        QVERIFY(errorOf([&] { ModelBundle::open(renamed); }).contains("missing from the bundle"));
        // fp16 on the CPU is refused with a reason.
        QVERIFY(errorOf([&] { ModelBundle::open(mBundle).load({"cpu", torch::kFloat16}); }).contains("GPU"));
        QVERIFY(errorOf([&] { ModelBundle::open(mBundle).load({"tpu", torch::kFloat32}); }).contains("invalid device"));
    }
};

QTEST_GUILESS_MAIN(TestModelBundle)
#include "test_modelbundle.moc"
