#include "ui/mainwindow.h"

#include "ui/appsettings.h"
#include "ui/batchdialog.h"
#include "ui/exportdialog.h"
#include "ui/layerpropertieswidget.h"
#include "ui/layertreemodel.h"
#include "ui/layertreeview.h"
#include "ui/mapcanvas.h"
#include "ui/mapstatusbar.h"
#include "ui/messagebar.h"
#include "ui/bundlestatus.h"
#include "ui/querybar.h"
#include "ui/querycontroller.h"
#include "ui/rasterlayer.h"
#include "ui/rasteropenjob.h"
#include "ui/recentfilesmenu.h"
#include "ui/resultlayer.h"
#include "ui/settingsdialog.h"
#include "ui/tileinspector.h"
#include "ui/uiresources.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

namespace rsrefseg {

namespace {

QIcon icon(const char *name)
{
    return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
}

} // namespace

MainWindow::MainWindow(AppSettings *settings, SegmentationWorker::ModelFactory factory, QWidget *parent)
    : QMainWindow(parent)
    , mSettings(settings)
{
    initUiResources();
    setWindowIcon(icon("rsrefseg"));
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    mLayers = new LayerTreeModel(this);
    mWorker = std::make_unique<SegmentationWorker>(std::move(factory));

    // Centre: the message bar above the map, as in QGIS.
    auto *centre = new QWidget(this);
    auto *cl = new QVBoxLayout(centre);
    cl->setContentsMargins(0, 0, 0, 0);
    cl->setSpacing(0);
    mMessages = new MessageBar(centre);
    mCanvas = new MapCanvas(mLayers, centre);
    cl->addWidget(mMessages);
    cl->addWidget(mCanvas, 1);
    setCentralWidget(centre);

    mQueryBar = new QueryBar(this);
    mQueryBar->setHistory(mSettings->queryHistory());
    mQueries = new QueryController(mLayers, mCanvas, mWorker.get(), mSettings, mMessages, this);

    mStatus = new MapStatusBar(this);
    statusBar()->addPermanentWidget(mStatus);
    statusBar()->setSizeGripEnabled(true);

    createActions();
    createDocks();
    createMenus();
    createToolBars();
    connectParts();

    mCanvas->setShowTileGrid(mSettings->showTileGrid());
    mTileGridAction->setChecked(mSettings->showTileGrid());
    resize(1280, 800);
    if (!mSettings->windowGeometry().isEmpty())
        restoreGeometry(mSettings->windowGeometry());
    if (!mSettings->windowState().isEmpty())
        restoreState(mSettings->windowState());
    applyModelSettings();
    updateTitle();
    updateActions();
}

MainWindow::~MainWindow()
{
    // Stop the worker before the layers and the controller it reports to go away.
    mWorker.reset();
}

QAction *MainWindow::action(const QString &objectName) const
{
    return findChild<QAction *>(objectName);
}

void MainWindow::createActions()
{
    auto make = [this](const QString &name, const QIcon &ic, const QString &text, const QKeySequence &key,
                       const QString &tip) {
        auto *a = new QAction(ic, text, this);
        a->setObjectName(name);
        if (!key.isEmpty())
            a->setShortcut(key);
        a->setStatusTip(tip);
        a->setToolTip(key.isEmpty() ? tip : tip + QStringLiteral(" (") + key.toString(QKeySequence::NativeText) + QLatin1Char(')'));
        return a;
    };
    mOpenAction = make(QStringLiteral("actionOpen"), icon("open-raster"), tr("&Open Raster…"), QKeySequence::Open,
                       tr("Open a raster (GeoTIFF, JPEG2000, VRT, PNG, …)"));
    mExportAction = make(QStringLiteral("actionExport"), icon("export"), tr("&Export Result…"),
                         QKeySequence(Qt::CTRL | Qt::Key_E), tr("Write the selected result as GeoTIFF and polygons"));
    mBatchAction = make(QStringLiteral("actionBatch"), icon("batch"), tr("&Batch…"), QKeySequence(Qt::CTRL | Qt::Key_B),
                        tr("Segment a folder of rasters with a list of queries"));
    mSettingsAction = make(QStringLiteral("actionSettings"), icon("settings"), tr("&Settings…"),
                           QKeySequence(Qt::CTRL | Qt::Key_Comma), tr("Model, device, tiles, cache and language"));
    mQuitAction = make(QStringLiteral("actionQuit"), QIcon(), tr("&Quit"), QKeySequence::Quit, tr("Quit the application"));
    mZoomInAction = make(QStringLiteral("actionZoomIn"), icon("zoom-in"), tr("Zoom &In"), QKeySequence::ZoomIn,
                         tr("Zoom in"));
    mZoomOutAction = make(QStringLiteral("actionZoomOut"), icon("zoom-out"), tr("Zoom &Out"), QKeySequence::ZoomOut,
                          tr("Zoom out"));
    mZoomFullAction = make(QStringLiteral("actionZoomFull"), icon("zoom-full"), tr("Zoom &Full"),
                           QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F), tr("Show every layer"));
    mZoomLayerAction = make(QStringLiteral("actionZoomLayer"), icon("zoom-layer"), tr("Zoom to &Layer"),
                            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L), tr("Show the selected layer"));
    mPanAction = make(QStringLiteral("actionPan"), icon("pan"), tr("&Pan"), QKeySequence(Qt::CTRL | Qt::Key_1),
                      tr("Pan the map by dragging"));
    mInspectAction = make(QStringLiteral("actionInspect"), icon("inspect-tile"), tr("&Inspect Tile"),
                          QKeySequence(Qt::CTRL | Qt::Key_2), tr("Click a tile of a result to see why it fired"));
    mRegionAction = make(QStringLiteral("actionRegion"), icon("draw-region"), tr("&Draw Query Rectangle"),
                         QKeySequence(Qt::CTRL | Qt::Key_3), tr("Drag a rectangle to segment only that area"));
    for (QAction *a : {mPanAction, mInspectAction, mRegionAction})
        a->setCheckable(true);
    auto *tools = new QActionGroup(this);
    for (QAction *a : {mPanAction, mInspectAction, mRegionAction})
        tools->addAction(a);
    mPanAction->setChecked(true);
    mClearRegionAction = make(QStringLiteral("actionClearRegion"), QIcon(), tr("&Clear Query Rectangle"), QKeySequence(),
                              tr("Forget the drawn rectangle"));
    mTileGridAction = make(QStringLiteral("actionTileGrid"), icon("tile-grid"), tr("Tile &Grid"),
                           QKeySequence(Qt::CTRL | Qt::Key_G), tr("Show the tiles of the selected result by state"));
    mTileGridAction->setCheckable(true);
    mRunAction = make(QStringLiteral("actionRun"), icon("run"), tr("&Run Query"), QKeySequence(Qt::CTRL | Qt::Key_Return),
                      tr("Segment what the query describes"));
    mCancelAction = make(QStringLiteral("actionCancel"), icon("cancel"), tr("&Cancel Query"),
                         QKeySequence(Qt::Key_Escape), tr("Stop the running query"));
    mFocusQueryAction = make(QStringLiteral("actionFocusQuery"), QIcon(), tr("&Find…"), QKeySequence::Find,
                             tr("Type a new query"));
    mRemoveLayerAction = make(QStringLiteral("actionRemoveLayer"), icon("remove-layer"), tr("&Remove Layer"),
                              QKeySequence(), tr("Remove the selected layer"));
    mAboutAction = make(QStringLiteral("actionAbout"), icon("rsrefseg"), tr("&About RSRefSeg Desktop"), QKeySequence(),
                        tr("About this application"));
}

