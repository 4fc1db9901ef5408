// The model commands as a user runs them: `model import` from the golden HF-style folders and
// checkpoint, `model info`, `predict` end to end (mask equal to the reference's), `bench model`,
// and every documented bad input.
#include "clitestsupport.h"
#include "rawsafetensors.h"

#include "../../core/geo/rastermaker.h"

#include <gdal_priv.h>
#include <nlohmann/json.hpp>

#include <QDir>
#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

using rsrefseg::test::makeRaster;
using rsrefseg::test::RasterSpec;

namespace {

using clitest::Result;
using clitest::run;
using clitest::runCli;
using clitest::expectError;
using clitest::golden;
using clitest::RawSafetensors;

double maxAbsDiff(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size() || a.empty())
        return std::numeric_limits<double>::infinity();
    double m = 0.0;
    for (size_t i = 0; i < a.size(); ++i)
        m = std::max(m, double(std::abs(a[i] - b[i])));
    return m;
}
} // namespace

class TestModelCli : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    QString mBundle;
    QString mImage;
    QString mText = "The white storage tank on the left, next to 2 small cars.";

    QString file(const QString &n) const { return mDir.filePath(n); }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mBundle = file("tiny");
        const Result r = runCli({"model", "import", "--siglip", golden("siglip_tiny"), "--sam", golden("sam_tiny"),
                                 "--checkpoint", golden("rsrefseg_tiny/model.safetensors"), "--lora-alpha", "8",
                                 "--untrained", "--out", mBundle});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("rank 4"));
        // The golden image (150 x 130 RGB) as a PNG, written with GDAL.
        GDALAllRegister();
        const RawSafetensors io(golden("rsrefseg_tiny/io.safetensors"));
        const auto *rgb = reinterpret_cast<const unsigned char *>(io.data("image_rgb_u8"));
        QImage img(130, 150, QImage::Format_RGB888);
        for (int y = 0; y < 150; ++y)
            std::memcpy(img.scanLine(y), rgb + y * 130 * 3, 130 * 3);
        mImage = file("golden.png");
        QVERIFY(img.save(mImage));
    }

    void infoDescribesTheBundle()
    {
        const Result r = runCli({"model", "info", mBundle, "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto j = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(j["trained"].get<bool>(), false);
        QCOMPARE(j["config"]["prompter"]["down_spatial_times"].get<int>(), 2);
        QVERIFY(j["parameters_by_part"]["backbone"].get<int64_t>() > 0);
        const Result text = runCli({"model", "info", mBundle});
        QVERIFY(text.out.contains("NO: random or untrained"));
    }

    void predictMatchesReference()
    {
        const QString mask = file("mask.png");
        const QString logits = file("logits.safetensors");
        const Result r = runCli({"predict", "--model", mBundle, "--image", mImage, "--text", mText, "--out", mask,
                                 "--logits", logits});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.err.contains("untrained"));
        // The reference mask, compared where the reference logit is clear of zero.
        const RawSafetensors io(golden("rsrefseg_tiny/io.safetensors"));
        const auto *refMask = reinterpret_cast<const unsigned char *>(io.data("mask_original_size"));
        const std::vector<float> refLogits = io.f32("logits_original_size");
        const float *refLogit = refLogits.data();
        QCOMPARE(refLogits.size(), size_t(150 * 130));
        const QImage m(mask);
        QCOMPARE(m.width(), 130);
        QCOMPARE(m.height(), 150);
        int compared = 0;
        for (int y = 0; y < 150; ++y)
            for (int x = 0; x < 130; ++x) {
                const int i = y * 130 + x;
                if (std::abs(refLogit[i]) <= 1e-4f)
                    continue;
                QCOMPARE(qGray(m.pixel(x, y)) > 127, refMask[i] != 0);
                ++compared;
            }
        QVERIFY(compared > 19000);
        // --logits: the float32 run's tensors equal the golden ones (test_rsrefsegmodel asserts
        // 1e-5 on the same model; 1e-4 leaves room for the PNG round trip of the input, which is
        // lossless), with the query and model recorded.
        const RawSafetensors out(logits);
        QCOMPARE(out.shape("logits"), (std::vector<int64_t>{150, 130}));
        QVERIFY2(maxAbsDiff(out.f32("logits"), refLogits) < 1e-4,
                 qPrintable(QString::number(maxAbsDiff(out.f32("logits"), refLogits))));
        QCOMPARE(out.shape("low_res_logits"), (std::vector<int64_t>{1, 1, 32, 32})); // golden: (1, 1, 1, 32, 32)
        QVERIFY(maxAbsDiff(out.f32("low_res_logits"), io.f32("low_res_masks")) < 1e-4);
        QVERIFY(maxAbsDiff(out.f32("iou_prediction"), io.f32("iou_predictions")) < 1e-4);
        const std::vector<float> act = out.f32("global_activation"), actLogit = out.f32("global_activation_logit");
        QCOMPARE(act.size(), actLogit.size());
        QVERIFY(!act.empty());
        for (size_t i = 0; i < act.size(); ++i)
            QVERIFY(std::abs(act[i] - 1.0f / (1.0f + std::exp(-actLogit[i]))) < 1e-6f);
        QCOMPARE(QString::fromStdString(out.header["__metadata__"]["text"].get<std::string>()), mText);
    }

    void textVariants()
    {
        // Non-ASCII text works; 1,000 words are truncated to the text tower with a warning.
        Result r = runCli({"predict", "--model", mBundle, "--image", mImage, "--text", "Der weiße Öltank — links",
                           "--out", file("umlaut.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QStringList words;
        for (int i = 0; i < 1000; ++i)
            words << "tank";
        r = runCli({"predict", "--model", mBundle, "--image", mImage, "--text", words.join(' '), "--out", file("long.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.err.contains("truncated") || r.err.contains("63"));
        QVERIFY(r.out.contains("(truncated)"));
    }

    void extremeImageSizes()
    {
        // 1 x 1 pixel: resized up to the model input; the mask has the image's size.
        RasterSpec one;
        one.width = one.height = 1;
        one.epsg = 0;
        one.driver = "PNG";
        const QString tiny = QString::fromStdString(makeRaster(file("one.png").toStdString(), one));
        Result r = runCli({"predict", "--model", mBundle, "--image", tiny, "--text", "a tank", "--out", file("one-mask.png")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(QImage(file("one-mask.png")).size(), QSize(1, 1));
        // 10,000 x 10,000 (one grey band, replicated to RGB).
        GDALDriver *gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
        const std::string huge = file("huge.tif").toStdString();
        GDALDataset *ds = gtiff->Create(huge.c_str(), 10000, 10000, 1, GDT_Byte, nullptr);
        std::vector<unsigned char> row(10000);
        for (int y = 0; y < 10000; y += 1) {
            for (int x = 0; x < 10000; ++x)
                row[size_t(x)] = static_cast<unsigned char>((x / 100 + y / 100) % 2 ? 200 : 30);
            QVERIFY(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, y, 10000, 1, row.data(), 10000, 1, GDT_Byte, 0, 0) == CE_None);
        }
        GDALClose(ds);
        r = runCli({"predict", "--model", mBundle, "--image", QString::fromStdString(huge), "--text", "the field",
                    "--out", file("huge-mask.tif")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains("10000 x 10000"));
        // The written mask: full size, only 0 and 255, and as many object pixels as reported.
        GDALDataset *m = GDALDataset::Open(file("huge-mask.tif").toUtf8().constData(), GDAL_OF_RASTER);
        QVERIFY(m);
        QCOMPARE(m->GetRasterXSize(), 10000);
        QCOMPARE(m->GetRasterYSize(), 10000);
        int64_t object = 0, other = 0;
        std::vector<unsigned char> rows(size_t(10000) * 100);
        for (int y = 0; y < 10000; y += 100) {
            QVERIFY(m->GetRasterBand(1)->RasterIO(GF_Read, 0, y, 10000, 100, rows.data(), 10000, 100, GDT_Byte, 0, 0) == CE_None);
            for (unsigned char v : rows) {
                object += v == 255;
                other += v != 0 && v != 255;
            }
        }
        GDALClose(m);
        QCOMPARE(other, int64_t(0));
        const QRegularExpressionMatch reported = QRegularExpression("Object: +(\\d+) pixels").match(r.out);
        QVERIFY2(reported.hasMatch(), qPrintable(r.out));
        QCOMPARE(object, reported.captured(1).toLongLong());
        QFile::remove(QString::fromStdString(huge));
        QFile::remove(file("huge-mask.tif"));
    }

    void badInputs()
    {
        expectError(runCli({"predict", "--model", mBundle, "--image", mImage, "--text", "   ", "--out", file("e.png")}),
                    "--text is empty");
        expectError(runCli({"predict", "--model", file("nope"), "--image", mImage, "--text", "x", "--out", file("e.png")}),
                    "not a folder");
        expectError(runCli({"predict", "--model", mBundle, "--image", file("missing.png"), "--text", "x", "--out",
                            file("e.png")}),
                    "no such file");
        expectError(runCli({"predict", "--model", mBundle, "--image", mImage, "--text", "x", "--out", file("e.jpg")}),
                    "lossless");
        expectError(runCli({"predict", "--model", mBundle, "--image", mImage, "--text", "x", "--out", file("mask.png")}),
                    "already exists");
        expectError(runCli({"predict", "--model", mBundle, "--image", mImage, "--text", "x", "--out", file("e.png"),
                            "--device", "cuda:0"}),
                    "CUDA");
        // Import errors: missing folder, rank-4 checkpoint without alpha, existing output.
        expectError(runCli({"model", "import", "--siglip", file("none"), "--sam", golden("sam_tiny"), "--out", file("b2")}),
                    "not found");
        expectError(runCli({"model", "import", "--siglip", golden("siglip_tiny"), "--sam", golden("sam_tiny"),
                            "--checkpoint", golden("rsrefseg_tiny/model.pth"), "--out", file("b3")}),
                    "--lora-alpha");
        expectError(runCli({"model", "import", "--siglip", golden("siglip_tiny"), "--sam", golden("sam_tiny"), "--out",
                            mBundle}),
                    "already exists");
        // Nothing half-written was left by the failed commands.
        const QStringList leftovers = QDir(mDir.path()).entryList(QStringList() << "e.*" << ".*tmp*" << "b2" << "b3",
                                                                  QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        QVERIFY2(leftovers.isEmpty(), qPrintable(leftovers.join(",")));
    }

    void benchPrintsFigures()
    {
        const Result r = runCli({"bench", "model", "--arch", "tiny", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const auto j = nlohmann::json::parse(r.out.toStdString());
        for (const char *key : {"encode_image_ms", "encode_text_ms", "decode_ms", "peak_rss_mb", "matmul_gflops_f32",
                                "matmul_gflops_bf16", "achieved_to_matmul_ratio", "parameters"})
            QVERIFY2(j.contains(key) && j[key].get<double>() > 0, key);
        QCOMPARE(j["parameters"].get<int64_t>(), int64_t(440814));
    }

    // The programs re-execute themselves once with OMP_WAIT_POLICY=PASSIVE when it is unset
    // (common/openmpwaitpolicy.h); a user's own setting is kept.
    void openMpThreadsWaitPassively()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("OMP_WAIT_POLICY"));
        const Result unset = runCli({"bench", "model", "--arch", "tiny", "--json"}, 300000, env);
        QVERIFY2(unset.exitCode == 0, qPrintable(unset.err));
        QCOMPARE(QString::fromStdString(nlohmann::json::parse(unset.out.toStdString())["omp_wait_policy"].get<std::string>()),
                 QStringLiteral("PASSIVE"));
        env.insert(QStringLiteral("OMP_WAIT_POLICY"), QStringLiteral("ACTIVE"));
        const Result mine = runCli({"bench", "model", "--arch", "tiny", "--json"}, 300000, env);
        QVERIFY2(mine.exitCode == 0, qPrintable(mine.err));
        QCOMPARE(QString::fromStdString(nlohmann::json::parse(mine.out.toStdString())["omp_wait_policy"].get<std::string>()),
                 QStringLiteral("ACTIVE"));
    }
};

QTEST_GUILESS_MAIN(TestModelCli)
#include "test_modelcli.moc"
