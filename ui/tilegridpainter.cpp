#include "ui/tilegridpainter.h"

#include "ui/mapviewport.h"
#include "ui/rasterlayer.h"

#include <QFontMetrics>
#include <QPainter>

#include <algorithm>

namespace rsrefseg {

QColor TileGridPainter::colour(TileRecord::Display state)
{
    switch (state) {
    case TileRecord::Display::Pending: return QColor(158, 158, 158);
    case TileRecord::Display::Segmented: return QColor(67, 160, 71);
    case TileRecord::Display::Cached: return QColor(30, 136, 229);
    case TileRecord::Display::Gated: return QColor(251, 140, 0);
    case TileRecord::Display::NoData: return QColor(120, 120, 120);
    }
    return Qt::gray;
}

QString TileGridPainter::label(TileRecord::Display state)
{
    switch (state) {
    case TileRecord::Display::Pending: return tr("pending");
    case TileRecord::Display::Segmented: return tr("segmented");
    case TileRecord::Display::Cached: return tr("segmented (cached features)");
    case TileRecord::Display::Gated: return tr("gated out");
    case TileRecord::Display::NoData: return tr("no data");
    }
    return QString();
}

QRectF TileGridPainter::coreRect(const MapViewport &vp, const ResultLayer &layer, const TileRecord &t)
{
    // Core cell: the tile's valid window with each shared edge moved to the overlap's middle.
    const PixelWindow &v = t.tile.valid;
    const PixelWindow &win = layer.window();
    const int overlap = layer.request().settings.mode == SegmentationSettings::Mode::Tiled
                            ? layer.request().settings.overlap
                            : 0;
    double x0 = v.x, y0 = v.y, x1 = v.right(), y1 = v.bottom();
    if (overlap > 0) {
        // Tiles are stored in grid order (index = row * columns + column).
        const auto &tiles = layer.tiles();
        const int cols = layer.gridColumns();
        const int i = t.tile.row * cols + t.tile.column;
        auto at = [&](int k) -> const PixelWindow * {
            return k >= 0 && k < static_cast<int>(tiles.size()) ? &tiles[static_cast<size_t>(k)].tile.valid : nullptr;
        };
        if (t.tile.column > 0)
            if (const PixelWindow *w = at(i - 1))
                x0 = std::max(x0, (v.x + w->right()) / 2.0);
        if (t.tile.column < cols - 1)
            if (const PixelWindow *w = at(i + 1))
                x1 = std::min(x1, (w->x + v.right()) / 2.0);
        if (t.tile.row > 0)
            if (const PixelWindow *w = at(i - cols))
                y0 = std::max(y0, (v.y + w->bottom()) / 2.0);
        if (const PixelWindow *w = at(i + cols))
            y1 = std::min(y1, (w->y + v.bottom()) / 2.0);
    }
    x0 = std::max<double>(x0, win.x);
    y0 = std::max<double>(y0, win.y);
    x1 = std::min<double>(x1, win.right());
    y1 = std::min<double>(y1, win.bottom());
    const MapBox box = RasterLayer::windowExtent(layer.rasterInfo(), x0, y0, x1 - x0, y1 - y0);
    return vp.toScreen(box);
}

void TileGridPainter::paint(QPainter &painter, const MapViewport &vp, const ResultLayer &layer, int highlighted)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    const QRectF visible(QPointF(0, 0), QSizeF(vp.size()));
    const auto &tiles = layer.tiles();
    // Thousands of tiles at small zoom: skip the neighbour search when cells are tiny.
    const bool tiny = !tiles.empty() && vp.toScreen(RasterLayer::windowExtent(layer.rasterInfo(), 0, 0,
                                                                             tiles.front().tile.valid.width,
                                                                             tiles.front().tile.valid.height))
                                                .width() < 6.0;
    for (size_t i = 0; i < tiles.size(); ++i) {
        const TileRecord &t = tiles[i];
        QRectF r;
        if (tiny) {
            const PixelWindow &v = t.tile.valid;
            r = vp.toScreen(RasterLayer::windowExtent(layer.rasterInfo(), v.x, v.y, v.width, v.height));
        } else {
            r = coreRect(vp, layer, t);
        }
        if (!r.intersects(visible))
            continue;
        const TileRecord::Display d = t.display();
        QColor fill = colour(d);
        fill.setAlpha(d == TileRecord::Display::Pending ? 25 : 45);
        QColor line = colour(d);
        line.setAlpha(220);
        painter.setBrush(fill);
        QPen pen(line, 1.0, d == TileRecord::Display::Pending ? Qt::DashLine : Qt::SolidLine);
        pen.setCosmetic(true);
        painter.setPen(pen);
        painter.drawRect(r.adjusted(0.5, 0.5, -0.5, -0.5));
    }
    painter.restore();
    if (highlighted >= 0 && highlighted < static_cast<int>(tiles.size()))
        paintHighlight(painter, vp, layer, highlighted);
}

void TileGridPainter::paintHighlight(QPainter &painter, const MapViewport &vp, const ResultLayer &layer, int tile)
{
    const TileRecord &t = layer.tiles()[static_cast<size_t>(tile)];
    const PixelWindow &v = t.tile.valid;
    const QRectF r = vp.toScreen(RasterLayer::windowExtent(layer.rasterInfo(), v.x, v.y, v.width, v.height));
    painter.save();
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(QColor(255, 255, 255, 230), 4.0));
    painter.drawRect(r);
    painter.setPen(QPen(QColor(233, 30, 99), 2.0));
    painter.drawRect(r);
    painter.restore();
}

void TileGridPainter::paintLegend(QPainter &painter, const QRect &widgetRect)
{
    const TileRecord::Display states[] = {TileRecord::Display::Pending, TileRecord::Display::Segmented,
                                          TileRecord::Display::Cached, TileRecord::Display::Gated};
    const QFontMetrics fm(painter.font());
    int textWidth = 0;
    for (auto s : states)
        textWidth = std::max(textWidth, fm.horizontalAdvance(label(s)));
    const int row = fm.height() + 4;
    const int w = textWidth + 36;
    const int h = row * 4 + 8;
    const QRect box(widgetRect.left() + 10, widgetRect.bottom() - h - 10, w, h);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(QColor(0, 0, 0, 60), 1));
    painter.setBrush(QColor(255, 255, 255, 225));
    painter.drawRoundedRect(box, 4, 4);
    for (int i = 0; i < 4; ++i) {
        const QRect sw(box.left() + 8, box.top() + 6 + i * row + (row - 12) / 2, 16, 12);
        QColor fill = colour(states[i]);
        fill.setAlpha(90);
        painter.setBrush(fill);
        painter.setPen(QPen(colour(states[i]), 1.2, states[i] == TileRecord::Display::Pending ? Qt::DashLine
                                                                                             : Qt::SolidLine));
        painter.drawRect(sw);
        painter.setPen(QColor(40, 40, 40));
        painter.drawText(QRect(sw.right() + 8, box.top() + 4 + i * row, textWidth + 4, row),
                         Qt::AlignVCenter | Qt::AlignLeft, label(states[i]));
    }
    painter.restore();
}

} // namespace rsrefseg
