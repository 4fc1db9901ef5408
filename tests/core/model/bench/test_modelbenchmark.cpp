// ModelBenchmark: a run on the tiny architecture gives every figure, under the JSON keys that
// `rsrefseg bench model --json` and rsrefseg-model-bench print, with the dtype in its canonical
// spelling; bad options (dtype, fp16 on the CPU, architecture, counts, text length) are one
// Error naming the option, raised before any measurement starts.
#include "common/error.h"
#include "model/bench/modelbenchmark.h"

#include <QtTest>

#include <string>

using namespace rsrefseg;

class TestModelBenchmark : public QObject
{
    Q_OBJECT

    static void expectError(const ModelBenchmark::Options &o, const QString &needle)
    {
        std::string log;
        try {
            ModelBenchmark::run(o, [&](const std::string &s) { log += s; });
            QFAIL(qPrintable("accepted: " + needle));
        } catch (const Error &e) {
            QVERIFY2(QString(e.what()).contains(needle), e.what());
        }
        QVERIFY2(log.empty(), log.c_str()); // nothing was measured
    }

  private slots:
    void tinyRunGivesEveryFigure()
    {
        ModelBenchmark::Options o;
        o.arch = "tiny";
        o.dtype = "float32";
        o.threads = 1;
        o.repeats = 2;
        std::string log;
        const ModelBenchmark::Result r = ModelBenchmark::run(o, [&](const std::string &s) { log += s; });
        QVERIFY2(log.find("building tiny with random weights") != std::string::npos, log.c_str());
        QCOMPARE(QString::fromStdString(r.options.dtype), QStringLiteral("f32"));
        QCOMPARE(r.threads, 1);
        QCOMPARE(r.parameters, int64_t(440814));
        QCOMPARE(r.imageSize, int64_t(128));
        for (double v : {r.buildMs, r.encodeImageMs, r.encodeImageSamMs, r.encodeImageSiglipMs, r.encodeTextMs,
                         r.decodeMs, r.queryMs, r.encodeImageGflop, r.achievedGflops, r.matmulGflopsF32,
                         r.matmulGflopsBf16, r.ratioToMatmul, r.peakRssMb})
            QVERIFY(v > 0);
        QCOMPARE(r.achievedGflops, r.encodeImageGflop / (r.encodeImageMs / 1000.0));
        QCOMPARE(r.ratioToMatmul, r.achievedGflops / r.matmulGflopsF32);

        const nlohmann::json j = r.toJson();
        QCOMPARE(QString::fromStdString(j["dtype"].get<std::string>()), QStringLiteral("f32"));
        QCOMPARE(QString::fromStdString(j["arch"].get<std::string>()), QStringLiteral("tiny"));
        for (const char *key :
             {"machine", "arch", "device", "dtype", "threads", "omp_wait_policy", "batch", "image_size", "parameters",
              "build_ms", "encode_image_ms", "encode_image_ms_per_tile", "sam_image_encoder_ms", "siglip_vision_ms",
              "encode_text_ms", "text_tokens", "decode_ms", "cached_tile_query_ms", "encode_image_gflop_per_tile",
              "encode_image_gflops_achieved", "matmul_gflops_f32", "matmul_gflops_bf16", "achieved_to_matmul_ratio",
              "peak_rss_mb", "profile"})
            QVERIFY2(j.contains(key), key);
        QCOMPARE(int(j.size()), 25);
        const QString text = QString::fromStdString(r.toText());
        QVERIFY2(text.contains("tiny, 0.4 M parameters, f32 on cpu, input 128 px, batch 1"), qPrintable(text));
        QVERIFY2(text.contains("of the f32 matrix-product rate"), qPrintable(text));
    }

    void badOptionsAreErrorsBeforeMeasuring()
    {
        ModelBenchmark::Options o;
        o.arch = "tiny";
        o.dtype = "f64";
        expectError(o, "unknown dtype 'f64'");
        o.dtype = "f16";
        expectError(o, "fp16 is only benchmarked on GPUs");
        o.dtype = "f32";
        o.arch = "huge";
        expectError(o, "unknown architecture 'huge'");
        o.arch = "tiny";
        o.batch = 0;
        expectError(o, "batch, repeats and text tokens must be at least 1");
        o.batch = 1;
        o.textTokens = 1000;
        expectError(o, "--text-tokens exceeds");
    }
};

QTEST_GUILESS_MAIN(TestModelBenchmark)
#include "test_modelbenchmark.moc"
