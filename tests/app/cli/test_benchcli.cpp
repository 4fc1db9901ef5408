// The benchmarks as a user runs them. `bench segment` on generated rasters (one child process
// per size): every figure in JSON and text, with the built-in colour test model and with random
// weights of the tiny architecture; its work folder is removed unless --keep; bad sizes and a
// failing child are one error line. rsrefseg-model-bench accepts the options of `rsrefseg bench
// model` and prints its fields; the standalone program's errors exit with status 1.
#include "clitestsupport.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <set>
#include "testpathsqt.h"

namespace {

using clitest::Result;
using clitest::run;
using clitest::runCli;

const QString kBundle = rsrefseg::test::envQPath("RSREFSEG_BUNDLED_TINY");

Result runModelBench(const QStringList &args)
{
    return run(rsrefseg::test::envQPath("RSREFSEG_MODEL_BENCH"), args);
}

std::set<std::string> keys(const nlohmann::json &j)
{
    std::set<std::string> k;
    for (auto it = j.begin(); it != j.end(); ++it)
        k.insert(it.key());
    return k;
}

// The long options a CLI11 --help lists.
QStringList helpOptions(const QString &help)
{
    QStringList options;
    static const QRegularExpression re(QStringLiteral("(--[a-z][a-z-]*)"));
    for (auto it = re.globalMatch(help); it.hasNext();)
        options << it.next().captured(1);
    options.removeDuplicates();
    options.sort();
    return options;
}

} // namespace

