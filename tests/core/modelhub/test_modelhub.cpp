// ModelHub: the one way to open a model. The golden tiny bundle opened through it decodes bit for
// bit as the network opened directly (RSRefSegNetwork); the built-in colour test model, seeded
// random weights and the bundled model open by name; an unknown architecture or a missing or
// broken manifest is an error naming the file and the field; progress can cancel a load.
// Torch before Qt: Qt's `slots` macro breaks torch headers.
#include "../model/rsrefseg/rsrefseggolden.h"
#include "common/error.h"
#include "engine/featuremap.h"
#include "engine/imagepreprocessor.h"
#include "modelhub/bundledmodels.h"
#include "modelhub/modelhub.h"
#include "modelhub/rsrefsegnetwork.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace rsrefseg;

namespace {

std::string errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.what();
    }
    return {};
}

cv::Mat toMat(const torch::Tensor &t)
{
    const torch::Tensor c = t.to(torch::kFloat32).contiguous();
    return cv::Mat(int(c.size(0)), int(c.size(1)), CV_32FC1, c.data_ptr<float>()).clone();
}

bool identical(const cv::Mat &a, const cv::Mat &b)
{
    return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a != b) == 0;
}

} // namespace

class TestModelHub : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    std::string mBundle;
    std::string mSpm = rsgolden::golden("siglip_tiny/spiece.model");

    std::string path(const QString &n) { return mDir.filePath(n).toStdString(); }

    // A copy of the tiny bundle whose manifest `edit` changes.
    std::string editedBundle(const QString &name, const std::function<void(nlohmann::json &)> &edit)
    {
        const std::string dir = path(name);
        std::filesystem::copy(mBundle, dir, std::filesystem::copy_options::recursive);
        nlohmann::json m;
        std::ifstream(dir + "/manifest.json") >> m;
        edit(m);
        std::ofstream(dir + "/manifest.json") << m.dump(2);
        return dir;
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mBundle = rsgolden::importTinyBundle(path("tiny"));
    }

    void bundleDecodesAsTheNetwork()
    {
        ModelRequest r;
        r.source = mBundle;
        r.compute.threads = 2;
        const OpenedModel m = ModelHub::open(r);
        QCOMPARE(m.source, mBundle);
        QCOMPARE(m.architecture, std::string("rsrefseg"));
        QCOMPARE(torch::get_num_threads(), 2);
        // The untrained tiny model says so, in the one wording.
        QCOMPARE(m.notices.size(), size_t(1));
        QCOMPARE(int(m.notices[0].level), int(Notice::Level::Warning));
        QCOMPARE(m.notices[0].text, "model '" + mBundle + "' is marked untrained: its masks are not meaningful");
        QCOMPARE(noticeLine("rsrefseg", m.notices[0]), "rsrefseg: warning: " + m.notices[0].text);

        cv::Mat img(90, 110, CV_8UC3);
        cv::randu(img, cv::Scalar::all(0), cv::Scalar::all(255));
        const char *sentence = "the white storage tank";
        const FeaturesPtr text = m.model->encodeText(sentence);
        const ModelOutput out = m.model->decode(m.model->encodeImages({img}).at(0), text);

        ComputeOptions c;
        c.threads = 2;
        RSRefSegNetwork n = RSRefSegNetwork::open(mBundle, c);
        QCOMPARE(n.dir, mBundle);
        QCOMPARE(n.threads, 2);
        QCOMPARE(n.tokenizer->options().maxPositions, int(n.manifest.config.siglip.text.maxPositionEmbeddings));
        const SiglipTokenizer::Encoding e = n.tokenizer->encode(sentence);
        c10::InferenceMode guard;
        const int64_t len = int64_t(e.ids.size());
        const ImageFeatures f = n.model->encodeImage(ImagePreprocessor::toModelInput(img, m.model->inputSize()));
        const TextFeatures t = n.model->encodeText(torch::tensor(e.ids).view({1, len}), torch::tensor(e.attentionMask).view({1, len}));
        // The engine's features are contiguous per tile (the same layout fresh, cached or read
        // from disk); the decoder's float sums follow the layout, so compare on that layout.
        const DecodeOutput d = n.model->decode({f.samEmbeddings.contiguous(), f.siglipFeatures.contiguous()}, t);
        const int s = m.model->inputSize();
        QVERIFY(identical(out.logits, toMat(n.model->upsampleLogits(d.lowResLogits, s, s)[0][0])));
        QVERIFY(identical(out.activation, toMat(d.globalActivationLogit[0])));
        QCOMPARE(out.relevance, torch::sigmoid(d.globalActivationLogit[0]).max().item<float>());
        QCOMPARE(out.iou, d.iouPrediction[0].item<float>());
        QCOMPARE(text->textTokens, int(len));
        QVERIFY(text->textWarning.empty());

        // At the image's own size (predict): the network's own predict() on the whole image, with
        // the features in the layout its encoder gives them, and upstream's post-processing.
        const ImageSizeOutput full = m.model->decodeAtSize(m.model->encodeImages({img}).at(0), text, 110, 90);
        const DecodeOutput p = n.model->predict(ImagePreprocessor::toModelInput(img, s), torch::tensor(e.ids).view({1, len}),
                                                torch::tensor(e.attentionMask).view({1, len}));
        QVERIFY(identical(full.logits, toMat(n.model->upsampleLogits(p.lowResLogits, 90, 110)[0][0])));
        QVERIFY(identical(full.lowResLogits, toMat(p.lowResLogits[0][0])));
        QCOMPARE(full.iou, p.iouPrediction[0].item<float>());
    }

    void builtinColourTest()
    {
        ModelRequest r;
        r.source = "builtin:colour-test";
        const OpenedModel m = ModelHub::open(r);
        QCOMPARE(m.architecture, std::string("colour-test"));
        QCOMPARE(m.source, std::string("builtin:colour-test"));
        QCOMPARE(m.model->inputSize(), 256);
        QCOMPARE(m.model->modelId(), std::string("builtin-colour-test-v1"));
        QCOMPARE(m.notices.size(), size_t(1));
        QCOMPARE(noticeLine("rsrefseg", m.notices[0]),
                 std::string("rsrefseg: note: using the built-in colour test model (not a segmentation model)"));
    }

    void randomWeights()
    {
        ModelRequest r;
        r.source = "random:" + mBundle; // the bundle's architecture, seeded weights
        r.tokenizer = mSpm;
        r.seed = 5;
        r.compute.threads = 1;
        const OpenedModel a = ModelHub::open(r);
        const OpenedModel b = ModelHub::open(r);
        QCOMPARE(a.architecture, std::string("rsrefseg"));
        QCOMPARE(a.source, r.source);
        QVERIFY(!a.model->trained());
        QCOMPARE(a.model->modelId(), b.model->modelId());
        const cv::Mat img(64, 64, CV_8UC3, cv::Scalar(10, 120, 200));
        const ModelOutput x = a.model->decode(a.model->encodeImages({img})[0], a.model->encodeText("ships"));
        const ModelOutput y = b.model->decode(b.model->encodeImages({img})[0], b.model->encodeText("ships"));
        QVERIFY(identical(x.logits, y.logits));
        r.seed = 6;
        QVERIFY(ModelHub::open(r).model->modelId() != a.model->modelId());

        r.tokenizer.clear();
        QVERIFY(errorOf([&] { ModelHub::open(r); }).find("tokenizer") != std::string::npos);
        r.tokenizer = mSpm;
        r.source = "random:nope";
        const std::string unknown = errorOf([&] { ModelHub::open(r); });
        QVERIFY2(unknown.find("'nope'") != std::string::npos && unknown.find("rsrefseg-b") != std::string::npos,
                 unknown.c_str());
        r.source = "random:";
        QVERIFY(!errorOf([&] { ModelHub::open(r); }).empty());
        QCOMPARE(ModelHub::architecture("rsrefseg").presets, std::vector<std::string>{"rsrefseg-b"});
        QVERIFY(errorOf([] { ModelHub::architecture("sam3"); }).find("'sam3'") != std::string::npos);
    }

    void theBundledModel()
    {
        ModelRequest r; // no source: the bundled model, with a note saying which
        r.compute.threads = 1;
        const OpenedModel m = ModelHub::open(r);
        QCOMPARE(m.source, BundledModels::find());
        QVERIFY(!m.notices.empty());
        QCOMPARE(noticeLine("rsrefseg", m.notices[0]), "rsrefseg: note: using the bundled model " + m.source);
    }

    void unknownArchitectureNamesManifestAndField()
    {
        const std::string dir = editedBundle("sam3", [](nlohmann::json &m) { m["architecture"] = "sam3"; });
        ModelRequest r;
        r.source = dir;
        QCOMPARE(errorOf([&] { ModelHub::open(r); }),
                 dir + "/manifest.json: unknown architecture 'sam3' in field 'architecture' (this program runs: rsrefseg, rsrefseg2)");
        // The same for random weights of that bundle's architecture.
        r.source = "random:" + dir;
        r.tokenizer = mSpm;
        QVERIFY(errorOf([&] { ModelHub::open(r); }).find(dir + "/manifest.json: unknown architecture 'sam3'") == 0);
        // Opened at the network level (the trainer, the evaluator), it is refused as well.
        QCOMPARE(errorOf([&] { RSRefSegNetwork::open(dir, ComputeOptions()); }),
                 dir + "/manifest.json: field 'architecture' is 'sam3', not an RSRefSeg bundle");
        // Bundles from before the field existed are RSRefSeg bundles.
        const std::string old = editedBundle("old", [](nlohmann::json &m) { m.erase("architecture"); });
        r.source = old;
        QCOMPARE(ModelHub::open(r).architecture, std::string("rsrefseg"));
    }

    void missingOrInvalidManifest()
    {
        ModelRequest r;
        r.source = path("none");
        QCOMPARE(errorOf([&] { ModelHub::open(r); }), "model bundle '" + r.source + "' is not a folder");
        r.source = path("empty");
        QDir().mkpath(QString::fromStdString(r.source));
        QCOMPARE(errorOf([&] { ModelHub::open(r); }), "model bundle '" + r.source + "' has no manifest.json");
        r.source = editedBundle("badtype", [](nlohmann::json &m) { m["trained"] = "no"; });
        QCOMPARE(errorOf([&] { ModelHub::open(r); }), r.source + "/manifest.json: field 'trained' has the wrong type");
        r.source = editedBundle("badjson", [](nlohmann::json &) {});
        std::ofstream(r.source + "/manifest.json") << "{\"format\": ";
        QVERIFY(errorOf([&] { ModelHub::open(r); }).rfind(r.source + "/manifest.json: invalid JSON", 0) == 0);
        // What only the loader checks still reaches the caller with its own words.
        r.source = editedBundle("noconfig", [](nlohmann::json &m) { m.erase("config"); });
        QCOMPARE(errorOf([&] { ModelHub::open(r); }), r.source + "/manifest.json: missing field 'config'");
    }

    void progressCancels()
    {
        ModelRequest r;
        r.source = mBundle;
        std::vector<double> seen;
        ModelHub::open(r, [&](double f) {
            seen.push_back(f);
            return true;
        });
        QVERIFY(seen.size() >= 2);
        QCOMPARE(seen.front(), 0.0);
        QCOMPARE(seen.back(), 1.0);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        for (const std::string source : {mBundle, std::string("builtin:colour-test"), "random:" + mBundle}) {
            r.source = source;
            r.tokenizer = mSpm;
            int calls = 0;
            QVERIFY_THROWS_EXCEPTION(CancelledError, ModelHub::open(r, [&](double f) {
                ++calls;
                return f < 0.5;
            }));
            QVERIFY(calls >= 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestModelHub)
#include "test_modelhub.moc"
