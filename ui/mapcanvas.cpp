#include "ui/mapcanvas.h"

#include "ui/canvasrenderjob.h"
#include "ui/rasterlayer.h"
#include "ui/resultlayer.h"
#include "ui/tilegridpainter.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QKeyEvent>
#include <QMimeData>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace rsrefseg {

MapCanvas::MapCanvas(LayerTreeModel *layers, QWidget *parent)
    : QWidget(parent)
    , mLayers(layers)
{
    setAcceptDrops(true);
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(200, 150);
    // Two threads: a cancelled job may still be finishing its block when the next one starts.
    mPool.setMaxThreadCount(2);
    mRefreshTimer.setSingleShot(true);
    mRefreshTimer.setInterval(60);
    connect(&mRefreshTimer, &QTimer::timeout, this, &MapCanvas::startRender);

    connect(mLayers, &LayerTreeModel::layerAdded, this, [this](int id) {
        const auto l = mLayers->layer(id);
        if (!l)
            return;
        if (!mHadLayers) {
            mHadLayers = true;
            zoomToExtent(l->extent());
        }
        if (l->kind() == Layer::Kind::Raster)
            refresh();
        else
            update();
    });
    connect(mLayers, &LayerTreeModel::layerRemoved, this, [this](int id) {
        if (mTileGridLayer == id)
            mTileGridLayer = 0;
        if (mHighlightLayer == id) {
            mHighlightLayer = 0;
            mHighlightTile = -1;
        }
        if (mLayers->count() == 0)
            mHadLayers = false;
        refresh();
        update();
    });
    connect(mLayers, &LayerTreeModel::layerChanged, this, &MapCanvas::onLayerChanged);
    connect(mLayers, &LayerTreeModel::orderChanged, this, &MapCanvas::refresh);
    updateCursor();
}

MapCanvas::~MapCanvas()
{
    // Jobs are children of the canvas: stop them and wait for their current block.
    for (CanvasRenderJob *job : findChildren<CanvasRenderJob *>())
        job->cancel();
    mPool.waitForDone();
}

void MapCanvas::onLayerChanged(int id, LayerTreeModel::Change change)
{
    const auto l = mLayers->layer(id);
    if (!l || change == LayerTreeModel::Change::Name)
        return;
    if (l->kind() == Layer::Kind::Raster)
        refresh();
    else
        update();
}

void MapCanvas::setViewport(const MapViewport &viewport)
{
    mViewport = viewport;
    mViewport.setSize(size());
    viewChanged(true);
}

void MapCanvas::setTool(Tool tool)
{
    if (mTool == tool)
        return;
    mTool = tool;
    mRubberBand = QRectF();
    updateCursor();
    emit toolChanged(tool);
}

void MapCanvas::updateCursor()
{
    switch (mTool) {
    case Tool::Pan: setCursor(mDragging ? Qt::ClosedHandCursor : Qt::OpenHandCursor); break;
    case Tool::InspectTile: setCursor(Qt::PointingHandCursor); break;
    case Tool::DrawRegion: setCursor(Qt::CrossCursor); break;
    }
}

void MapCanvas::setShowTileGrid(bool show)
{
    mShowTileGrid = show;
    update();
}

void MapCanvas::setTileGridLayer(int id)
{
    mTileGridLayer = id;
    update();
}

int MapCanvas::tileGridLayer() const
{
    if (mTileGridLayer && mLayers->resultLayer(mTileGridLayer))
        return mTileGridLayer;
    for (const auto &r : mLayers->resultLayers())
        if (r->isVisible())
            return r->id();
    return 0;
}

void MapCanvas::setHighlightedTile(int layerId, int tileIndex)
{
    mHighlightLayer = layerId;
    mHighlightTile = tileIndex;
    update();
}

void MapCanvas::clearDrawnRegion()
{
    mRegion.reset();
    update();
}

MapBox MapCanvas::fullExtent() const
{
    MapBox b{1e300, 1e300, -1e300, -1e300};
    bool any = false;
    for (const auto &l : mLayers->layers()) {
        const MapBox e = l->extent();
        b.minX = std::min(b.minX, e.minX);
        b.minY = std::min(b.minY, e.minY);
        b.maxX = std::max(b.maxX, e.maxX);
        b.maxY = std::max(b.maxY, e.maxY);
        any = true;
    }
    return any ? b : MapBox();
}

void MapCanvas::zoomToFullExtent()
{
    zoomToExtent(fullExtent());
}

void MapCanvas::zoomToLayer(int layerId)
{
    if (const auto l = mLayers->layer(layerId))
        zoomToExtent(l->extent());
}

void MapCanvas::zoomToExtent(const MapBox &box)
{
    mViewport.setSize(size());
    mViewport.zoomToExtent(box);
    viewChanged(true);
}

void MapCanvas::zoomIn()
{
    mViewport.zoomAround(QPointF(width() / 2.0, height() / 2.0), 2.0);
    viewChanged(true);
}

void MapCanvas::zoomOut()
{
    mViewport.zoomAround(QPointF(width() / 2.0, height() / 2.0), 0.5);
    viewChanged(true);
}

