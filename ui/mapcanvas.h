// MapCanvas: the map: raster layers rendered by background CanvasRenderJobs (progressive,
// cancelled without blocking when the view changes, bursts of changes merged by a timer),
// result layers and the tile grid drawn on top from memory. Pan by dragging (or with the
// middle button in any tool), zoom with the wheel around the cursor or with +/- and the arrow
// keys, Home for the full extent. Tools: pan, inspect a tile (click), draw a query region.
// Rasters dropped on the canvas are announced with filesDropped().
//
//   MapCanvas canvas(&layers);
//   canvas.zoomToFullExtent();
//   connect(&canvas, &MapCanvas::tileClicked, inspector, &TileInspector::showTile);
#pragma once

#include "ui/layertreemodel.h"
#include "ui/mapviewport.h"

#include <QImage>
#include <QPointer>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <optional>

namespace rsrefseg {

class CanvasRenderJob;

class MapCanvas : public QWidget
{
    Q_OBJECT
  public:
    enum class Tool { Pan, InspectTile, DrawRegion };
    Q_ENUM(Tool)

    explicit MapCanvas(LayerTreeModel *layers, QWidget *parent = nullptr);
    ~MapCanvas() override;

    const MapViewport &viewport() const { return mViewport; }
    void setViewport(const MapViewport &viewport);
    QSize sizeHint() const override { return {800, 600}; }

    Tool tool() const { return mTool; }
    void setTool(Tool tool);

    bool showTileGrid() const { return mShowTileGrid; }
    void setShowTileGrid(bool show);
    // The result layer whose tiles the grid shows (0: the topmost visible result layer).
    void setTileGridLayer(int resultLayerId);
    int tileGridLayer() const;
    void setHighlightedTile(int resultLayerId, int tileIndex);

    std::optional<MapBox> drawnRegion() const { return mRegion; }
    void clearDrawnRegion();

    // The full extent of all layers (empty box when none).
    MapBox fullExtent() const;
    void zoomToFullExtent();
    void zoomToLayer(int layerId);
    void zoomToExtent(const MapBox &box);
    void zoomIn();
    void zoomOut();

    void refresh();               // re-render rasters (merged by a short timer)
    bool isRendering() const;
    int rendersFinished() const { return mRendersFinished; }
    QImage rasterImage() const { return mRendered; } // last complete raster render

  signals:
    void viewportChanged();
    void mousePositionChanged(const QPointF &map);
    void mouseLeft();
    void tileClicked(int resultLayerId, int tileIndex);
    void regionDrawn(const rsrefseg::MapBox &region);
    void renderStarted();
    void renderFinished(double seconds);
    void renderErrors(const QStringList &errors);
    void filesDropped(const QStringList &paths);
    void toolChanged(rsrefseg::MapCanvas::Tool tool);

  protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

  private:
    void startRender();
    void onJobUpdated(CanvasRenderJob *job);
    void onJobFinished(CanvasRenderJob *job);
    void viewChanged(bool renderNow);
    void onLayerChanged(int id, LayerTreeModel::Change change);
    void drawImageForViewport(QPainter &p, const QImage &image, const MapViewport &imageViewport);
    void drawResultLayer(QPainter &p, const class ResultLayer &layer);
    void clickAt(const QPointF &pos);
    void updateCursor();

    LayerTreeModel *mLayers;
    MapViewport mViewport;
    Tool mTool = Tool::Pan;
    bool mShowTileGrid = true;
    int mTileGridLayer = 0;
    int mHighlightLayer = 0;
    int mHighlightTile = -1;
    std::optional<MapBox> mRegion;

    QThreadPool mPool;
    QTimer mRefreshTimer;
    QPointer<CanvasRenderJob> mJob; // the current render (older ones are cancelled)
    QImage mRendered;               // last finished render ...
    MapViewport mRenderedViewport;  // ... and the view it was made for
    QImage mPartial;                // the current job's progress
    int mRendersFinished = 0;
    bool mHadLayers = false;

    // Mouse interaction.
    bool mDragging = false;
    Qt::MouseButton mDragButton = Qt::NoButton;
    QPointF mPressPos;
    QPointF mLastPos;
    QRectF mRubberBand;
};

} // namespace rsrefseg
