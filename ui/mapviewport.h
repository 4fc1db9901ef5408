// MapViewport: what part of the map a canvas shows: a centre in map coordinates, a
// resolution (map units per screen pixel) and the widget size; north up, y up on the map and
// down on the screen. A value type: render jobs take a copy as their immutable snapshot.
//
//   MapViewport v;
//   v.setSize(QSize(800, 600));
//   v.zoomToExtent(layer.extent());
//   QPointF p = v.toMap(QPointF(10, 20));
//   v.zoomAround(QPointF(400, 300), 2.0);   // 2x closer, keeping that screen point fixed
#pragma once

#include "engine/segmentationsettings.h"

#include <QPointF>
#include <QRectF>
#include <QSize>

namespace rsrefseg {

class MapViewport
{
  public:
    MapViewport() = default;

    QSize size() const { return mSize; }
    void setSize(const QSize &size) { mSize = size; }
    QPointF center() const { return mCenter; }
    void setCenter(const QPointF &center) { mCenter = center; }
    double resolution() const { return mResolution; } // map units per screen pixel
    void setResolution(double unitsPerPixel);
    bool isValid() const { return mSize.width() > 0 && mSize.height() > 0 && mResolution > 0.0; }

    QPointF toMap(const QPointF &screen) const;
    QPointF toScreen(const QPointF &map) const;
    QRectF toScreen(const MapBox &box) const;
    MapBox extent() const; // the visible map rectangle
    MapBox toMap(const QRectF &screenRect) const;

    // Fits `box` with a small margin; keeps the resolution for empty boxes.
    void zoomToExtent(const MapBox &box, double margin = 0.02);
    // factor > 1 zooms in; the map point under `screen` stays under it.
    void zoomAround(const QPointF &screen, double factor);
    void panByPixels(const QPointF &delta); // content follows the mouse

    bool operator==(const MapViewport &o) const
    {
        return mSize == o.mSize && mCenter == o.mCenter && mResolution == o.mResolution;
    }
    bool operator!=(const MapViewport &o) const { return !(*this == o); }

    static constexpr double kMinResolution = 1e-9;
    static constexpr double kMaxResolution = 1e9;

  private:
    QSize mSize;
    QPointF mCenter;
    double mResolution = 1.0;
};

} // namespace rsrefseg