void MapCanvas::refresh()
{
    mRefreshTimer.start();
}

bool MapCanvas::isRendering() const
{
    return mRefreshTimer.isActive() || (mJob && !mJob->isFinished());
}

void MapCanvas::viewChanged(bool)
{
    update();
    emit viewportChanged();
    refresh();
}

void MapCanvas::startRender()
{
    if (mJob)
        mJob->cancel(); // returns at once; its finished() only deletes it
    mPartial = QImage();
    mViewport.setSize(size());
    std::vector<RasterRenderItem> items;
    for (const auto &l : mLayers->layersBottomUp()) {
        if (l->kind() != Layer::Kind::Raster || !l->isVisible())
            continue;
        const auto &r = static_cast<const RasterLayer &>(*l);
        items.push_back({r.id(), r.renderPath(), r.info(), r.bands(), r.stretch(), r.opacity()});
    }
    if (items.empty() || !mViewport.isValid()) {
        mJob = nullptr;
        mRendered = QImage();
        update();
        return;
    }
    auto *job = new CanvasRenderJob(mViewport, std::move(items), this);
    connect(job, &CanvasRenderJob::updated, this, [this, job] { onJobUpdated(job); });
    connect(job, &CanvasRenderJob::finished, this, [this, job] { onJobFinished(job); });
    mJob = job;
    emit renderStarted();
    job->start(&mPool);
}

void MapCanvas::onJobUpdated(CanvasRenderJob *job)
{
    if (job != mJob)
        return;
    mPartial = job->image();
    update();
}

void MapCanvas::onJobFinished(CanvasRenderJob *job)
{
    if (job == mJob && !job->isCancelled()) {
        mRendered = job->image();
        mRenderedViewport = job->viewport();
        mPartial = QImage();
        mJob = nullptr;
        ++mRendersFinished;
        update();
        if (!job->errors().isEmpty())
            emit renderErrors(job->errors());
        emit renderFinished(job->seconds());
    }
    job->deleteLater();
}

void MapCanvas::drawImageForViewport(QPainter &p, const QImage &image, const MapViewport &imageViewport)
{
    if (image.isNull() || !imageViewport.isValid())
        return;
    const QRectF target = mViewport.toScreen(imageViewport.extent());
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    p.drawImage(target, image);
}

void MapCanvas::drawResultLayer(QPainter &p, const ResultLayer &layer)
{
    const QImage &img = layer.colouredImage();
    const QRectF target = mViewport.toScreen(layer.extent());
    const QRectF visible = target.intersected(QRectF(rect()));
    if (visible.isEmpty() || img.isNull())
        return;
    // Draw only the visible part: at high zoom the target is far larger than the widget.
    const double sx = img.width() / target.width();
    const double sy = img.height() / target.height();
    const QRectF source((visible.left() - target.left()) * sx, (visible.top() - target.top()) * sy,
                        visible.width() * sx, visible.height() * sy);
    p.save();
    p.setOpacity(layer.opacity());
    p.setRenderHint(QPainter::SmoothPixmapTransform, target.width() < img.width());
    p.drawImage(visible, img, source);
    p.restore();
}

void MapCanvas::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(255, 255, 255));
    mViewport.setSize(size());
    drawImageForViewport(p, mRendered, mRenderedViewport);
    if (mJob && !mPartial.isNull())
        drawImageForViewport(p, mPartial, mJob->viewport());

    for (const auto &l : mLayers->layersBottomUp())
        if (l->kind() == Layer::Kind::Result && l->isVisible())
            drawResultLayer(p, static_cast<const ResultLayer &>(*l));

    if (mShowTileGrid) {
        if (const auto grid = mLayers->resultLayer(tileGridLayer())) {
            TileGridPainter::paint(p, mViewport, *grid, grid->id() == mHighlightLayer ? mHighlightTile : -1);
            TileGridPainter::paintLegend(p, rect());
        }
    }
    if (mHighlightTile >= 0 && (!mShowTileGrid || mHighlightLayer != tileGridLayer()))
        if (const auto hl = mLayers->resultLayer(mHighlightLayer))
            if (mHighlightTile < static_cast<int>(hl->tiles().size()))
                TileGridPainter::paintHighlight(p, mViewport, *hl, mHighlightTile);

    auto drawRegion = [&](const QRectF &r) {
        p.save();
        p.setRenderHint(QPainter::Antialiasing, false);
        p.setBrush(QColor(2, 119, 189, 40));
        QPen pen(QColor(2, 119, 189), 2.0, Qt::DashLine);
        p.setPen(pen);
        p.drawRect(r);
        p.restore();
    };
    if (mRegion)
        drawRegion(mViewport.toScreen(*mRegion));
    if (!mRubberBand.isNull())
        drawRegion(mRubberBand.normalized());

    if (mLayers->count() == 0) {
        p.setPen(QColor(120, 120, 120));
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 1.2);
        p.setFont(f);
        p.drawText(rect(), Qt::AlignCenter,
                   tr("Open a raster with File > Open Raster (Ctrl+O)\nor drop one here."));
    }
}