void MainWindow::createDocks()
{
    auto *layersPanel = new QWidget(this);
    auto *ll = new QVBoxLayout(layersPanel);
    ll->setContentsMargins(0, 0, 0, 0);
    auto *split = new QSplitter(Qt::Vertical, layersPanel);
    mLayerView = new LayerTreeView(mLayers, split);
    mLayerProperties = new LayerPropertiesWidget(mLayers, split);
    split->addWidget(mLayerView);
    split->addWidget(mLayerProperties);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    ll->addWidget(split);
    mLayersDock = new QDockWidget(tr("Layers"), this);
    mLayersDock->setObjectName(QStringLiteral("LayersDock"));
    mLayersDock->setWidget(layersPanel);
    mLayersDock->setMinimumWidth(240);
    addDockWidget(Qt::LeftDockWidgetArea, mLayersDock);

    mInspector = new TileInspector(mLayers, this);
    mInspectorDock = new QDockWidget(tr("Tile Inspector"), this);
    mInspectorDock->setObjectName(QStringLiteral("TileInspectorDock"));
    mInspectorDock->setWidget(mInspector);
    addDockWidget(Qt::RightDockWidgetArea, mInspectorDock);
    resizeDocks({mLayersDock, mInspectorDock}, {270, 380}, Qt::Horizontal);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(mOpenAction);
    auto *recent = new RecentFilesMenu(mSettings, file);
    file->addMenu(recent);
    connect(recent, &RecentFilesMenu::fileChosen, this, &MainWindow::openRaster);
    file->addSeparator();
    file->addAction(mExportAction);
    file->addAction(mBatchAction);
    file->addSeparator();
    file->addAction(mSettingsAction);
    file->addSeparator();
    file->addAction(mQuitAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(mZoomInAction);
    view->addAction(mZoomOutAction);
    view->addAction(mZoomFullAction);
    view->addAction(mZoomLayerAction);
    view->addSeparator();
    view->addAction(mTileGridAction);
    view->addSeparator();
    view->addAction(mLayersDock->toggleViewAction());
    view->addAction(mInspectorDock->toggleViewAction());

    QMenu *map = menuBar()->addMenu(tr("&Map"));
    map->addAction(mPanAction);
    map->addAction(mInspectAction);
    map->addAction(mRegionAction);
    map->addAction(mClearRegionAction);
    map->addSeparator();
    map->addAction(mRemoveLayerAction);

    QMenu *query = menuBar()->addMenu(tr("&Query"));
    query->addAction(mFocusQueryAction);
    query->addAction(mRunAction);
    query->addAction(mCancelAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(mAboutAction);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createToolBars()
{
    QToolBar *main = addToolBar(tr("Main"));
    main->setObjectName(QStringLiteral("MainToolBar"));
    main->setIconSize(QSize(22, 22));
    main->addAction(mOpenAction);
    main->addAction(mExportAction);
    main->addAction(mBatchAction);
    main->addSeparator();
    main->addAction(mPanAction);
    main->addAction(mInspectAction);
    main->addAction(mRegionAction);
    main->addSeparator();
    main->addAction(mZoomInAction);
    main->addAction(mZoomOutAction);
    main->addAction(mZoomFullAction);
    main->addAction(mZoomLayerAction);
    main->addAction(mTileGridAction);
    main->addSeparator();
    main->addAction(mSettingsAction);

    addToolBarBreak();
    QToolBar *query = addToolBar(tr("Query"));
    query->setObjectName(QStringLiteral("QueryToolBar"));
    query->setMovable(false);
    query->addWidget(mQueryBar);
}

void MainWindow::connectParts()
{
    connect(mOpenAction, &QAction::triggered, this, &MainWindow::chooseRaster);
    connect(mExportAction, &QAction::triggered, this, [this] { openExportDialog(); });
    connect(mBatchAction, &QAction::triggered, this, &MainWindow::openBatchDialog);
    connect(mSettingsAction, &QAction::triggered, this, &MainWindow::openSettings);
    connect(mQuitAction, &QAction::triggered, this, &QWidget::close);
    connect(mZoomInAction, &QAction::triggered, mCanvas, &MapCanvas::zoomIn);
    connect(mZoomOutAction, &QAction::triggered, mCanvas, &MapCanvas::zoomOut);
    connect(mZoomFullAction, &QAction::triggered, mCanvas, &MapCanvas::zoomToFullExtent);
    connect(mZoomLayerAction, &QAction::triggered, this, [this] {
        if (const int id = mLayerView->currentLayerId())
            mCanvas->zoomToLayer(id);
    });
    connect(mPanAction, &QAction::triggered, this, [this] { mCanvas->setTool(MapCanvas::Tool::Pan); });
    connect(mInspectAction, &QAction::triggered, this, [this] { mCanvas->setTool(MapCanvas::Tool::InspectTile); });
    connect(mRegionAction, &QAction::triggered, this, [this] { mCanvas->setTool(MapCanvas::Tool::DrawRegion); });
    connect(mClearRegionAction, &QAction::triggered, mCanvas, &MapCanvas::clearDrawnRegion);
    connect(mTileGridAction, &QAction::toggled, this, [this](bool on) {
        mCanvas->setShowTileGrid(on);
        mSettings->setShowTileGrid(on);
    });
    connect(mRunAction, &QAction::triggered, this, [this] { mQueries->run(mQueryBar->input()); });
    connect(mCancelAction, &QAction::triggered, mQueries, &QueryController::cancel);
    connect(mFocusQueryAction, &QAction::triggered, mQueryBar, &QueryBar::focusQuery);
    connect(mRemoveLayerAction, &QAction::triggered, this, [this] {
        if (const int id = mLayerView->currentLayerId())
            mLayers->removeLayer(id);
    });
    connect(mAboutAction, &QAction::triggered, this, [this] {
        QMessageBox::about(this, tr("About RSRefSeg Desktop"),
                           tr("<h3>RSRefSeg Desktop %1</h3><p>Segments what a sentence describes in georeferenced "
                              "remote-sensing rasters.</p><p>Model: RSRefSeg (Chen et al., 2025, arXiv:2501.06809): "
                              "SigLIP + SAM with LoRA, in LibTorch.</p><p>GPL-3.0-or-later.</p>")
                               .arg(QApplication::applicationVersion()));
    });

    // Query bar and controller.
    connect(mQueryBar, &QueryBar::runRequested, mQueries, &QueryController::run);
    connect(mQueryBar, &QueryBar::cancelRequested, mQueries, &QueryController::cancel);
    connect(mQueries, &QueryController::runningChanged, mQueryBar, &QueryBar::setRunning);
    connect(mQueries, &QueryController::progressChanged, mQueryBar, &QueryBar::setProgress);
    connect(mQueries, &QueryController::runningChanged, this, [this] {
        mQueryBar->setHistory(mSettings->queryHistory());
        updateActions();
    });
    connect(mQueries, &QueryController::resultFinished, this, [this] { updateActions(); });

    // Canvas.
    connect(mCanvas, &MapCanvas::mousePositionChanged, mStatus, &MapStatusBar::setPosition);
    connect(mCanvas, &MapCanvas::mouseLeft, mStatus, &MapStatusBar::clearPosition);
    connect(mCanvas, &MapCanvas::viewportChanged, this, [this] {
        mStatus->setScale(mCanvas->viewport().resolution(), mCanvas->viewport().center());
    });
    connect(mCanvas, &MapCanvas::renderStarted, this, [this] { mStatus->setRendering(true); });
    connect(mCanvas, &MapCanvas::renderFinished, this, [this] { mStatus->setRendering(false); });
    connect(mCanvas, &MapCanvas::renderErrors, this, [this](const QStringList &errors) {
        mMessages->pushMessage(MessageBar::Level::Warning, tr("Drawing the map"), errors.first(),
                               errors.join(QLatin1Char('\n')));
    });
    connect(mCanvas, &MapCanvas::filesDropped, this, [this](const QStringList &paths) {
        for (const QString &p : paths)
            openRaster(p);
    });
    connect(mCanvas, &MapCanvas::tileClicked, this, [this](int layerId, int tile) {
        mInspector->showTile(layerId, tile);
        mInspectorDock->show();
        mInspectorDock->raise();
    });
    connect(mCanvas, &MapCanvas::regionDrawn, this, [this] {
        mQueryBar->setArea(QueryBar::Area::DrawnRegion);
        statusBar()->showMessage(tr("Rectangle set: the next query with 'Drawn rectangle' uses it."), 5000);
    });
    connect(mCanvas, &MapCanvas::toolChanged, this, [this](MapCanvas::Tool t) {
        mPanAction->setChecked(t == MapCanvas::Tool::Pan);
        mInspectAction->setChecked(t == MapCanvas::Tool::InspectTile);
        mRegionAction->setChecked(t == MapCanvas::Tool::DrawRegion);
    });

    // Layers.
    connect(mLayerView, &LayerTreeView::currentLayerChanged, mLayerProperties, &LayerPropertiesWidget::setLayer);
    connect(mLayerView, &LayerTreeView::currentLayerChanged, this, [this](int id) {
        if (mLayers->resultLayer(id))
            mCanvas->setTileGridLayer(id);
        updateActions();
    });
    connect(mLayerView, &LayerTreeView::zoomToLayerRequested, mCanvas, &MapCanvas::zoomToLayer);
    connect(mLayerView, &LayerTreeView::exportRequested, this, [this](int id) { openExportDialog(id); });
    connect(mLayerView, &LayerTreeView::tileGridRequested, this, [this](int id) {
        mCanvas->setTileGridLayer(id);
        mTileGridAction->setChecked(true);
    });
    connect(mLayerProperties, &LayerPropertiesWidget::colourRequested, mLayerView, &LayerTreeView::chooseColour);
    connect(mLayers, &LayerTreeModel::layerAdded, this, [this] {
        updateTitle();
        updateActions();
    });
    connect(mLayers, &LayerTreeModel::layerRemoved, this, [this] {
        updateTitle();
        updateActions();
    });

    // Model state.
    connect(mWorker.get(), &SegmentationWorker::modelLoadStarted, this, [this] { showModelState(tr("loading…")); });
    connect(mWorker.get(), &SegmentationWorker::modelLoaded, this, [this](const ModelInfo &info) {
        mModelName = info.name;
        mModelTrained = info.trained;
        showModelState(tr("loaded in %1 s").arg(info.loadSeconds, 0, 'f', 1));
        if (!info.trained)
            mMessages->pushMessage(MessageBar::Level::Warning, tr("Untrained model"),
                                   tr("%1 is not a trained model: its masks are meaningless. It is bundled so that "
                                      "the application works out of the box; import real weights with "
                                      "'rsrefseg model import' and choose them in Settings.")
                                       .arg(info.name));
    });
    connect(mWorker.get(), &SegmentationWorker::modelLoadFailed, this, [this](const QString &error) {
        showModelState(tr("not loaded"));
        mMessages->pushMessage(MessageBar::Level::Error, tr("Cannot load the model"), error,
                               tr("Model bundle: %1\nChoose another one in Settings > Model.")
                                   .arg(mWorker->modelSpec().bundleDir));
    });
}

void MainWindow::applyModelSettings()
{
    const BundleStatus s = BundleStatus::of(mSettings->modelBundle());
    mModelName = s.valid ? s.name : tr("none");
    mModelTrained = s.valid ? s.trained : true;
    mWorker->setModelSpec(mSettings->modelSpec(s.dir));
    showModelState(s.valid ? tr("loads with the first query") : s.error);
    updateTitle();
}

void MainWindow::showModelState(const QString &state)
{
    mStatus->setModel(mModelName, mModelTrained, state);
    updateTitle();
}

void MainWindow::updateTitle()
{
    QString title = QStringLiteral("RSRefSeg Desktop");
    if (const auto r = mLayers->topRasterLayer())
        title = r->name() + QStringLiteral(" — ") + title;
    if (!mModelTrained)
        title += QStringLiteral(" — ") + tr("UNTRAINED model");
    setWindowTitle(title);
}

int MainWindow::currentResultLayer() const
{
    if (const auto r = mLayers->resultLayer(mLayerView->currentLayerId()))
        return r->id();
    for (const auto &r : mLayers->resultLayers())
        if (r->state() == ResultLayer::State::Finished)
            return r->id();
    return 0;
}

void MainWindow::updateActions()
{
    const bool hasLayers = mLayers->count() > 0;
    const bool hasRaster = static_cast<bool>(mLayers->topRasterLayer());
    const auto result = mLayers->resultLayer(currentResultLayer());
    mExportAction->setEnabled(result && result->state() == ResultLayer::State::Finished);
    mZoomFullAction->setEnabled(hasLayers);
    mZoomLayerAction->setEnabled(mLayerView->currentLayerId() != 0);
    mRemoveLayerAction->setEnabled(mLayerView->currentLayerId() != 0);
    mRunAction->setEnabled(hasRaster);
    mCancelAction->setEnabled(mQueries->isRunning());
    mQueryBar->setRunEnabled(hasRaster);
}

void MainWindow::chooseRaster()
{
    const QString dir = mSettings->value(QStringLiteral("open/folder"), QDir::homePath());
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Open Raster"), dir,
        tr("Rasters (*.tif *.tiff *.jp2 *.vrt *.img *.png *.jpg *.jpeg);;All files (*)"));
    for (const QString &p : paths)
        openRaster(p);
}

void MainWindow::openRaster(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    mSettings->setValue(QStringLiteral("open/folder"), QFileInfo(absolute).absolutePath());
    QString cacheDir = mSettings->cacheDir();
    if (cacheDir.isEmpty())
        cacheDir = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
    auto *job = new RasterOpenJob(absolute, cacheDir, this);
    ++mOpening;
    statusBar()->showMessage(tr("Opening %1…").arg(QFileInfo(absolute).fileName()));
    connect(job, &RasterOpenJob::progress, this, [this](const QString &p, double f, const QString &stage) {
        statusBar()->showMessage(tr("Opening %1: %2 (%3 %)").arg(QFileInfo(p).fileName(), stage).arg(int(f * 100)));
    });
    connect(job, &RasterOpenJob::opened, this, [this](std::shared_ptr<RasterLayer> layer) {
        --mOpening;
        statusBar()->clearMessage();
        // The status bar learns the CRS before the canvas zooms to the new layer.
        if (!mLayers->topRasterLayer())
            mStatus->setRaster(&layer->info());
        const int id = mLayers->addLayer(layer);
        mStatus->setScale(mCanvas->viewport().resolution(), mCanvas->viewport().center());
        mSettings->addRecentFile(layer->path());
        if (!layer->info().isGeoreferenced())
            mMessages->pushMessage(MessageBar::Level::Info, tr("No georeference"),
                                   tr("%1 has no coordinate reference system: coordinates are pixels and outputs "
                                      "overlay the image in QGIS without a CRS.")
                                       .arg(layer->name()));
        emit rasterOpened(id);
    });
    connect(job, &RasterOpenJob::failed, this, [this](const QString &p, const QString &error) {
        --mOpening;
        statusBar()->clearMessage();
        mMessages->pushMessage(MessageBar::Level::Error, tr("Cannot open %1").arg(QFileInfo(p).fileName()), error,
                               p);
        emit rasterFailed(p, error);
    });
    job->start();
}

void MainWindow::openSettings()
{
    SettingsDialog dialog(mSettings, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    applyModelSettings();
    if (dialog.languageChanged())
        mMessages->pushMessage(MessageBar::Level::Info, tr("Language"),
                               tr("The new language applies when the application restarts."));
}

void MainWindow::openExportDialog(int resultLayerId)
{
    const auto layer = mLayers->resultLayer(resultLayerId ? resultLayerId : currentResultLayer());
    if (!layer || layer->state() != ResultLayer::State::Finished) {
        mMessages->pushMessage(MessageBar::Level::Info, tr("Export"), tr("Select a finished result layer first."));
        return;
    }
    auto *dialog = new ExportDialog(layer, mWorker.get(), mSettings, this);
    connect(dialog, &ExportDialog::exportFinished, this, [this, name = layer->name()](bool ok) {
        if (ok)
            mMessages->pushMessage(MessageBar::Level::Success, tr("Export finished"), name);
    });
    dialog->show();
}

void MainWindow::openBatchDialog()
{
    auto *dialog = new BatchDialog(mWorker.get(), mSettings, this);
    dialog->show();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    mSettings->setWindowGeometry(saveGeometry());
    mSettings->setWindowState(saveState());
    mSettings->sync();
    mWorker->cancelAll();
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    for (const QUrl &u : event->mimeData()->urls())
        if (u.isLocalFile())
            openRaster(u.toLocalFile());
    event->acceptProposedAction();
}

} // namespace rsrefseg
