// rsrefseg-desktop: the desktop application. Wiring only: settings, translation, the main
// window, and the rasters named on the command line.
//
//   rsrefseg-desktop [RASTER...] [--language zh_CN] [--settings FILE.ini]
//   rsrefseg-desktop --benchmark RASTER [--benchmark-random-weights rsrefseg-b --benchmark-tokenizer SPM]
#include "common/openmpwaitpolicy.h"
#include "modelhub/libraryversions.h"
#include "ui/appsettings.h"
#include "ui/mainwindow.h"
#include "ui/startupbenchmark.h"
#include "ui/translationloader.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTemporaryDir>
#include <QtGlobal>

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
    const rsrefseg::LibraryVersions v = rsrefseg::LibraryVersions::current();
    return std::string("rsrefseg-desktop ") + RSREFSEG_VERSION + "\nLibTorch " + v.torch + "\nGDAL " + v.gdal +
           "\nQt " + qt + "\nOpenCV " + v.opencv + "\n";
}

} // namespace

int main(int argc, char **argv)
{
    rsrefseg::useQuietOpenMpThreads(argv); // may re-execute this program once (see the header)
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
    const QCommandLineOption benchmarkOption(
        QStringLiteral("benchmark"),
        QCoreApplication::translate("main", "Time start-up, the first drawn view of RASTER and two queries on it; "
                                            "print JSON and quit."));
    const QCommandLineOption randomOption(
        QStringLiteral("benchmark-random-weights"),
        QCoreApplication::translate("main", "With --benchmark: use seeded random weights of this architecture "
                                            "(rsrefseg-b, or a bundle folder) instead of the model bundle."),
        QStringLiteral("arch"));
    const QCommandLineOption tokenizerOption(
        QStringLiteral("benchmark-tokenizer"),
        QCoreApplication::translate("main", "With --benchmark-random-weights: the SigLIP spiece.model."),
        QStringLiteral("file"));
    const QCommandLineOption dtypeOption(
        QStringLiteral("benchmark-dtype"),
        QCoreApplication::translate("main", "With --benchmark: f32 or bf16 (f16 on GPUs)."), QStringLiteral("type"));
    parser.addOptions({benchmarkOption, randomOption, tokenizerOption, dtypeOption});
    parser.process(app);

    const bool benchmark = parser.isSet(benchmarkOption);
    QTemporaryDir benchmarkSettingsDir;
    if (benchmark) {
        if (parser.positionalArguments().size() != 1) {
            std::fputs("rsrefseg-desktop: --benchmark needs exactly one raster\n", stderr);
            return 2;
        }
        if (parser.isSet(randomOption) != parser.isSet(tokenizerOption)) {
            std::fputs("rsrefseg-desktop: --benchmark-random-weights and --benchmark-tokenizer go together\n", stderr);
            return 2;
        }
        // The benchmark never changes the user's settings: it runs on a copy of them.
        if (settingsFile.isEmpty()) {
            const QString copy = benchmarkSettingsDir.filePath(QStringLiteral("benchmark.ini"));
            auto tmp = std::make_unique<rsrefseg::AppSettings>(copy);
            tmp->setModelBundle(settings->modelBundle());
            tmp->setDevice(settings->device());
            tmp->setDtype(settings->dtype());
            tmp->setThreads(settings->threads());
            settings = std::move(tmp);
        }
        if (parser.isSet(dtypeOption))
            settings->setDtype(parser.value(dtypeOption));
    }

    rsrefseg::SegmentationWorker::ModelFactory factory;
    QString modelSource = QStringLiteral("bundle");
    if (benchmark && parser.isSet(randomOption)) {
        const QString source = QStringLiteral("random:") + parser.value(randomOption);
        const QString tokenizer = parser.value(tokenizerOption);
        modelSource = QStringLiteral("random weights of ") + parser.value(randomOption);
        settings->setGateThreshold(0.0); // random weights: relevance means nothing; decode every tile
        // The usual loader (ModelHub), asked for seeded random weights instead of the bundle.
        factory = [source, tokenizer](rsrefseg::ModelSpec spec, const std::function<bool(double)> &progress) {
            spec.bundleDir = source;
            spec.tokenizer = tokenizer;
            return rsrefseg::SegmentationWorker::bundleFactory()(spec, progress);
        };
    }

    rsrefseg::MainWindow window(settings.get(), factory);
    window.show();
    std::unique_ptr<rsrefseg::StartupBenchmark> bench;
    if (benchmark) {
        rsrefseg::StartupBenchmark::Options o;
        o.raster = parser.positionalArguments().front();
        o.modelDescription = modelSource;
        bench = std::make_unique<rsrefseg::StartupBenchmark>(&window, o);
        QObject::connect(bench.get(), &rsrefseg::StartupBenchmark::finished, &app, [](bool ok, const QString &json) {
            std::fputs((json.toStdString() + "\n").c_str(), stdout);
            std::fflush(stdout);
            QApplication::exit(ok ? 0 : 1);
        });
        bench->start();
    } else {
        for (const QString &raster : parser.positionalArguments())
            window.openRaster(raster);
    }
    return app.exec();
}
