// rsrefseg-ui-screenshots: drives the real window (bundled model, sample raster) and saves
// screenshots: the main window with a result overlay, the tile inspector with a heat map,
// and the export dialog. Run under Xvfb so that fonts and styles are the desktop's:
//
//   xvfb-run -a -s "-screen 0 1600x1000x24" build/bin/rsrefseg-ui-screenshots OUTDIR
//
// Not a test: it only takes pictures (a failure to take one is reported and exits 1).
#include "modelhub/bundledmodels.h"
#include "ui/appsettings.h"
#include "ui/settingsdialog.h"
#include "ui/exportdialog.h"
#include "ui/layertreemodel.h"
#include "ui/layertreeview.h"
#include "ui/mainwindow.h"
#include "ui/mapcanvas.h"
#include "ui/querybar.h"
#include "ui/querycontroller.h"
#include "ui/resultlayer.h"
#include "ui/tileinspector.h"
#include "ui/uiresources.h"

#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QPainter>
#include <QSignalSpy>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

using namespace rsrefseg;

namespace {

bool save(QWidget *w, const QString &path)
{
    const QPixmap p = w->grab();
    const bool ok = !p.isNull() && p.save(path);
    std::fprintf(stderr, "%s %s (%dx%d)\n", ok ? "saved" : "FAILED", qPrintable(path), p.width(), p.height());
    return ok;
}

// All icons on one sheet, to look at them side by side.
bool iconSheet(const QString &path)
{
    const QStringList names = QDir(QStringLiteral(":/icons")).entryList();
    const int cell = 64;
    QImage sheet(cell * 8, cell * ((names.size() + 7) / 8), QImage::Format_ARGB32);
    sheet.fill(Qt::white);
    QPainter p(&sheet);
    for (int i = 0; i < names.size(); ++i) {
        QSvgRenderer r(QStringLiteral(":/icons/") + names[i]);
        r.render(&p, QRectF((i % 8) * cell + 8, (i / 8) * cell + 8, 48, 48));
    }
    p.end();
    return sheet.save(path);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("RSRefSeg Desktop"));
    if (argc < 2) {
        std::fprintf(stderr, "usage: rsrefseg-ui-screenshots OUTDIR\n");
        return 2;
    }
    const QString out = QString::fromLocal8Bit(argv[1]);
    QDir().mkpath(out);
    initUiResources();
    iconSheet(QDir(out).filePath(QStringLiteral("icons.png")));

    QTemporaryDir dir;
    AppSettings settings(dir.filePath(QStringLiteral("settings.ini")));
    settings.setTileSize(128);
    settings.setOverlap(16);
    if (BundledModels::find().empty()) {
        std::fprintf(stderr, "no bundled model found (build rsrefseg-desktop first)\n");
        return 1;
    }
    MainWindow w(&settings);
    w.resize(1400, 860);
    w.show();
    QSignalSpy opened(&w, &MainWindow::rasterOpened);
    w.openRaster(QStringLiteral(RSREFSEG_SOURCE_DIR) + QStringLiteral("/resources/samples/sample.tif"));
    if (!opened.wait(20000))
        return 1;
    QSignalSpy finished(w.queryController(), &QueryController::resultFinished);
    w.queryBar()->setText(QStringLiteral("the plane below the green storage tank"));
    w.queryBar()->setMode(SegmentationSettings::Mode::Tiled);
    w.queryBar()->setArea(QueryBar::Area::WholeRaster);
    w.queryController()->run(w.queryBar()->input());
    if (!finished.wait(180000))
        return 1;
    const auto results = w.layers()->resultLayers();
    if (results.empty())
        return 1;
    const auto layer = results.front();
    w.layerView()->setCurrentLayer(layer->id());
    QTest::qWait(1500); // the canvas render and the message bar settle
    bool ok = save(&w, QDir(out).filePath(QStringLiteral("main-window.png")));

    // The tile inspector: the tile with the highest relevance among the segmented ones.
    int best = 0;
    for (size_t i = 0; i < layer->tiles().size(); ++i)
        if (layer->tiles()[i].report.relevance > layer->tiles()[static_cast<size_t>(best)].report.relevance)
            best = static_cast<int>(i);
    w.canvas()->setTool(MapCanvas::Tool::InspectTile);
    QSignalSpy loaded(w.tileInspector(), &TileInspector::imageLoaded);
    w.canvas()->setHighlightedTile(layer->id(), best);
    w.tileInspector()->showTile(layer->id(), best);
    loaded.wait(10000);
    QTest::qWait(300);
    ok = save(w.inspectorDock(), QDir(out).filePath(QStringLiteral("tile-inspector.png"))) && ok;
    ok = save(&w, QDir(out).filePath(QStringLiteral("main-window-inspector.png"))) && ok;

    auto *d = new ExportDialog(layer, w.worker(), &settings, &w);
    d->show();
    QTest::qWait(300);
    ok = save(d, QDir(out).filePath(QStringLiteral("export-dialog.png"))) && ok;
    d->close();

    auto *settingsDialog = new SettingsDialog(&settings, &w);
    settingsDialog->show();
    QTest::qWait(300);
    ok = save(settingsDialog, QDir(out).filePath(QStringLiteral("settings-dialog.png"))) && ok;
    settingsDialog->close();
    return ok ? 0 : 1;
}
