// Tests SpmPlugin (finding and dlopen-ing the sentencepiece plugin) and the SpmModel it loads.
#include "common/error.h"
#include "text/spmplugin.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstdlib>
#include <fstream>
#include <string>
#include "testpaths.h"

using rsrefseg::Error;
using rsrefseg::SpmModel;
using rsrefseg::SpmPlugin;

namespace {

const std::string kModel = rsrefseg::test::testDataDir() + "/golden/siglip_tiny/spiece.model";
const std::string kBuildDir = rsrefseg::test::envPath("RSREFSEG_PLUGIN_DIR");

// Sets an environment variable for one scope and restores it.
class EnvGuard
{
  public:
    EnvGuard(const char *name, const std::string &value)
        : mName(name)
    {
        if (const char *old = std::getenv(name)) {
            mHadOld = true;
            mOld = old;
        }
        setenv(name, value.c_str(), 1);
    }
    ~EnvGuard()
    {
        if (mHadOld)
            setenv(mName, mOld.c_str(), 1);
        else
            unsetenv(mName);
    }

  private:
    const char *mName;
    bool mHadOld = false;
    std::string mOld;
};

template <typename F> QString errorOf(F &&f)
{
    try {
        f();
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return QString();
}

} // namespace

class TestSpmPlugin : public QObject
{
    Q_OBJECT

  private slots:
    void opensFromDefaultSearch()
    {
        const auto plugin = SpmPlugin::open();
        QVERIFY(plugin);
        QVERIFY(QFileInfo::exists(QString::fromStdString(plugin->path())));
        QCOMPARE(QFileInfo(QString::fromStdString(plugin->path())).fileName(),
                 QString::fromStdString(SpmPlugin::fileName()));
        // CTest points RSREFSEG_PLUGIN_DIR at the build tree's plugin folder: it comes first.
        if (const char *dir = std::getenv("RSREFSEG_PLUGIN_DIR"))
            QCOMPARE(QFileInfo(QString::fromStdString(plugin->path())).dir().canonicalPath(),
                     QDir(QString::fromUtf8(dir)).canonicalPath());
    }

    void searchOrder()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string envDir = dir.path().toStdString();
        EnvGuard env("RSREFSEG_PLUGIN_DIR", envDir);
        const auto paths = SpmPlugin::searchPaths();
        QVERIFY(paths.size() >= 3);
        QCOMPARE(paths.front(), envDir + "/" + SpmPlugin::fileName());
        QCOMPARE(QDir::cleanPath(QString::fromStdString(paths.back())),
                 QDir::cleanPath(QString::fromStdString(kBuildDir + "/" + SpmPlugin::fileName())));
        // Next to the executable (tests/bin), after the installed-layout folder.
        const QString exeDir = QCoreApplication::applicationDirPath();
        const QString besideExe = QDir::cleanPath(exeDir + "/" + QString::fromStdString(SpmPlugin::fileName()));
        bool found = false;
        for (size_t i = 1; i + 1 < paths.size(); ++i)
            found = found || QDir::cleanPath(QString::fromStdString(paths[i])) == besideExe;
        QVERIFY2(found, qPrintable(besideExe));

        // An empty RSREFSEG_PLUGIN_DIR is one candidate, not the only one: the build tree's
        // plugin is still found.
        const auto plugin = SpmPlugin::open();
        QCOMPARE(QDir::cleanPath(QString::fromStdString(plugin->path())),
                 QDir::cleanPath(QString::fromStdString(kBuildDir + "/" + SpmPlugin::fileName())));
    }

    void explicitPathIsTheOnlyCandidate()
    {
        EnvGuard env("RSREFSEG_PLUGIN_DIR", kBuildDir);
        const auto paths = SpmPlugin::searchPaths("/nonexistent/folder/librsrefseg_spm.so");
        QCOMPARE(paths.size(), size_t(1));
        QCOMPARE(paths.front(), std::string("/nonexistent/folder/librsrefseg_spm.so"));

        // A folder means the plugin inside it.
        const auto plugin = SpmPlugin::open(kBuildDir);
        QCOMPARE(QDir::cleanPath(QString::fromStdString(plugin->path())),
                 QDir::cleanPath(QString::fromStdString(kBuildDir + "/" + SpmPlugin::fileName())));
    }

    void missingPluginPathIsAnError()
    {
        const QString message = errorOf([] { SpmPlugin::open("/nonexistent/folder/plugin.so"); });
        QVERIFY2(message.contains("/nonexistent/folder/plugin.so"), qPrintable(message));
        QVERIFY2(message.contains("missing"), qPrintable(message));
    }

