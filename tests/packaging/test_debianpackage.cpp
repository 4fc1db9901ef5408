// The Debian package: CPack builds it from this build tree, and it holds the binaries, the
// tokenizer plugin, the translations, the bundled model and the desktop integration under /usr,
// with Depends that cover what the dynamic linker cannot see (OpenBLAS, the dlopen()ed
// sentencepiece plugin's library, Qt's SVG icon engine). .ci/run installs the package with
// apt-get and runs it (packaging/check-deb.sh).
#include "packagingtestsupport.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include "testpathsqt.h"

using namespace rsrefseg::test;

class TestDebianPackage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir mOut;
    QString mDeb;

    QString field(const QString &name) const
    {
        const ProcessResult r = runProcess(rsrefseg::test::envQPath("RSREFSEG_DPKG_DEB"), {QStringLiteral("--field"), mDeb, name});
        return r.exitCode == 0 ? r.out.trimmed() : QString();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(mOut.isValid());
        const ProcessResult r = runProcess(
            rsrefseg::test::envQPath("RSREFSEG_CPACK_COMMAND"),
            {QStringLiteral("-G"), QStringLiteral("DEB"), QStringLiteral("--config"),
             rsrefseg::test::qBinaryDir() + QStringLiteral("/CPackConfig.cmake"), QStringLiteral("-B"), mOut.path()},
            QProcessEnvironment::systemEnvironment(), 600000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe(QStringLiteral("cpack -G DEB"))));
        const QStringList debs = QDir(mOut.path()).entryList({QStringLiteral("*.deb")}, QDir::Files);
        QCOMPARE(debs.size(), 1);
        QCOMPARE(debs.front(), QStringLiteral("rsrefseg-desktop_" RSREFSEG_VERSION "-1_amd64.deb"));
        mDeb = mOut.filePath(debs.front());
    }

    void controlFields()
    {
        QCOMPARE(field(QStringLiteral("Package")), QStringLiteral("rsrefseg-desktop"));
        QCOMPARE(field(QStringLiteral("Version")), QStringLiteral(RSREFSEG_VERSION "-1"));
        QCOMPARE(field(QStringLiteral("Section")), QStringLiteral("science"));
        QCOMPARE(field(QStringLiteral("Architecture")), QStringLiteral("amd64"));
        QVERIFY(field(QStringLiteral("Maintainer")).contains(QLatin1Char('@')));
        const QString description = field(QStringLiteral("Description"));
        QVERIFY(description.startsWith(QStringLiteral("segment what a sentence describes")));
        QVERIFY2(!description.contains(QLatin1Char('&')), "no HTML entities in the description");
        QVERIFY(description.count(QLatin1Char('\n')) >= 5); // a long description follows the summary
    }

    void dependsCoverWhatTheLinkerCannotSee()
    {
        const QString depends = field(QStringLiteral("Depends"));
        // Found by dpkg-shlibdeps in the ELF files.
        for (const char *lib : {"libtorch", "libgdal", "libqt6widgets6", "libopencv-core", "libproj"})
            QVERIFY2(depends.contains(QLatin1String(lib)), qPrintable(QLatin1String(lib) + QLatin1String(" in ") + depends));
        // Not visible to the linker: the fast BLAS behind libblas.so.3, the plugin's library,
        // Qt's SVG icon engine.
        QVERIFY2(depends.contains(QStringLiteral("libopenblas0-pthread")), qPrintable(depends));
        QVERIFY2(depends.contains(QStringLiteral("libsentencepiece0")), qPrintable(depends));
        QVERIFY2(depends.contains(QStringLiteral("libqt6svg6")), qPrintable(depends));
    }

    void contentsListEverything()
    {
        const ProcessResult r = runProcess(rsrefseg::test::envQPath("RSREFSEG_DPKG_DEB"), {QStringLiteral("--contents"), mDeb});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe(QStringLiteral("dpkg-deb --contents"))));
        QStringList paths;
        for (const QString &line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            paths << line.section(QLatin1Char(' '), -1); // the last column is the path
        for (const char *expected :
             {"./usr/bin/rsrefseg", "./usr/bin/rsrefseg-desktop", "./usr/bin/rsrefseg-model-bench",
              "./usr/" RSREFSEG_INSTALL_LIBDIR "/rsrefseg/librsrefseg_spm.so",
              "./usr/share/rsrefseg/translations/rsrefseg_zh_CN.qm", "./usr/share/rsrefseg/translations/rsrefseg_de.qm",
              "./usr/share/rsrefseg/models/golden-tiny/manifest.json",
              "./usr/share/rsrefseg/models/golden-tiny/model.safetensors",
              "./usr/share/rsrefseg/samples/sample.tif", "./usr/share/applications/rsrefseg-desktop.desktop",
              "./usr/share/metainfo/" RSREFSEG_APPSTREAM_ID ".metainfo.xml",
              "./usr/share/icons/hicolor/scalable/apps/rsrefseg-desktop.svg",
              "./usr/share/man/man1/rsrefseg.1.gz", "./usr/share/man/man1/rsrefseg-desktop.1.gz",
              "./usr/share/doc/rsrefseg-desktop/copyright",
              // The QGIS plugin, where QGIS looks for system plugins (app/qgis).
              "./usr/share/qgis/python/plugins/rsrefseg/metadata.txt",
              "./usr/share/qgis/python/plugins/rsrefseg/__init__.py",
              "./usr/share/qgis/python/plugins/rsrefseg/segmentalgorithm.py"})
            QVERIFY2(paths.contains(QLatin1String(expected)), expected);
        // Nothing from the build or test trees.
        for (const QString &p : paths)
            QVERIFY2(!p.contains(QStringLiteral("test")) || p.contains(QStringLiteral("golden-tiny")), qPrintable(p));
    }
};

QTEST_GUILESS_MAIN(TestDebianPackage)
#include "test_debianpackage.moc"
