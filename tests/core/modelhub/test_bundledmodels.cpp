// BundledModels: the one search order for the model installed with the programs, shared by the
// command line and the desktop: the installed demo model, the source tree's demo model, the
// installed golden tiny model, the build tree's golden tiny model; the first that exists wins.
#include "modelhub/bundledmodels.h"

#include "common/error.h"

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include "testpathsqt.h"

using namespace rsrefseg;

class TestBundledModels : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

    std::string folder(const QString &name, bool withManifest)
    {
        const QString dir = mDir.filePath(name);
        QDir().mkpath(dir);
        if (withManifest)
            std::ofstream((dir + "/manifest.json").toStdString()) << "{}";
        return dir.toStdString();
    }

  private slots:
    void candidatesInOrder()
    {
        const QString share = QDir::cleanPath(QCoreApplication::applicationDirPath() + "/../share/rsrefseg/models");
        const std::vector<std::string> expected = {
            (share + "/demo").toStdString(),
            QDir::cleanPath(rsrefseg::test::qSourceDir() + "/resources/models/demo").toStdString(),
            (share + "/golden-tiny").toStdString(),
            QDir::cleanPath(rsrefseg::test::qBinaryDir() + "/share/rsrefseg/models/golden-tiny").toStdString(),
        };
        QCOMPARE(BundledModels::candidates(), expected);
    }

    void findsTheBundledModelInTheBuildTree()
    {
        // The build tree always has the golden tiny model (rsrefseg-bundled-model); the demo
        // model comes first when the source tree has one.
        const std::string found = BundledModels::find();
        const bool demo = QFileInfo::exists(rsrefseg::test::qSourceDir() + "/resources/models/demo/manifest.json");
        const QString expected = demo ? QDir::cleanPath(rsrefseg::test::qSourceDir() + "/resources/models/demo")
                                      : QDir::cleanPath(rsrefseg::test::qBinaryDir() + "/share/rsrefseg/models/golden-tiny");
        QCOMPARE(QString::fromStdString(found), expected);
        QVERIFY(QFileInfo::exists(QString::fromStdString(found) + "/manifest.json"));
        QCOMPARE(BundledModels::resolve(""), found);
        QCOMPARE(BundledModels::resolve("my/bundle"), std::string("my/bundle"));
    }

    void firstExistingWins()
    {
        const std::string none = mDir.filePath("none").toStdString();
        const std::string empty = folder("empty", false); // a folder without a manifest is no model
        const std::string a = folder("a", true);
        const std::string b = folder("b", true);
        QCOMPARE(BundledModels::find({none, empty, a, b}), a);
        QCOMPARE(BundledModels::find({b, a}), b);
        QCOMPARE(BundledModels::find({none, empty}), std::string());
        QCOMPARE(BundledModels::resolve("", {none, b}), b);
        QCOMPARE(BundledModels::resolve("chosen", {none}), std::string("chosen")); // not even checked
    }

    void resolveErrorNamesThePlaces()
    {
        const std::string x = mDir.filePath("x").toStdString();
        const std::string y = mDir.filePath("y").toStdString();
        const std::string z = mDir.filePath("z").toStdString();
        try {
            BundledModels::resolve("", {x, y, z});
            QFAIL("no error");
        } catch (const Error &e) {
            QCOMPARE(std::string(e.what()), "no --model given and no bundled model in " + x + ", " + y + " or " + z +
                                                "; give --model BUNDLE ('rsrefseg model import' makes one)");
        }
    }
};

QTEST_GUILESS_MAIN(TestBundledModels)
#include "test_bundledmodels.moc"