    void nonPluginFileIsAnError()
    {
        // A file that exists but is no shared library: the dlopen reason is reported.
        const QString message = errorOf([] { SpmPlugin::open(kModel); });
        QVERIFY2(message.contains(QString::fromStdString(kModel)), qPrintable(message));
        QVERIFY2(!message.contains("missing"), qPrintable(message));
    }

    void vocabulary()
    {
        const SpmModel model = SpmPlugin::open()->loadModel(kModel, true);
        QCOMPARE(model.vocabSize(), 200);
        QCOMPARE(model.unkId(), 2);
        QCOMPARE(model.pieceToId("<pad>"), 0);
        QCOMPARE(model.pieceToId("</s>"), 1);
        QCOMPARE(model.pieceToId("<unk>"), 2);
        QCOMPARE(model.pieceToId("\xE2\x96\x81the"), 3); // "▁the"
        QCOMPARE(model.pieceToId("no such piece"), 2);
        QCOMPARE(model.idToPiece(3), std::string("\xE2\x96\x81the"));
        QCOMPARE(model.idToPiece(1), std::string("</s>"));
        QVERIFY(!errorOf([&] { model.idToPiece(200); }).isEmpty());
        QVERIFY(!errorOf([&] { model.idToPiece(-1); }).isEmpty());
        QCOMPARE(model.path(), kModel);
    }

    void encodeWithAndWithoutDummyPrefix()
    {
        const auto plugin = SpmPlugin::open();
        const SpmModel plain = plugin->loadModel(kModel, false);
        const SpmModel patched = plugin->loadModel(kModel, true);
        const std::string underline = "\xE2\x96\x81";

        // The model file says add_dummy_prefix = true: "the" becomes "▁the".
        const auto withPrefix = plain.encode("the tank");
        QVERIFY(!withPrefix.empty());
        QCOMPARE(withPrefix.front().piece, underline + "the");
        QCOMPARE(withPrefix.front().id, 3);

        // Patched as SiglipTokenizer does: no '▁' is invented in front of the first word.
        const auto noPrefix = patched.encode("the tank");
        QVERIFY(!noPrefix.empty());
        QVERIFY(noPrefix.front().piece.rfind(underline, 0) != 0);
        QVERIFY(noPrefix.back().piece == underline + "tank");

        // transformers' unk_token_length for this model.
        QCOMPARE(patched.encode("<unk>").size(), size_t(5));
        QVERIFY(patched.encode("").empty());

        // Ids are the vocabulary's ids of the pieces; unknown characters get the unknown id.
        for (const auto &p : patched.encode("emoji \xF0\x9F\x9A\xA2 ship"))
            QCOMPARE(p.id, patched.pieceToId(p.piece));
    }

    void missingModelIsAnError()
    {
        const QString message = errorOf([] { SpmPlugin::open()->loadModel("/nonexistent/spiece.model", true); });
        QVERIFY2(message.contains("/nonexistent/spiece.model"), qPrintable(message));
        QVERIFY2(message.contains("not found"), qPrintable(message));
    }

    void nonModelFileIsAnError()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("text.model").toStdString();
        {
            std::ofstream out(path);
            out << "this is not a sentencepiece model\n";
        }
        const QString message = errorOf([&] { SpmPlugin::open()->loadModel(path, true); });
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));

        const std::string json = rsrefseg::test::testDataDir() + "/golden/siglip_tiny/tokenizer_cases.json";
        const QString jsonMessage = errorOf([&] { SpmPlugin::open()->loadModel(json, true); });
        QVERIFY2(jsonMessage.contains(QString::fromStdString(json)), qPrintable(jsonMessage));

        const std::string empty = dir.filePath("empty.model").toStdString();
        std::ofstream(empty).close();
        QVERIFY(!errorOf([&] { SpmPlugin::open()->loadModel(empty, true); }).isEmpty());

        const QString folder = errorOf([&] { SpmPlugin::open()->loadModel(dir.path().toStdString(), true); });
        QVERIFY2(folder.contains("folder"), qPrintable(folder));
    }

    void modelOutlivesPluginHandleAndReloads()
    {
        // The model keeps the plugin loaded; loading and unloading repeatedly (dlclose included)
        // must be clean.
        for (int i = 0; i < 20; ++i) {
            SpmModel model = SpmPlugin::open()->loadModel(kModel, true);
            QCOMPARE(model.vocabSize(), 200);
            SpmModel moved = std::move(model);
            QCOMPARE(moved.encode("<unk>").size(), size_t(5));
        }
    }
};

QTEST_GUILESS_MAIN(TestSpmPlugin)
#include "test_spmplugin.moc"
