// RSRefSeg 2 from the command line, as a user runs it: `model import --architecture rsrefseg2`
// from the golden fixtures (the bf16 PEFT .pth, the tiny config, the Gemma tokenizer and its
// tokenizer_config.json), `model info`, `predict` (logits and mask equal to the reference's),
// `segment` on a GeoTIFF, and the documented bad inputs, each one clear error and nothing left.
#include "clitestsupport.h"
#include "rawsafetensors.h"

#include "../../core/geo/rastermaker.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>

using rsrefseg::test::makeRaster;
using rsrefseg::test::RasterSpec;

namespace {

using clitest::expectError;
using clitest::golden;
using clitest::RawSafetensors;
using clitest::Result;
using clitest::runCli;

} // namespace

class TestRSRefSeg2Cli : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    QString mBundle;
    QString mImage;
    const QString mText = "The white storage tank on the left, next to 2 small cars.";

    QString file(const QString &n) const { return mDir.filePath(n); }

    QStringList importArgs(const QString &checkpoint, const QString &out) const
    {
        return {"model", "import", "--architecture", "rsrefseg2", "--config", golden("rsrefseg2/config.json"),
                "--checkpoint", checkpoint, "--tokenizer", golden("rsrefseg2/tokenizer.model"), "--tokenizer-config",
                golden("rsrefseg2/tokenizer_config.json"), "--untrained", "--out", out};
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mBundle = file("tiny2");
        const Result r = runCli(importArgs(golden("rsrefseg2/model.pth"), mBundle));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("rank 4") && r.out.contains("39 adapters") && r.out.contains("(bf16)"), qPrintable(r.out));
        // The golden image (100 x 147 RGB) as a PNG.
        const RawSafetensors io(golden("rsrefseg2/io.safetensors"));
        const auto *rgb = reinterpret_cast<const unsigned char *>(io.data("image_rgb_u8"));
        QImage img(147, 100, QImage::Format_RGB888);
        for (int y = 0; y < 100; ++y)
            std::memcpy(img.scanLine(y), rgb + y * 147 * 3, 147 * 3);
        mImage = file("golden2.png");
        QVERIFY(img.save(mImage));
    }

    void infoAndListShowTheArchitecture()
    {
        const Result r = runCli({"model", "info", mBundle, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(QString::fromStdString(j["architecture"].get<std::string>()), QString("rsrefseg2"));
        QCOMPARE(j["config"]["hiera"]["embed_dim"].get<int>(), 12);
        QVERIFY(j["parameters_by_part"]["prompter"].get<int64_t>() > 0);
        const Result list = runCli({"model", "list", mBundle, "--json"});
        QVERIFY(list.out.contains("\"architecture\": \"rsrefseg2\""));
        const Result text = runCli({"model", "info", mBundle});
        QVERIFY2(text.out.contains("Hiera") && text.out.contains("tokenizer_config.json"), qPrintable(text.out));
    }

    void predictMatchesTheReference()
    {
        const QString mask = file("mask.png");
        const QString logits = file("logits.safetensors");
        const Result r = runCli({"predict", "--model", mBundle, "--image", mImage, "--text", mText, "--out", mask,
                                 "--logits", logits});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const RawSafetensors io(golden("rsrefseg2/io.safetensors"));
        const std::vector<float> ref = io.f32("post.logits_original_size");
        const auto *refMask = reinterpret_cast<const unsigned char *>(io.data("post.mask_original_size"));
        const RawSafetensors out(logits);
        const std::vector<float> got = out.f32("logits");
        QCOMPARE(got.size(), ref.size());
        double worst = 0.0;
        for (size_t i = 0; i < ref.size(); ++i)
            worst = std::max(worst, double(std::abs(got[i] - ref[i])));
        // The golden README's bound for mask logits (1e-4); test_rsrefseg2model measures the model alone.
        QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));
        const QImage m(mask);
        QCOMPARE(m.width(), 147);
        QCOMPARE(m.height(), 100);
        int compared = 0;
        int object = 0;
        for (int y = 0; y < 100; ++y)
            for (int x = 0; x < 147; ++x) {
                const size_t i = static_cast<size_t>(y) * 147 + x;
                if (std::abs(ref[i]) <= 1e-4f)
                    continue;
                QCOMPARE(qGray(m.pixel(x, y)) > 127, refMask[i] != 0);
                object += refMask[i] != 0;
                ++compared;
            }
        QVERIFY(compared > 14000 && object > 0);
    }

    void segmentWritesAGeoTiff()
    {
        RasterSpec s;
        s.width = 300;
        s.height = 200;
        const QString raster = QString::fromStdString(makeRaster(file("scene.tif").toStdString(), s));
        const QString out = file("seg.tif");
        const Result r = runCli({"segment", raster, "--model", mBundle, "-q", "the white tank", "--tile", "128",
                                 "--overlap", "16", "--gate", "0", "--quiet", "--out-mask", out});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(QFile::exists(out));
    }

    void badInputsAreOneClearError()
    {
        // A v1 checkpoint as RSRefSeg 2, and the reverse.
        expectError(runCli(importArgs(golden("rsrefseg_tiny/model.pth"), file("bad1"))), "RSRefSeg (v1)");
        expectError(runCli({"model", "import", "--siglip", golden("siglip_tiny"), "--sam", golden("sam_tiny"),
                            "--checkpoint", golden("rsrefseg2/model.pth"), "--lora-alpha", "6", "--out", file("bad2")}),
                    "--architecture rsrefseg2");
        // The built-in full-size configuration with the tiny checkpoint: the LoRA rank differs first.
        QStringList full = importArgs(golden("rsrefseg2/model.pth"), file("bad3"));
        full.removeAt(full.indexOf("--config") + 1);
        full.removeAll("--config");
        expectError(runCli(full), "its LoRA rank is 4 but the configuration");
        // A configuration whose prompter MLP is wider than the checkpoint's: the tensor and both shapes.
        std::ifstream in(golden("rsrefseg2/config.json").toStdString());
        nlohmann::json config = nlohmann::json::parse(in);
        config["prompter"]["mlp_dim"] = 64;
        std::ofstream(file("wide.json").toStdString()) << config.dump();
        QStringList wide = importArgs(golden("rsrefseg2/model.pth"), file("bad3"));
        wide[wide.indexOf("--config") + 1] = file("wide.json");
        const Result r = runCli(wide);
        expectError(r, "in the configuration");
        QVERIFY2(r.err.contains("[48, 32]") && r.err.contains("[64, 32]") && r.err.contains("model.pth"),
                 qPrintable(r.err));
        // An empty text and an image smaller than one patch: refused.
        expectError(runCli({"predict", "--model", mBundle, "--image", mImage, "--text", "  ", "--out", file("e.png")}),
                    "empty");
        QImage small(8, 30, QImage::Format_RGB888);
        small.fill(Qt::white);
        QVERIFY(small.save(file("small.png")));
        expectError(runCli({"predict", "--model", mBundle, "--image", file("small.png"), "--text", "a tank", "--out",
                            file("e.png")}),
                    "smaller than one 16-pixel patch");
        QVERIFY(!QFile::exists(file("e.png")));
        // No tokenizer: named with its flag.
        QStringList noTok = importArgs(golden("rsrefseg2/model.pth"), file("bad4"));
        noTok.removeAt(noTok.indexOf("--tokenizer") + 1);
        noTok.removeAll("--tokenizer");
        expectError(runCli(noTok), "--tokenizer");
        for (const QString &bad : {"bad1", "bad2", "bad3", "bad4"})
            QVERIFY2(!QDir(file(bad)).exists(), qPrintable(bad));
        QCOMPARE(QDir(mDir.path()).entryList(QStringList{".*tmp*"}, QDir::AllEntries | QDir::Hidden).size(), 0);
    }

    void missingFrozenWeightsNameTheFlag()
    {
        // A checkpoint without the frozen SigLIP text embedding: the first missing tensor and --siglip.
        std::ifstream in(golden("rsrefseg2/model_merged.safetensors").toStdString(), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        uint64_t n = 0;
        std::memcpy(&n, bytes.data(), 8);
        nlohmann::json h = nlohmann::json::parse(bytes.substr(8, n));
        h.erase("clip_text_encoder.model.embeddings.token_embedding.weight");
        std::string header = h.dump();
        header.append((8 - header.size() % 8) % 8, ' ');
        const uint64_t len = header.size();
        const QString partial = file("partial.safetensors");
        std::ofstream out(partial.toStdString(), std::ios::binary);
        out.write(reinterpret_cast<const char *>(&len), 8);
        out << header << bytes.substr(8 + n);
        out.close();
        const Result r = runCli(importArgs(partial, file("bad5")));
        expectError(r, "clip_text_encoder.model.embeddings.token_embedding.weight");
        QVERIFY2(r.err.contains("--siglip"), qPrintable(r.err));
        QVERIFY(!QDir(file("bad5")).exists());
    }
};

QTEST_GUILESS_MAIN(TestRSRefSeg2Cli)
#include "test_rsrefseg2cli.moc"
