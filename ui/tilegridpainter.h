// TileGridPainter: draws a result layer's tile grid over the map, each tile coloured by its
// state (pending, segmented, segmented from the embedding cache, gated out, no data), plus
// a small legend. Overlapping tiles are drawn as their core cells (split at the middle of each
// overlap) so that the grid reads like a plain grid.
//
//   TileGridPainter::paint(painter, viewport, *resultLayer, highlightedTile);
//   TileGridPainter::paintLegend(painter, widgetRect);
#pragma once

#include "ui/resultlayer.h"

#include <QColor>
#include <QRectF>

class QPainter;

namespace rsrefseg {

class MapViewport;

class TileGridPainter
{
    Q_DECLARE_TR_FUNCTIONS(rsrefseg::TileGridPainter)
  public:
    static QColor colour(TileRecord::Display state);
    static QString label(TileRecord::Display state);
    // The screen rectangle of a tile's core cell.
    static QRectF coreRect(const MapViewport &viewport, const ResultLayer &layer, const TileRecord &tile);
    static void paint(QPainter &painter, const MapViewport &viewport, const ResultLayer &layer, int highlighted);
    static void paintLegend(QPainter &painter, const QRect &widgetRect);
    static void paintHighlight(QPainter &painter, const MapViewport &viewport, const ResultLayer &layer, int tile);
};

} // namespace rsrefseg
