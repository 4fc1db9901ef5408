// JsonProgress: one JSON object per line (progress, message, result, error, cancelled), a line
// for every counted step (each tile), uncounted stages thinned to stage changes and 1 % steps,
// a fraction that never decreases and an ETA from the elapsed time and the fraction.
#include "engine/jsonprogress.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <sstream>

using namespace rsrefseg;

namespace {

std::vector<nlohmann::json> linesOf(const std::string &text)
{
    std::vector<nlohmann::json> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        out.push_back(nlohmann::json::parse(line));
    return out;
}

ProgressInfo step(const std::string &stage, int64_t done, int64_t total, double fraction)
{
    ProgressInfo p;
    p.stage = stage;
    p.done = done;
    p.total = total;
    p.unit = total ? "tiles" : "";
    p.fraction = fraction;
    return p;
}

} // namespace

class TestJsonProgress : public QObject
{
    Q_OBJECT

  private slots:
    void everyTileAndEta()
    {
        std::ostringstream out;
        JsonProgress progress(out);
        progress.update(step("tiles", 0, 4, 0.0), 10.0);
        for (int i = 1; i <= 4; ++i)
            progress.update(step("tiles", i, 4, 0.2 * i), 10.0 + i);
        progress.update(step("tiles", 4, 4, 0.8), 15.0); // the same step again: no line
        const auto lines = linesOf(out.str());
        QCOMPARE(lines.size(), size_t(5));
        QCOMPARE(lines[0]["type"], "progress");
        QVERIFY(lines[0]["eta_s"].is_null()); // nothing done yet
        QCOMPARE(lines[2]["done"], 2);
        QCOMPARE(lines[2]["total"], 4);
        QCOMPARE(lines[2]["stage"], "tiles");
        QCOMPARE(lines[2]["unit"], "tiles");
        // 0.4 of the job in 2 s: 3 s left.
        QCOMPARE(lines[2]["fraction"].get<double>(), 0.4);
        QCOMPARE(lines[2]["eta_s"].get<double>(), 3.0);
    }

    void uncountedStagesAreThinned()
    {
        std::ostringstream out;
        JsonProgress progress(out);
        for (int i = 0; i <= 1000; ++i)
            progress.update(step("components", 0, 0, 0.9 + 0.05 * i / 1000.0), i * 0.001);
        progress.update(step("polygons", 0, 0, 0.95), 1.5);
        progress.update(step("done", 0, 0, 1.0), 2.0);
        const auto lines = linesOf(out.str());
        // "components": its first line and one per 1 % (5 %: 5 more), "polygons", "done".
        QVERIFY2(lines.size() >= 7 && lines.size() <= 8, qPrintable(QString::number(lines.size())));
        QCOMPARE(lines.back()["stage"], "done");
        QCOMPARE(lines.back()["fraction"].get<double>(), 1.0);
        QCOMPARE(lines.back()["eta_s"].get<double>(), 0.0);
    }

    void fractionNeverDecreases()
    {
        std::ostringstream out;
        JsonProgress progress(out);
        progress.update(step("tiles", 1, 2, 0.5), 1.0);
        progress.update(step("tiles", 2, 2, 0.3), 2.0); // a stage reporting less: kept at 0.5
        const auto lines = linesOf(out.str());
        QCOMPARE(lines.back()["fraction"].get<double>(), 0.5);
    }

    void messagesAndEndings()
    {
        std::ostringstream out;
        JsonProgress progress(out);
        Feedback feedback;
        progress.attach(feedback);
        feedback.message("loaded");
        feedback.warning("model 'x' is marked untrained:\nits masks are not meaningful"); // a newline inside
        progress.result({{"command", "segment"}, {"tiles", 3}});
        progress.error("cannot open 'a\"b.tif'");
        progress.cancelled();
        const std::string text = out.str();
        QCOMPARE(std::count(text.begin(), text.end(), '\n'), 5L);
        const auto lines = linesOf(text);
        QCOMPARE(lines[0], (nlohmann::json{{"type", "message"}, {"level", "info"}, {"text", "loaded"}}));
        QCOMPARE(lines[1]["level"], "warning");
        QCOMPARE(lines[1]["text"], "model 'x' is marked untrained:\nits masks are not meaningful");
        QCOMPARE(lines[2], (nlohmann::json{{"type", "result"}, {"command", "segment"}, {"tiles", 3}}));
        QCOMPARE(lines[3], (nlohmann::json{{"type", "error"}, {"text", "cannot open 'a\"b.tif'"}}));
        QCOMPARE(lines[4], (nlohmann::json{{"type", "cancelled"}}));
    }

    void invalidUtf8IsReplaced()
    {
        std::ostringstream out;
        JsonProgress progress(out);
        progress.message(JsonProgress::Level::Info, std::string("file \xff.tif"));
        const auto lines = linesOf(out.str());
        QVERIFY(lines[0]["text"].get<std::string>().find(".tif") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestJsonProgress)
#include "test_jsonprogress.moc"