class TestBenchCli : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

    static void checkSegmentFigures(const nlohmann::json &j, int size, int tile)
    {
        QCOMPARE(j["raster_size"].get<int>(), size);
        QCOMPARE(j["tile"].get<int>(), tile);
        for (const char *key : {"rss_start_mb", "model_load_s", "rss_model_mb", "peak_rss_load_mb", "peak_rss_mb",
                                "speedup", "input_size"})
            QVERIFY2(j.contains(key) && j[key].get<double>() > 0, key);
        QVERIFY(j.contains("peak_above_model_mb") && j.contains("overlap") && j.contains("cache_mb"));
        QVERIFY(!j["model"].get<std::string>().empty());
        for (const char *query : {"first_query", "second_query"}) {
            const nlohmann::json &q = j[query];
            for (const char *key : {"seconds", "tiles", "tiles_per_s", "encode_s", "read_s", "decode_s", "post_s",
                                    "polygons", "cache"})
                QVERIFY2(q.contains(key), key);
            QVERIFY(q["tiles"].get<int>() >= 1);
        }
        // The second query reuses the first one's image features: the image encoder does not run.
        QVERIFY(j["first_query"]["cache"]["image_encoder_runs"].get<int>() >= 1);
        QCOMPARE(j["second_query"]["cache"]["image_encoder_runs"].get<int>(), 0);
    }

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    void segmentWithTheColourTestModel()
    {
        const QString work = mDir.filePath("colour");
        const Result r = runCli({"bench", "segment", "--model", "builtin:colour-test", "--sizes", "300,520", "--tile",
                                 "256", "--overlap", "32", "--work", work, "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const nlohmann::json all = nlohmann::json::parse(r.out.toStdString());
        QCOMPARE(int(all.size()), 2);
        checkSegmentFigures(all[0], 300, 256);
        checkSegmentFigures(all[1], 520, 256);
        QVERIFY(all[1]["first_query"]["tiles"].get<int>() > all[0]["first_query"]["tiles"].get<int>());
        QVERIFY2(r.err.contains("bench segment: generated 300 x 300 raster"), qPrintable(r.err));
        // Without --keep the per-size folders go; the --work folder itself is the user's.
        QVERIFY(QDir(work).exists());
        QVERIFY2(QDir(work).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).isEmpty(),
                 qPrintable(QDir(work).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).join(",")));
    }

    void segmentPrintsTextAndKeepsItsFiles()
    {
        const QString work = mDir.filePath("kept");
        const Result r = runCli({"bench", "segment", "--model", "builtin:colour-test", "--sizes", "300", "--tile",
                                 "256", "--overlap", "32", "--work", work, "--keep"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        for (const char *line : {"Raster 300 x 300 px, tile 256, overlap 32, model ", "  first query:  ",
                                 "  second query: ", "image encoder runs 0", "  speed-up:     ",
                                 "  memory:       model loaded "})
            QVERIFY2(r.out.contains(QLatin1String(line)), line);
        for (const char *file : {"300/scene.tif", "300/first_mask.tif", "300/second.gpkg"})
            QVERIFY2(QFileInfo::exists(work + "/" + file), file);
    }

    void segmentWithRandomTinyWeights()
    {
        const Result r = runCli({"bench", "segment", "--arch", kBundle, "--tokenizer", kBundle + "/spiece.model",
                                 "--threads", "1", "--sizes", "200", "--tile", "128", "--overlap", "16", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const nlohmann::json j = nlohmann::json::parse(r.out.toStdString())[0];
        checkSegmentFigures(j, 200, 128);
        QVERIFY(j["parameters"].get<int64_t>() > 400000);
        QCOMPARE(j["threads"].get<int>(), 1);
        QCOMPARE(j["input_size"].get<int>(), 128);
        QVERIFY2(j["model"].get<std::string>().find("random weights") != std::string::npos, j.dump().c_str());
    }

    void segmentBadInput()
    {
        expectError(runCli({"bench", "segment", "--model", "builtin:colour-test", "--sizes", "abc"}), "--sizes");
        expectError(runCli({"bench", "segment", "--model", "builtin:colour-test", "--sizes", "0"}), "--sizes");
        // The error is raised in the child process and reported by the parent, naming the size.
        const QString work = mDir.filePath("failed");
        const Result r = runCli({"bench", "segment", "--sizes", "64", "--work", work});
        expectError(r, "benchmark at size 64: random weights need --tokenizer");
        QVERIFY2(QDir(work).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).isEmpty(),
                 "a failed size leaves none of its files");
        expectError(runCli({"bench", "segment", "--model", mDir.filePath("no-such-bundle"), "--sizes", "64"}),
                    "benchmark at size 64: ");
    }

    // Both programs print through the same code (app/modelbench/modelbenchcommand.h); the
    // standalone one gives every field that `rsrefseg bench model --json` documents.
    void modelBenchPrintsTheSameFields()
    {
        const Result r = runModelBench({"--arch", "tiny", "--dtype", "bfloat16", "--threads", "1", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const nlohmann::json j = nlohmann::json::parse(r.out.toStdString());
        const std::set<std::string> expected = {
            "machine", "arch", "device", "dtype", "threads", "omp_wait_policy", "batch", "image_size", "parameters",
            "build_ms", "encode_image_ms", "encode_image_ms_per_tile", "sam_image_encoder_ms", "siglip_vision_ms",
            "encode_text_ms", "text_tokens", "decode_ms", "cached_tile_query_ms", "encode_image_gflop_per_tile",
            "encode_image_gflops_achieved", "matmul_gflops_f32", "matmul_gflops_bf16", "achieved_to_matmul_ratio",
            "peak_rss_mb", "profile"};
        QVERIFY(keys(j) == expected);
        QCOMPARE(QString::fromStdString(j["dtype"].get<std::string>()), QStringLiteral("bf16"));
        QCOMPARE(j["threads"].get<int>(), 1);
        QCOMPARE(j["parameters"].get<int64_t>(), int64_t(440814));
        for (const char *key : {"encode_image_ms", "encode_text_ms", "decode_ms", "achieved_to_matmul_ratio"})
            QVERIFY2(j[key].get<double>() > 0, key);
        QVERIFY2(r.err.contains("building tiny with random weights"), qPrintable(r.err));
    }

    void modelBenchOptionsAgree()
    {
        const Result cli = runCli({"bench", "model", "--help"});
        const Result standalone = runModelBench({"--help"});
        QCOMPARE(cli.exitCode, 0);
        QCOMPARE(standalone.exitCode, 0);
        const QStringList options = helpOptions(standalone.out);
        QCOMPARE(options, helpOptions(cli.out));
        for (const char *o : {"--arch", "--dtype", "--device", "--threads", "--batch", "--repeats", "--text-tokens",
                              "--warmup", "--profile", "--json", "--help"})
            QVERIFY2(options.contains(QLatin1String(o)), o);
    }

    void modelBenchErrorsExitWithOne()
    {
        const Result dtype = runModelBench({"--arch", "tiny", "--dtype", "f64"});
        QCOMPARE(dtype.exitCode, 1);
        QVERIFY2(dtype.err.contains("rsrefseg-model-bench: error: unknown dtype 'f64'"), qPrintable(dtype.err));
        const Result arch = runModelBench({"--arch", "huge"});
        QCOMPARE(arch.exitCode, 1);
        QVERIFY2(arch.err.contains("unknown architecture 'huge'"), qPrintable(arch.err));
        const Result option = runModelBench({"--no-such-option"});
        QCOMPARE(option.exitCode, 1);
        QVERIFY2(option.err.contains("--no-such-option"), qPrintable(option.err));
        const Result value = runModelBench({"--batch", "many"});
        QCOMPARE(value.exitCode, 1);
        QVERIFY2(value.err.contains("--batch"), qPrintable(value.err));
    }
};

QTEST_GUILESS_MAIN(TestBenchCli)
#include "test_benchcli.moc"
