#include "ui/mapviewport.h"

#include <algorithm>
#include <cmath>

namespace rsrefseg {

void MapViewport::setResolution(double unitsPerPixel)
{
    if (std::isfinite(unitsPerPixel))
        mResolution = std::clamp(unitsPerPixel, kMinResolution, kMaxResolution);
}

QPointF MapViewport::toMap(const QPointF &s) const
{
    return {mCenter.x() + (s.x() - mSize.width() / 2.0) * mResolution,
            mCenter.y() - (s.y() - mSize.height() / 2.0) * mResolution};
}

QPointF MapViewport::toScreen(const QPointF &m) const
{
    return {(m.x() - mCenter.x()) / mResolution + mSize.width() / 2.0,
            (mCenter.y() - m.y()) / mResolution + mSize.height() / 2.0};
}

QRectF MapViewport::toScreen(const MapBox &b) const
{
    const QPointF tl = toScreen(QPointF(b.minX, b.maxY));
    const QPointF br = toScreen(QPointF(b.maxX, b.minY));
    return QRectF(tl, br).normalized();
}

MapBox MapViewport::extent() const
{
    return toMap(QRectF(0, 0, mSize.width(), mSize.height()));
}

MapBox MapViewport::toMap(const QRectF &r) const
{
    const QPointF a = toMap(r.topLeft());
    const QPointF b = toMap(r.bottomRight());
    return {std::min(a.x(), b.x()), std::min(a.y(), b.y()), std::max(a.x(), b.x()), std::max(a.y(), b.y())};
}

void MapViewport::zoomToExtent(const MapBox &box, double margin)
{
    const double w = box.maxX - box.minX;
    const double h = box.maxY - box.minY;
    mCenter = QPointF((box.minX + box.maxX) / 2.0, (box.minY + box.maxY) / 2.0);
    if (!(w > 0.0) || !(h > 0.0) || mSize.isEmpty())
        return;
    const double rx = w / std::max(1, mSize.width());
    const double ry = h / std::max(1, mSize.height());
    setResolution(std::max(rx, ry) * (1.0 + 2.0 * margin));
}

void MapViewport::zoomAround(const QPointF &screen, double factor)
{
    if (!(factor > 0.0))
        return;
    const QPointF anchor = toMap(screen);
    setResolution(mResolution / factor);
    // Move the centre so that `anchor` is under `screen` again.
    const QPointF now = toMap(screen);
    mCenter += anchor - now;
}

void MapViewport::panByPixels(const QPointF &d)
{
    mCenter += QPointF(-d.x() * mResolution, d.y() * mResolution);
}

} // namespace rsrefseg
