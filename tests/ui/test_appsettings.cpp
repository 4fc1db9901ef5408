// AppSettings: typed values with the shared defaults, persistence in the settings file,
// recent files and query history bounded and de-duplicated.
#include "ui/appsettings.h"

#include <QTemporaryDir>
#include <QTest>

using rsrefseg::AppSettings;

class TestAppSettings : public QObject
{
    Q_OBJECT
  private slots:
    void defaultsMatchTheEngine()
    {
        QTemporaryDir dir;
        AppSettings s(dir.filePath(QStringLiteral("s.ini")));
        const rsrefseg::SegmentationSettings engine;
        QCOMPARE(s.tileSize(), engine.tileSize);
        QCOMPARE(s.overlap(), engine.overlap);
        QCOMPARE(s.gateThreshold(), engine.gateThreshold);
        QCOMPARE(s.device(), QStringLiteral("cpu"));
        QCOMPARE(s.language(), QStringLiteral("system"));
    }

    void valuesPersist()
    {
        QTemporaryDir dir;
        const QString ini = dir.filePath(QStringLiteral("s.ini"));
        {
            AppSettings s(ini);
            s.setTileSize(512);
            s.setOverlap(64);
            s.setGateThreshold(0.2);
            s.setCacheBudgetMb(333);
            s.setCacheDir(QStringLiteral("/tmp/cache"));
            s.setLanguage(QStringLiteral("de"));
            s.setModelBundle(QStringLiteral("/models/x"));
            s.setDtype(QStringLiteral("bf16"));
            s.setThreads(3);
        }
        AppSettings s(ini);
        QCOMPARE(s.tileSize(), 512);
        QCOMPARE(s.overlap(), 64);
        QCOMPARE(s.gateThreshold(), 0.2);
        QCOMPARE(s.cacheBudgetMb(), 333);
        QCOMPARE(s.cacheDir(), QStringLiteral("/tmp/cache"));
        QCOMPARE(s.language(), QStringLiteral("de"));
        const rsrefseg::ModelSpec spec = s.modelSpec(QStringLiteral("/models/x"));
        QCOMPARE(spec.dtype, QStringLiteral("bf16"));
        QCOMPARE(spec.threads, 3);
        QCOMPARE(spec.cacheBudgetMb, 333);
        const rsrefseg::SegmentationSettings seg = s.segmentationSettings();
        QCOMPARE(seg.tileSize, 512);
        QCOMPARE(seg.overlap, 64);
        s.restoreDefaults();
        QCOMPARE(s.tileSize(), rsrefseg::SegmentationSettings().tileSize);
        QCOMPARE(s.modelBundle(), QString());
    }

    void recentFilesAndHistory()
    {
        QTemporaryDir dir;
        AppSettings s(dir.filePath(QStringLiteral("s.ini")));
        for (int i = 0; i < 15; ++i)
            s.addRecentFile(QStringLiteral("/data/%1.tif").arg(i));
        s.addRecentFile(QStringLiteral("/data/3.tif"));
        const QStringList r = s.recentFiles();
        QCOMPARE(r.size(), AppSettings::kMaxRecentFiles);
        QCOMPARE(r.first(), QStringLiteral("/data/3.tif"));
        QCOMPARE(r.count(QStringLiteral("/data/3.tif")), 1);
        s.addQuery(QStringLiteral("  ships  "));
        s.addQuery(QStringLiteral("tanks"));
        s.addQuery(QStringLiteral("ships"));
        s.addQuery(QStringLiteral("   "));
        QCOMPARE(s.queryHistory(), (QStringList{QStringLiteral("ships"), QStringLiteral("tanks")}));
    }
};

QTEST_GUILESS_MAIN(TestAppSettings)
#include "test_appsettings.moc"
