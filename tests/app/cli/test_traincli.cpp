// `rsrefseg train` and `rsrefseg eval` as a user runs them, on the tiny golden model and a small
// synthetic data set: a configuration file with flags that override it, the exported bundle
// evaluated with the paper's table, Ctrl-C (SIGINT) writing a resumable checkpoint that
// `--resume` continues, and bad input (malformed data, unknown options, changed settings on
// resume) as one-line errors.
#include "clitestsupport.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include "testpathsqt.h"

namespace {

using clitest::Result;
using clitest::run;
using clitest::runCli;
using clitest::golden;

} // namespace

class TestTrainCli : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    QString mBundle;

    QString file(const QString &n) const { return mDir.filePath(n); }

    static void expectError(const Result &r, const QString &needle) { clitest::expectError(r, needle, 1); }

    QStringList dataFlags() const
    {
        return {"--train-data", file("train/train.jsonl"), "--train-images", file("train/images"),
                "--val-data",   file("val/val.jsonl"),     "--val-images",   file("val/images")};
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mBundle = file("tiny");
        Result r = runCli({"model", "import", "--siglip", golden("siglip_tiny"), "--sam", golden("sam_tiny"), "--checkpoint",
                           golden("rsrefseg_tiny/model.safetensors"), "--lora-alpha", "8", "--untrained", "--out", mBundle});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({"synth", "--out", file("train"), "--count", "4", "--seed", "5", "--size", "256", "--per-scene", "2"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = runCli({"synth", "--out", file("val"), "--count", "2", "--seed", "6", "--size", "256", "--split", "val"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }

    void trainWithConfigFileAndEval()
    {
        const nlohmann::json config = {{"init_bundle", mBundle.toStdString()}, {"lora_rank", 4}, {"lora_alpha", 8.0},
                                       {"batch_size", 2}, {"epochs", 2}, {"lr", 5e-4}, {"val_every", 1},
                                       {"threads", 1}, {"log_every", 1}, {"seed", 3}};
        std::ofstream(file("train.json").toStdString()) << config.dump(2);
        QStringList args = {"train", "--config", file("train.json"), "--out", file("run"), "--export", file("trained"),
                            "--lr", "1e-3"}; // the flag wins over the file
        args << dataFlags();
        const Result r = runCli(args);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("epoch 2/2  step 8/8"), qPrintable(r.err));
        QVERIFY(r.err.contains("it/s") && r.err.contains("ETA") && r.err.contains("lr "));
        QVERIFY2(r.err.contains("validation after epoch 1"), qPrintable(r.err));
        QVERIFY2(r.out.contains("Model bundle:"), qPrintable(r.out));
        std::ifstream stored(file("run/config.json").toStdString());
        const auto resolved = nlohmann::json::parse(stored);
        QCOMPARE(resolved["lr"].get<double>(), 1e-3);
        QCOMPARE(resolved["batch_size"].get<int>(), 2);
        QVERIFY(std::filesystem::exists(file("run/best.safetensors").toStdString()));
        QVERIFY(std::filesystem::exists(file("run/train_log.jsonl").toStdString()));

        const Result e = runCli({"eval", "--model", file("trained"), "--data", file("val/val.jsonl"), "--images",
                                 file("val/images"), "--out", file("eval"), "--threads", "1"});
        QVERIFY2(e.exitCode == 0, qPrintable(e.err));
        for (const char *column : {"Pr@0.5", "Pr@0.6", "Pr@0.7", "Pr@0.8", "Pr@0.9", "oIoU", "mIoU"})
            QVERIFY2(e.out.contains(column), qPrintable(e.out));
        QVERIFY2(e.out.contains("Mean IoU per category:"), qPrintable(e.out));
        std::ifstream results(file("eval/results.jsonl").toStdString());
        int lines = 0;
        std::map<std::string, std::pair<double, int>> perCategory; // sum of IoUs with a union, count
        for (std::string line; std::getline(results, line); ++lines) {
            const auto sample = nlohmann::json::parse(line);
            QVERIFY(sample.contains("iou") && sample["category_name"].is_string());
            auto &sum = perCategory[sample["category_name"].get<std::string>()];
            if (sample["union"].get<long long>() > 0) {
                sum.first += sample["iou"].get<double>();
                ++sum.second;
            }
        }
        QCOMPARE(lines, 2);
        // metrics.json's per-category mIoU, recomputed from the per-sample lines.
        std::ifstream metricsFile(file("eval/metrics.json").toStdString());
        const auto metrics = nlohmann::json::parse(metricsFile);
        for (const auto &[category, sum] : perCategory) {
            const auto &mIoU = metrics["per_category"]["categories"][category]["mIoU"];
            if (sum.second == 0)
                QVERIFY(mIoU.is_null());
            else
                QVERIFY(std::abs(mIoU.get<double>() - sum.first / sum.second) < 1e-9);
        }
    }

    void sigintWritesAResumableCheckpoint()
    {
        QProcess p;
        QStringList args = {"train", "--init-bundle", mBundle, "--lora-rank", "4", "--lora-alpha", "8", "--batch-size", "1",
                            "--epochs", "1000", "--log-every", "1", "--threads", "1", "--out", file("sigint")};
        args << dataFlags().mid(0, 4);
        p.start(rsrefseg::test::envQPath("RSREFSEG_CLI"), args);
        QVERIFY(p.waitForStarted());
        QString err;
        // Wait for the first progress line, then press Ctrl-C.
        while (!err.contains("step 2/") && p.state() == QProcess::Running) {
            p.waitForReadyRead(1000);
            err += QString::fromUtf8(p.readAllStandardError());
        }
        QVERIFY2(p.state() == QProcess::Running, qPrintable(err));
        ::kill(static_cast<pid_t>(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(120000));
        err += QString::fromUtf8(p.readAllStandardError());
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(err.contains("interrupted"), qPrintable(err));
        QVERIFY2(out.contains("--resume"), qPrintable(out));
        const QString checkpoint = file("sigint/last.safetensors");
        QVERIFY(std::filesystem::exists(checkpoint.toStdString()));

        // Resume: the checkpoint's configuration, run-time overrides allowed.
        const QRegularExpressionMatch m = QRegularExpression("Steps: +(\\d+) of 8000").match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out));
        const int stopped = m.captured(1).toInt();
        QVERIFY(stopped >= 2);
        const QString until = QString::number(stopped + 3);
        const Result r = runCli({"train", "--resume", checkpoint, "--max-steps", until, "--threads", "1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains("resumed from") && r.err.contains("at step " + QString::number(stopped)), qPrintable(r.err));
        QVERIFY2(r.out.contains("Steps:           " + until + " of 8000"), qPrintable(r.out));
        // ... but not a change of the maths.
        expectError(runCli({"train", "--resume", checkpoint, "--lr", "0.5"}), "cannot change");
    }

    void badInput()
    {
        // Nothing usable in the annotations: a clear error naming the file.
        std::ofstream(file("broken.jsonl").toStdString()) << "{not json\n{\"file_name\": 3}\n";
        expectError(runCli({"eval", "--model", mBundle, "--data", file("broken.jsonl"), "--images", file("val/images")}),
                    "broken.jsonl");
        // Some lines usable: counted warnings with line numbers, and the evaluation runs.
        {
            std::ifstream in(file("val/val.jsonl").toStdString());
            std::ofstream out(file("mixed.jsonl").toStdString());
            out << in.rdbuf() << "{not json\n";
        }
        const Result mixed = runCli({"eval", "--model", mBundle, "--data", file("mixed.jsonl"), "--images", file("val/images")});
        QVERIFY2(mixed.exitCode == 0, qPrintable(mixed.err));
        QVERIFY2(mixed.err.contains("1 line(s)") && mixed.err.contains("line 3"), qPrintable(mixed.err));
        QVERIFY2(mixed.out.contains("1 lines skipped"), qPrintable(mixed.out));

        std::ofstream(file("typo.json").toStdString()) << R"({"learning_rate": 0.1})";
        expectError(runCli({"train", "--config", file("typo.json")}), "learning_rate");
        expectError(runCli({"train", "--epochs", "ten"}), "--epochs");
        expectError(runCli({"train", "--init-bundle", mBundle, "--out", file("x")}), "train_data");
        QStringList twoSources = {"train", "--init-bundle", mBundle, "--architecture", file("a.json"), "--out", file("x")};
        twoSources << dataFlags();
        expectError(runCli(twoSources), "exactly one");
        QStringList cpuBf16 = {"train", "--init-bundle", mBundle, "--precision", "bf16", "--out", file("x")};
        cpuBf16 << dataFlags();
        expectError(runCli(cpuBf16), "bf16");
    }
};

QTEST_GUILESS_MAIN(TestTrainCli)
#include "test_traincli.moc"
