// BundleStatus: what the window and the settings dialog show about the model bundle before it
// loads: the bundled model when none is chosen, the manifest's name and trained flag, and the
// problems a user can fix, worded in the interface language.
#include "modelhub/bundledmodels.h"
#include "ui/bundlestatus.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace rsrefseg;

class TestBundleStatus : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

    QString bundle(const QString &name, const QByteArray &manifest)
    {
        const QString dir = mDir.filePath(name);
        QDir().mkpath(dir);
        QFile f(dir + "/manifest.json");
        f.open(QIODevice::WriteOnly);
        f.write(manifest);
        return dir;
    }

  private slots:
    void theBundledModelWhenNoneIsChosen()
    {
        const BundleStatus s = BundleStatus::of(QString());
        QCOMPARE(s.dir, QString::fromStdString(BundledModels::find()));
        QVERIFY2(s.valid, qPrintable(s.error));
        QVERIFY(!s.name.isEmpty());
        QCOMPARE(s.architecture, QStringLiteral("rsrefseg"));
    }

    void aChosenBundle()
    {
        const QString dir = bundle("a", R"({"format": "rsrefseg-bundle", "format_version": 1, "model_id": "abc",
                                            "trained": false, "name": "tiny"})");
        const BundleStatus s = BundleStatus::of(dir);
        QVERIFY(s.valid);
        QCOMPARE(s.dir, dir);
        QCOMPARE(s.name, QStringLiteral("tiny"));
        QCOMPARE(s.modelId, QStringLiteral("abc"));
        QVERIFY(!s.trained);
        QVERIFY(s.error.isEmpty());
    }

    void problemsAreWorded()
    {
        const QString none = mDir.filePath("none");
        BundleStatus s = BundleStatus::of(none);
        QVERIFY(!s.valid);
        QCOMPARE(s.error, QStringLiteral("Cannot read %1.").arg(none + "/manifest.json"));
        const QString bad = bundle("bad", "{\"format\": ");
        s = BundleStatus::of(bad);
        QVERIFY(!s.valid);
        QVERIFY2(s.error.startsWith(bad + "/manifest.json is not valid JSON: "), qPrintable(s.error));
        const QString field = bundle("field", R"({"format": "rsrefseg-bundle", "format_version": 1, "model_id": "abc",
                                                 "trained": "no"})");
        s = BundleStatus::of(field);
        QVERIFY(!s.valid);
        QCOMPARE(s.error, field + "/manifest.json: field 'trained' has the wrong type");
    }
};

QTEST_GUILESS_MAIN(TestBundleStatus)
#include "test_bundlestatus.moc"
