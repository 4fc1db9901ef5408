// MainWindow: the desktop application's window, kept to wiring (QGIS's lesson: no god
// object): the map canvas with the message bar above it, the query bar, the layers and tile
// inspector docks, the status bar, menus, toolbars and shortcuts. Behaviour lives in the
// classes it connects (MapCanvas, QueryController, SegmentationWorker, dialogs, ...).
//
//   AppSettings settings;
//   MainWindow window(&settings);            // or MainWindow(&settings, testModelFactory)
//   window.show();
//   window.openRaster("scene.tif");          // asynchronous: layerAdded() follows
#pragma once

#include "ui/segmentationworker.h"

#include <QMainWindow>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;

namespace rsrefseg {

class AppSettings;
class LayerPropertiesWidget;
class LayerTreeModel;
class LayerTreeView;
class MapCanvas;
class MapStatusBar;
class MessageBar;
class QueryBar;
class QueryController;
class TileInspector;

class MainWindow : public QMainWindow
{
    Q_OBJECT
  public:
    explicit MainWindow(AppSettings *settings, SegmentationWorker::ModelFactory factory = {},
                        QWidget *parent = nullptr);
    ~MainWindow() override;

    void openRaster(const QString &path);
    void openSettings();
    void openExportDialog(int resultLayerId = 0);
    void openBatchDialog();
    // Re-reads the model settings and hands the worker the new spec (after Settings).
    void applyModelSettings();

    // Parts, for tests and screenshots.
    LayerTreeModel *layers() const { return mLayers; }
    MapCanvas *canvas() const { return mCanvas; }
    QueryBar *queryBar() const { return mQueryBar; }
    QueryController *queryController() const { return mQueries; }
    SegmentationWorker *worker() const { return mWorker.get(); }
    TileInspector *tileInspector() const { return mInspector; }
    MessageBar *messageBar() const { return mMessages; }
    MapStatusBar *mapStatusBar() const { return mStatus; }
    LayerTreeView *layerView() const { return mLayerView; }
    QDockWidget *inspectorDock() const { return mInspectorDock; }
    QAction *action(const QString &objectName) const;

  signals:
    void rasterOpened(int layerId);
    void rasterFailed(const QString &path, const QString &error);

  protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

  private:
    void createActions();
    void createMenus();
    void createToolBars();
    void createDocks();
    void connectParts();
    void updateTitle();
    void updateActions();
    void showModelState(const QString &state);
    int currentResultLayer() const;
    void chooseRaster();

    AppSettings *mSettings;
    LayerTreeModel *mLayers = nullptr;
    std::unique_ptr<SegmentationWorker> mWorker;
    MapCanvas *mCanvas = nullptr;
    MessageBar *mMessages = nullptr;
    QueryBar *mQueryBar = nullptr;
    QueryController *mQueries = nullptr;
    LayerTreeView *mLayerView = nullptr;
    LayerPropertiesWidget *mLayerProperties = nullptr;
    TileInspector *mInspector = nullptr;
    QDockWidget *mLayersDock = nullptr;
    QDockWidget *mInspectorDock = nullptr;
    MapStatusBar *mStatus = nullptr;
    QString mModelName;
    bool mModelTrained = true;
    int mOpening = 0;

    QAction *mOpenAction = nullptr;
    QAction *mExportAction = nullptr;
    QAction *mBatchAction = nullptr;
    QAction *mSettingsAction = nullptr;
    QAction *mQuitAction = nullptr;
    QAction *mZoomInAction = nullptr;
    QAction *mZoomOutAction = nullptr;
    QAction *mZoomFullAction = nullptr;
    QAction *mZoomLayerAction = nullptr;
    QAction *mPanAction = nullptr;
    QAction *mInspectAction = nullptr;
    QAction *mRegionAction = nullptr;
    QAction *mClearRegionAction = nullptr;
    QAction *mTileGridAction = nullptr;
    QAction *mRunAction = nullptr;
    QAction *mCancelAction = nullptr;
    QAction *mFocusQueryAction = nullptr;
    QAction *mRemoveLayerAction = nullptr;
    QAction *mAboutAction = nullptr;
};

} // namespace rsrefseg
