// `cmake --install` into a temporary DESTDIR with a prefix other than /usr, then the installed
// programs run from there: they must find their plugin, model and sample relative to their own
// location (the prefix itself does not exist on this machine), and the desktop integration
// files must pass the freedesktop and AppStream validators.
#include "packagingtestsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include "testpathsqt.h"

using namespace rsrefseg::test;

namespace {

// Deliberately not /usr or /usr/local: nothing may depend on a fixed prefix.
const QString kPrefix = QStringLiteral("/opt/rsrefseg-installtest");

} // namespace

class TestInstalledTree : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir mDestDir;
    QString mRoot; // DESTDIR + prefix
    QString path(const QString &relative) const { return mRoot + QLatin1Char('/') + relative; }
    QString bin(const QString &program) const
    {
        return path(QStringLiteral(RSREFSEG_INSTALL_BINDIR "/") + program);
    }
    QString share(const QString &relative) const
    {
        return path(QStringLiteral(RSREFSEG_INSTALL_DATADIR "/") + relative);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(mDestDir.isValid());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DESTDIR"), mDestDir.path());
        const ProcessResult r = runProcess(rsrefseg::test::envQPath("RSREFSEG_CMAKE_COMMAND"),
                                           {QStringLiteral("--install"), rsrefseg::test::qBinaryDir(),
                                            QStringLiteral("--prefix"), kPrefix},
                                           env, 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe(QStringLiteral("cmake --install"))));
        mRoot = mDestDir.path() + kPrefix;
        QVERIFY2(!QFileInfo::exists(kPrefix), "the test prefix must not exist outside DESTDIR");
    }

    void layoutHasEverything_data()
    {
        QTest::addColumn<QString>("relative");
        const QString bindir = QStringLiteral(RSREFSEG_INSTALL_BINDIR);
        const QString data = QStringLiteral(RSREFSEG_INSTALL_DATADIR);
        const QString man = QStringLiteral(RSREFSEG_INSTALL_MANDIR);
        const QStringList files = {
            bindir + QStringLiteral("/rsrefseg"),
            bindir + QStringLiteral("/rsrefseg-desktop"),
            bindir + QStringLiteral("/rsrefseg-model-bench"),
            QStringLiteral(RSREFSEG_INSTALL_LIBDIR "/rsrefseg/librsrefseg_spm.so"),
            data + QStringLiteral("/rsrefseg/models/golden-tiny/manifest.json"),
            data + QStringLiteral("/rsrefseg/models/golden-tiny/model.safetensors"),
            data + QStringLiteral("/rsrefseg/models/golden-tiny/spiece.model"),
            data + QStringLiteral("/rsrefseg/samples/sample.tif"),
            data + QStringLiteral("/rsrefseg/translations/rsrefseg_zh_CN.qm"),
            data + QStringLiteral("/rsrefseg/translations/rsrefseg_de.qm"),
            data + QStringLiteral("/applications/rsrefseg-desktop.desktop"),
            data + QStringLiteral("/metainfo/" RSREFSEG_APPSTREAM_ID ".metainfo.xml"),
            data + QStringLiteral("/mime/packages/rsrefseg-desktop.xml"),
            data + QStringLiteral("/icons/hicolor/scalable/apps/rsrefseg-desktop.svg"),
            data + QStringLiteral("/icons/hicolor/16x16/apps/rsrefseg-desktop.png"),
            data + QStringLiteral("/icons/hicolor/48x48/apps/rsrefseg-desktop.png"),
            data + QStringLiteral("/icons/hicolor/256x256/apps/rsrefseg-desktop.png"),
            man + QStringLiteral("/man1/rsrefseg.1.gz"),
            man + QStringLiteral("/man1/rsrefseg-desktop.1.gz"),
            man + QStringLiteral("/man1/rsrefseg-model-bench.1.gz"),
            data + QStringLiteral("/doc/rsrefseg-desktop/README.md"),
            data + QStringLiteral("/doc/rsrefseg-desktop/copyright"),
        };
        for (const QString &f : files)
            QTest::newRow(qPrintable(f)) << f;
    }

    void layoutHasEverything()
    {
        QFETCH(QString, relative);
        const QFileInfo info(path(relative));
        QVERIFY2(info.isFile(), qPrintable(QStringLiteral("missing after install: ") + relative));
        QVERIFY2(info.size() > 0, qPrintable(QStringLiteral("empty after install: ") + relative));
    }

    void noTestOrToolProgramsInstalled()
    {
        const QStringList installed = QDir(path(QStringLiteral(RSREFSEG_INSTALL_BINDIR))).entryList(QDir::Files);
        QCOMPARE(installed, (QStringList{QStringLiteral("rsrefseg"), QStringLiteral("rsrefseg-desktop"),
                                         QStringLiteral("rsrefseg-model-bench")}));
    }

    void pngIconsHaveTheirSize()
    {
        for (int size : {16, 32, 64, 256}) {
            QFile f(share(QStringLiteral("icons/hicolor/%1x%1/apps/rsrefseg-desktop.png").arg(size)));
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray head = f.read(24);
            QVERIFY2(head.startsWith("\x89PNG"), "not a PNG");
            // IHDR: width and height, big-endian, at bytes 16..23.
            auto be32 = [&](int at) {
                return (quint8(head[at]) << 24) | (quint8(head[at + 1]) << 16) | (quint8(head[at + 2]) << 8) |
                       quint8(head[at + 3]);
            };
            QCOMPARE(int(be32(16)), size);
            QCOMPARE(int(be32(20)), size);
        }
    }

    void installedCliPrintsVersions()
    {
        const ProcessResult r = runProcess(bin(QStringLiteral("rsrefseg")), {QStringLiteral("--version")},
                                           installedProgramEnvironment());
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe(QStringLiteral("rsrefseg --version"))));
        QVERIFY(r.out.startsWith(QStringLiteral("rsrefseg " RSREFSEG_VERSION "\n")));
        for (const char *lib : {"LibTorch ", "GDAL ", "Qt ", "OpenCV "})
            QVERIFY2(r.out.contains(QLatin1String("\n") + QLatin1String(lib)), lib);
    }

    void installedDesktopPrintsVersionsWithoutDisplay()
    {
        QProcessEnvironment env = installedProgramEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        const ProcessResult r = runProcess(bin(QStringLiteral("rsrefseg-desktop")), {QStringLiteral("--version")}, env);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe(QStringLiteral("rsrefseg-desktop --version"))));
        QVERIFY(r.out.startsWith(QStringLiteral("rsrefseg-desktop " RSREFSEG_VERSION "\n")));
        QVERIFY(r.out.contains(QStringLiteral("\nQt 6.")));
    }

    // The installed CLI segments the installed sample with the installed (bundled) model and
    // tokenizer plugin, found from its own location: no --model, no RSREFSEG_PLUGIN_DIR.
    void installedCliSegmentsTheSample()
    {
        QTemporaryDir out;
        QVERIFY(out.isValid());
        const QString mask = out.filePath(QStringLiteral("mask.tif"));
        const QString gpkg = out.filePath(QStringLiteral("objects.gpkg"));
        const ProcessResult r = runProcess(
            bin(QStringLiteral("rsrefseg")),
            {QStringLiteral("segment"), share(QStringLiteral("rsrefseg/samples/sample.tif")), QStringLiteral("-q"),
             QStringLiteral("the white storage tank"), QStringLiteral("--tile"), QStringLiteral("256"),
             QStringLiteral("--overlap"), QStringLiteral("32"), QStringLiteral("--gate"), QStringLiteral("0"),
             QStringLiteral("--out-mask"), mask, QStringLiteral("--out-vector"), gpkg, QStringLiteral("--quiet"),
             QStringLiteral("--json")},
            installedProgramEnvironment(), 300000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe(QStringLiteral("installed rsrefseg segment"))));
        // The trained demo model when the source tree has it, else the untrained golden tiny one.
        const bool demo = QFileInfo::exists(rsrefseg::test::qSourceDir() + QStringLiteral("/resources/models/demo/manifest.json"));
        const QString bundled = share(demo ? QStringLiteral("rsrefseg/models/demo") : QStringLiteral("rsrefseg/models/golden-tiny"));
        QVERIFY2(r.err.contains(QStringLiteral("using the bundled model ") + bundled), qPrintable(r.err));
        QCOMPARE(r.err.contains(QStringLiteral("untrained")), !demo);
        QVERIFY(QFileInfo(mask).size() > 0);
        QVERIFY(QFileInfo(gpkg).size() > 0);

        // The mask lies on the sample's grid: same size, geotransform and EPSG.
        auto infoOf = [&](const QString &raster) {
            const ProcessResult i = runProcess(bin(QStringLiteral("rsrefseg")),
                                               {QStringLiteral("info"), raster, QStringLiteral("--json")},
                                               installedProgramEnvironment());
            return std::make_pair(i.exitCode, QJsonDocument::fromJson(i.out.toUtf8()).object());
        };
        const auto [sampleRc, sample] = infoOf(share(QStringLiteral("rsrefseg/samples/sample.tif")));
        const auto [maskRc, maskInfo] = infoOf(mask);
        QCOMPARE(sampleRc, 0);
        QCOMPARE(maskRc, 0);
        for (const char *key : {"width", "height", "geotransform"}) {
            QVERIFY2(sample.contains(QLatin1String(key)), key);
            QCOMPARE(maskInfo.value(QLatin1String(key)), sample.value(QLatin1String(key)));
        }
        QCOMPARE(maskInfo.value(QStringLiteral("crs")).toObject().value(QStringLiteral("epsg")).toInt(), 32633);
    }

    void desktopFileValidates()
    {
        const ProcessResult r = runProcess(rsrefseg::test::envQPath("RSREFSEG_DESKTOP_FILE_VALIDATE"),
                                           {share(QStringLiteral("applications/rsrefseg-desktop.desktop"))});
        QVERIFY2(r.exitCode == 0 && r.out.trimmed().isEmpty() && r.err.trimmed().isEmpty(),
                 qPrintable(r.describe(QStringLiteral("desktop-file-validate"))));
        // The file manager offers the program for the raster types it opens.
        QFile f(share(QStringLiteral("applications/rsrefseg-desktop.desktop")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        for (const char *mime : {"image/tiff", "image/jp2", "application/x-gdal-vrt", "image/png", "image/jpeg"})
            QVERIFY2(text.contains(QLatin1String(mime)), mime);
        QVERIFY(text.contains(QStringLiteral("Exec=rsrefseg-desktop %F")));
    }

    void appstreamMetainfoValidates()
    {
        const QString metainfo = share(QStringLiteral("metainfo/" RSREFSEG_APPSTREAM_ID ".metainfo.xml"));
        const ProcessResult r = runProcess(rsrefseg::test::envQPath("RSREFSEG_APPSTREAMCLI"),
                                           {QStringLiteral("validate"), QStringLiteral("--no-net"), metainfo});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe(QStringLiteral("appstreamcli validate"))));
        QFile f(metainfo);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY(text.contains(QStringLiteral("<screenshot type=\"default\">")));
        QVERIFY(text.contains(QStringLiteral("<release version=\"" RSREFSEG_VERSION "\"")));
        QVERIFY(text.contains(QStringLiteral("<launchable type=\"desktop-id\">rsrefseg-desktop.desktop</launchable>")));
    }

    void mimeTypeForVrtIsWellFormed()
    {
        QFile f(share(QStringLiteral("mime/packages/rsrefseg-desktop.xml")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY(text.contains(QStringLiteral("type=\"application/x-gdal-vrt\"")));
        QVERIFY(text.contains(QStringLiteral("pattern=\"*.vrt\"")));
    }
};

QTEST_GUILESS_MAIN(TestInstalledTree)
#include "test_installedtree.moc"
