// BundleSummary: the torch-free manifest reader the desktop and the CLI show a model with. A real
// manifest (the golden tiny bundle's, from the fuzz corpus) gives its fields; a missing folder or
// manifest, bad JSON and fields of the wrong type are errors that name the file and the field.
#include "modelhub/bundlesummary.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <functional>
#include "testpaths.h"

using namespace rsrefseg;

namespace {

nlohmann::json goldenManifest()
{
    std::ifstream in(rsrefseg::test::sourceDir() + "/tests/fuzz/corpus/bundlemanifest/golden-tiny.json");
    return nlohmann::json::parse(in);
}

// The message and the problem of the error `f` throws ("" and NoManifest when it throws none).
std::pair<std::string, BundleSummary::Problem> failure(const std::function<void()> &f)
{
    try {
        f();
    } catch (const BundleSummary::ReadError &e) {
        return {e.what(), e.problem()};
    }
    return {"", BundleSummary::Problem::NoManifest};
}

} // namespace

class TestBundleSummary : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;
    int mCount = 0;

    // A bundle folder holding `manifest` (as text) and a 1234-byte weights file.
    std::string bundle(const std::string &manifest)
    {
        const QString dir = mDir.filePath(QString("b%1").arg(++mCount));
        QDir().mkpath(dir);
        std::ofstream(dir.toStdString() + "/manifest.json") << manifest;
        std::ofstream(dir.toStdString() + "/model.safetensors") << std::string(1234, 'x');
        return dir.toStdString();
    }
    std::string bundle(const nlohmann::json &manifest) { return bundle(manifest.dump(2)); }

  private slots:
    void readsAValidManifest()
    {
        const std::string dir = bundle(goldenManifest());
        const BundleSummary s = BundleSummary::read(dir);
        QCOMPARE(s.dir, dir);
        QCOMPARE(s.name, std::string("golden tiny (UNTRAINED test model)"));
        QCOMPARE(s.modelId, std::string("063ea0b460391d5c"));
        QCOMPARE(s.architecture, std::string("rsrefseg"));
        QCOMPARE(s.description, std::string("Imported RSRefSeg checkpoint"));
        QVERIFY(!s.trained);
        QCOMPARE(s.parameterCount, int64_t(440814));
        QCOMPARE(s.weightsFile, std::string("model.safetensors"));
        QCOMPARE(s.weightsDtype, std::string("f32"));
        QCOMPARE(s.weightsBytes, uint64_t(1234));
        QCOMPARE(s.provenance["tool"].get<std::string>(), std::string("rsrefseg model import"));
        QCOMPARE(s.untrainedWarning(), "model '" + dir + "' is marked untrained: its masks are not meaningful");
        const nlohmann::json j = s.toJson();
        QCOMPARE(j["model_id"].get<std::string>(), s.modelId);
        QCOMPARE(j["architecture"].get<std::string>(), s.architecture);
        QCOMPARE(j["trained"].get<bool>(), false);
        QCOMPARE(j["weights"]["bytes"].get<uint64_t>(), uint64_t(1234));
    }

    void defaultsForOlderAndSparseManifests()
    {
        nlohmann::json m = goldenManifest();
        m.erase("architecture"); // bundles written before the field existed are RSRefSeg bundles
        m.erase("name");
        m.erase("provenance");
        m["trained"] = true;
        m["weights"]["file"] = "../outside.safetensors"; // never measured outside the folder
        const std::string dir = bundle(m);
        const BundleSummary s = BundleSummary::read(dir);
        QCOMPARE(s.architecture, std::string("rsrefseg"));
        QCOMPARE(s.name, QFileInfo(QString::fromStdString(dir)).fileName().toStdString());
        QVERIFY(s.provenance.is_object() && s.provenance.empty());
        QVERIFY(s.trained);
        QVERIFY(s.untrainedWarning().empty());
        QCOMPARE(s.weightsBytes, uint64_t(0));
        // A trailing slash still names the folder.
        QCOMPARE(BundleSummary::read(dir + "/").name, s.name);
    }

    void missingFolderOrManifest()
    {
        const std::string none = mDir.filePath("none").toStdString();
        auto [message, problem] = failure([&] { BundleSummary::read(none); });
        QCOMPARE(message, "model bundle '" + none + "' is not a folder");
        QCOMPARE(int(problem), int(BundleSummary::Problem::NoManifest));
        const std::string empty = mDir.filePath("empty").toStdString();
        QDir().mkpath(QString::fromStdString(empty));
        std::tie(message, problem) = failure([&] { BundleSummary::read(empty); });
        QCOMPARE(message, "model bundle '" + empty + "' has no manifest.json");
        QCOMPARE(int(problem), int(BundleSummary::Problem::NoManifest));
    }

    void badJson()
    {
        const std::string dir = bundle(std::string("{\"format\": \"rsrefseg-bundle\", "));
        try {
            BundleSummary::read(dir);
            QFAIL("no error");
        } catch (const BundleSummary::ReadError &e) {
            QCOMPARE(int(e.problem()), int(BundleSummary::Problem::InvalidJson));
            QCOMPARE(e.file(), dir + "/manifest.json");
            QVERIFY(!e.detail().empty());
            QVERIFY2(std::string(e.what()).rfind(dir + "/manifest.json: invalid JSON (", 0) == 0, e.what());
        }
        // Deep nesting is refused before it exists (a stack overflow otherwise).
        const std::string deep = bundle(std::string(200, '[') + std::string(200, ']'));
        QVERIFY(failure([&] { BundleSummary::read(deep); }).first.find("nested deeper") != std::string::npos);
        const std::string array = bundle(std::string("[1, 2]"));
        QCOMPARE(failure([&] { BundleSummary::read(array); }).first,
                 array + "/manifest.json: the manifest is not a JSON object");
    }

    void wrongTypesNameTheField_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value"); // JSON; "" removes the field
        QTest::addColumn<QString>("expected");
        QTest::newRow("trained as text") << "trained" << "\"yes\"" << "field 'trained' has the wrong type";
        QTest::newRow("no trained") << "trained" << "" << "missing field 'trained'";
        QTest::newRow("no model id") << "model_id" << "" << "missing field 'model_id'";
        QTest::newRow("architecture number") << "architecture" << "5" << "field 'architecture' has the wrong type";
        QTest::newRow("empty architecture") << "architecture" << "\"\"" << "field 'architecture' is empty";
        QTest::newRow("name object") << "name" << "{}" << "field 'name' has the wrong type";
        QTest::newRow("parameters text") << "parameter_count" << "\"many\"" << "field 'parameter_count' has the wrong type";
        QTest::newRow("weights list") << "weights" << "[1]" << "field 'weights' has the wrong type";
        QTest::newRow("other format") << "format" << "\"zip\"" << "not an RSRefSeg model bundle manifest (field 'format')";
    }

    void wrongTypesNameTheField()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(QString, expected);
        nlohmann::json m = goldenManifest();
        if (value.isEmpty())
            m.erase(field.toStdString());
        else
            m[field.toStdString()] = nlohmann::json::parse(value.toStdString());
        const std::string dir = bundle(m);
        const auto [message, problem] = failure([&] { BundleSummary::read(dir); });
        QCOMPARE(QString::fromStdString(message), QString::fromStdString(dir + "/manifest.json: ") + expected);
        QCOMPARE(int(problem), int(BundleSummary::Problem::InvalidField));
    }

    void weightsFieldsOfTheWrongType()
    {
        nlohmann::json m = goldenManifest();
        m["weights"]["file"] = 3;
        const std::string dir = bundle(m);
        QCOMPARE(failure([&] { BundleSummary::read(dir); }).first,
                 dir + "/manifest.json: field 'file' has the wrong type");
    }
};

QTEST_GUILESS_MAIN(TestBundleSummary)
#include "test_bundlesummary.moc"