void MapCanvas::resizeEvent(QResizeEvent *)
{
    const bool first = !mViewport.isValid();
    mViewport.setSize(size());
    if (first && mLayers->count() > 0) {
        zoomToFullExtent();
        return;
    }
    refresh();
}

void MapCanvas::mousePressEvent(QMouseEvent *e)
{
    mPressPos = e->position();
    mLastPos = e->position();
    if (e->button() == Qt::MiddleButton || (e->button() == Qt::LeftButton && mTool == Tool::Pan)) {
        mDragging = true;
        mDragButton = e->button();
        updateCursor();
    } else if (e->button() == Qt::LeftButton && mTool == Tool::DrawRegion) {
        mRubberBand = QRectF(e->position(), QSizeF(0, 0));
    }
}

void MapCanvas::mouseMoveEvent(QMouseEvent *e)
{
    emit mousePositionChanged(mViewport.toMap(e->position()));
    if (mDragging) {
        mViewport.panByPixels(e->position() - mLastPos);
        mLastPos = e->position();
        update(); // the last render follows the mouse; a new one starts on release
        emit viewportChanged();
    } else if (!mRubberBand.isNull() || (mTool == Tool::DrawRegion && (e->buttons() & Qt::LeftButton))) {
        mRubberBand = QRectF(mPressPos, e->position());
        update();
    }
}

void MapCanvas::mouseReleaseEvent(QMouseEvent *e)
{
    const bool click = (e->position() - mPressPos).manhattanLength() < 4;
    if (mDragging && e->button() == mDragButton) {
        mDragging = false;
        updateCursor();
        if (!click)
            viewChanged(true);
        return;
    }
    if (e->button() != Qt::LeftButton)
        return;
    if (mTool == Tool::DrawRegion) {
        const QRectF r = QRectF(mPressPos, e->position()).normalized();
        mRubberBand = QRectF();
        if (r.width() >= 4 && r.height() >= 4) {
            mRegion = mViewport.toMap(r);
            emit regionDrawn(*mRegion);
        }
        update();
    } else if (mTool == Tool::InspectTile && click) {
        clickAt(e->position());
    }
}

void MapCanvas::clickAt(const QPointF &pos)
{
    const QPointF m = mViewport.toMap(pos);
    // Prefer the layer whose grid is shown, then the topmost visible result layer.
    std::vector<std::shared_ptr<ResultLayer>> candidates;
    if (const auto g = mLayers->resultLayer(tileGridLayer()))
        candidates.push_back(g);
    for (const auto &r : mLayers->resultLayers())
        if (r->isVisible())
            candidates.push_back(r);
    for (const auto &r : candidates) {
        try {
            const auto px = r->rasterInfo().geoTransform.mapToPixel(m.x(), m.y());
            const int index = r->tileIndexAt(px.first, px.second);
            if (index >= 0) {
                setHighlightedTile(r->id(), index);
                emit tileClicked(r->id(), index);
                return;
            }
        } catch (...) {
            continue;
        }
    }
}

void MapCanvas::wheelEvent(QWheelEvent *e)
{
    const double steps = e->angleDelta().y() / 120.0;
    if (steps == 0.0)
        return;
    mViewport.setSize(size());
    mViewport.zoomAround(e->position(), std::pow(1.25, steps));
    viewChanged(false);
    e->accept();
}

void MapCanvas::keyPressEvent(QKeyEvent *e)
{
    const QPointF c(width() / 2.0, height() / 2.0);
    switch (e->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        mViewport.zoomAround(c, 1.5);
        break;
    case Qt::Key_Minus:
        mViewport.zoomAround(c, 1.0 / 1.5);
        break;
    case Qt::Key_Left:
        mViewport.panByPixels(QPointF(width() / 4.0, 0));
        break;
    case Qt::Key_Right:
        mViewport.panByPixels(QPointF(-width() / 4.0, 0));
        break;
    case Qt::Key_Up:
        mViewport.panByPixels(QPointF(0, height() / 4.0));
        break;
    case Qt::Key_Down:
        mViewport.panByPixels(QPointF(0, -height() / 4.0));
        break;
    case Qt::Key_Home:
        zoomToFullExtent();
        return;
    case Qt::Key_Escape:
        mRubberBand = QRectF();
        update();
        return;
    default:
        QWidget::keyPressEvent(e);
        return;
    }
    viewChanged(true);
}

void MapCanvas::leaveEvent(QEvent *)
{
    emit mouseLeft();
}

void MapCanvas::dragEnterEvent(QDragEnterEvent *e)
{
    for (const QUrl &u : e->mimeData()->urls())
        if (u.isLocalFile()) {
            e->acceptProposedAction();
            return;
        }
}

void MapCanvas::dropEvent(QDropEvent *e)
{
    QStringList paths;
    for (const QUrl &u : e->mimeData()->urls())
        if (u.isLocalFile())
            paths << u.toLocalFile();
    if (!paths.isEmpty()) {
        e->acceptProposedAction();
        emit filesDropped(paths);
    }
}

} // namespace rsrefseg
