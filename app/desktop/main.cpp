// rsrefseg-desktop: the desktop application. Wiring only: settings, translation, the main
// window, and the rasters named on the command line.
//
//   rsrefseg-desktop [RASTER...] [--language zh_CN] [--settings FILE.ini]
#include "ui/appsettings.h"
#include "ui/mainwindow.h"
#include "ui/translationloader.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QtGlobal>

#include <gdal.h>
#include <opencv2/core/version.hpp>
#include <torch/version.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace {

// --version (-v) is answered before QApplication exists, so that it works without a display
// (over ssh, in CI): the program and the versions of the libraries it runs with.
bool versionRequested(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--") == 0)
            return false;
        if (std::strcmp(argv[i], "--version") == 0 || std::strcmp(argv[i], "-v") == 0)
            return true;
    }
    return false;
}

std::string versionText()
{
    std::string qt = qVersion();
    if (qt != QT_VERSION_STR)
        qt += std::string(" (built with ") + QT_VERSION_STR + ")";
    return std::string("rsrefseg-desktop ") + RSREFSEG_VERSION + "\nLibTorch " + TORCH_VERSION + "\nGDAL " +
           GDALVersionInfo("RELEASE_NAME") + "\nQt " + qt + "\nOpenCV " + CV_VERSION + "\n";
}

} // namespace

int main(int argc, char **argv)
{
    if (versionRequested(argc, argv)) {
        std::fputs(versionText().c_str(), stdout);
        return 0;
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("RSRefSeg"));
    QApplication::setApplicationName(QStringLiteral("RSRefSeg Desktop"));
    QApplication::setApplicationVersion(QStringLiteral(RSREFSEG_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("rsrefseg-desktop"));

    // The language must be known before any translated text, including --help's.
    QString language;
    QString settingsFile;
    const QStringList args = QApplication::arguments();
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--language"))
            language = args[i + 1];
        if (args[i] == QLatin1String("--settings"))
            settingsFile = args[i + 1];
    }
    auto settings = std::make_unique<rsrefseg::AppSettings>(settingsFile);
    rsrefseg::TranslationLoader::install(language.isEmpty() ? settings->language() : language);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Segments what a sentence describes in remote-sensing rasters."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("raster"), QCoreApplication::translate("main", "Rasters to open."),
                                 QStringLiteral("[raster...]"));
    parser.addOption({QStringLiteral("language"),
                      QCoreApplication::translate("main", "Interface language: en, zh_CN, de or system."),
                      QStringLiteral("code")});
    parser.addOption({QStringLiteral("settings"),
                      QCoreApplication::translate("main", "Read and write settings in this INI file."),
                      QStringLiteral("file")});
    parser.process(app);

    rsrefseg::MainWindow window(settings.get());
    window.show();
    for (const QString &raster : parser.positionalArguments())
        window.openRaster(raster);
    return app.exec();
}
