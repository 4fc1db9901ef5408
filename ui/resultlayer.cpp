#include "ui/resultlayer.h"

#include "ui/rasterlayer.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace rsrefseg {

TileRecord::Display TileRecord::display() const
{
    if (!reported)
        return Display::Pending;
    switch (report.state) {
    case TileReport::State::Gated: return Display::Gated;
    case TileReport::State::NoData: return Display::NoData;
    case TileReport::State::Segmented:
    case TileReport::State::View:
        break;
    }
    return report.cache == TileReport::Cache::Memory || report.cache == TileReport::Cache::Disk ? Display::Cached
                                                                                                : Display::Segmented;
}

ResultLayer::ResultLayer(const QString &query, const RasterInfo &raster, const SegmentationRequest &request,
                         const PixelWindow &window, int maxDisplaySide)
    : mQuery(query)
    , mRaster(raster)
    , mRequest(request)
    , mDisplay(window, maxDisplaySide)
    , mCreated(QDateTime::currentDateTime())
    , mColour(255, 140, 0)
{
    setName(query);
    setOpacity(0.6);
    mThreshold = request.settings.threshold.value_or(0.5);
    mThresholdByte = ProbabilityDisplay::encode(static_cast<float>(mThreshold));
    mProbability = QImage(mDisplay.width(), mDisplay.height(), QImage::Format_Grayscale8);
    mProbability.fill(0);
    mColoured = QImage(mDisplay.width(), mDisplay.height(), QImage::Format_ARGB32_Premultiplied);
    mColoured.fill(Qt::transparent);

    // The tiles the job will report, so that pending ones can be shown.
    if (request.settings.mode == SegmentationSettings::Mode::Tiled) {
        const TileGrid grid(window.width, window.height, request.settings.tileSize, request.settings.overlap);
        mTiles.reserve(static_cast<size_t>(grid.count()));
        mGridColumns = grid.columns();
        for (Tile t : grid.tiles()) {
            t.window.x += window.x;
            t.window.y += window.y;
            t.valid.x += window.x;
            t.valid.y += window.y;
            mTileIndex[t.id] = mTiles.size();
            mTiles.push_back({t, false, {}, {}});
        }
    } else {
        Tile t;
        t.window = window;
        t.valid = window;
        mTileIndex[0] = 0;
        mTiles.push_back({t, false, {}, {}});
    }
}

MapBox ResultLayer::extent() const
{
    const PixelWindow &w = mDisplay.window();
    return RasterLayer::windowExtent(mRaster, w.x, w.y, w.width, w.height);
}

double ResultLayer::displayPixelWidth() const
{
    return mRaster.geoTransform.pixelWidth() * mDisplay.factor();
}

void ResultLayer::setModel(const QString &name, bool trained)
{
    mModelName = name;
    mModelTrained = trained;
}

void ResultLayer::setColour(const QColor &colour)
{
    mColour = colour;
    recolour(mColoured.rect());
}

void ResultLayer::recolour(const QRect &rect)
{
    const QRect r = rect.intersected(mColoured.rect());
    if (r.isEmpty())
        return;
    const QRgb fill = qPremultiply(qRgba(mColour.red(), mColour.green(), mColour.blue(), 255));
    // A darker rim on the mask's edge makes neighbouring objects and thin shapes readable.
    const QColor rimColour = mColour.darker(170);
    const QRgb rim = qPremultiply(qRgba(rimColour.red(), rimColour.green(), rimColour.blue(), 255));
    const int w = mProbability.width();
    const int h = mProbability.height();
    auto object = [&](int x, int y) {
        if (x < 0 || y < 0 || x >= w || y >= h)
            return false;
        const uchar v = mProbability.constScanLine(y)[x];
        return v != ProbabilityDisplay::kNoData && v > mThresholdByte;
    };
    for (int y = r.top(); y <= r.bottom(); ++y) {
        QRgb *out = reinterpret_cast<QRgb *>(mColoured.scanLine(y));
        for (int x = r.left(); x <= r.right(); ++x) {
            if (!object(x, y)) {
                out[x] = 0;
                continue;
            }
            const bool edge = !object(x - 1, y) || !object(x + 1, y) || !object(x, y - 1) || !object(x, y + 1);
            out[x] = edge ? rim : fill;
        }
    }
}

QRect ResultLayer::applyTile(const TileUpdate &u)
{
    const auto it = mTileIndex.find(mRequest.settings.mode == SegmentationSettings::Mode::Tiled ? u.report.tileId : 0);
    if (it != mTileIndex.end()) {
        TileRecord &rec = mTiles[it->second];
        if (!rec.reported)
            ++mReported;
        rec.reported = true;
        rec.report = u.report;
        rec.thumbnail = u.thumbnail;
    }
    // Preview: the tile's own probability, below the rows that are already final.
    QRect changed;
    if (!u.display.empty() && u.displayRect.isValid()) {
        const QRect r = u.displayRect;
        for (int y = std::max(r.top(), mFinalRows); y <= r.bottom(); ++y) {
            const uchar *src = u.display.ptr<uchar>(y - r.top());
            uchar *dst = mProbability.scanLine(y);
            std::copy(src, src + r.width(), dst + r.left());
        }
        if (r.bottom() >= mFinalRows) {
            changed = QRect(QPoint(r.left(), std::max(r.top(), mFinalRows)), r.bottomRight()).adjusted(-1, -1, 1, 1);
            recolour(changed);
        }
    }
    return changed;
}

QRect ResultLayer::applyRows(const RowsUpdate &u)
{
    if (u.rows.empty())
        return {};
    const int n = std::min(u.rows.rows, mProbability.height() - u.displayY);
    const int w = std::min(u.rows.cols, mProbability.width());
    for (int y = 0; y < n; ++y)
        std::copy(u.rows.ptr<uchar>(y), u.rows.ptr<uchar>(y) + w, mProbability.scanLine(u.displayY + y));
    mFinalRows = std::max(mFinalRows, u.displayY + n);
    const QRect changed(0, u.displayY - 1, mProbability.width(), n + 2);
    recolour(changed);
    return changed;
}

void ResultLayer::finish(const std::shared_ptr<const SegmentationResult> &result, double seconds)
{
    mResult = result;
    mSeconds = seconds;
    mState = State::Finished;
    if (!result)
        return;
    mThreshold = result->threshold;
    // The map shows the mask the engine wrote: its threshold is the model's when the request
    // named none, which may differ from the 0.5 assumed while the job ran.
    const unsigned char byte = ProbabilityDisplay::encode(static_cast<float>(mThreshold));
    if (byte != mThresholdByte) {
        mThresholdByte = byte;
        recolour(mColoured.rect());
    }
}

int ResultLayer::tileIndexAt(double px, double py) const
{
    int best = -1;
    double bestD = 1e300;
    for (size_t i = 0; i < mTiles.size(); ++i) {
        const TileRecord &t = mTiles[i];
        if (!t.reported)
            continue;
        const PixelWindow &w = t.tile.valid;
        if (px < w.x || py < w.y || px >= w.right() || py >= w.bottom())
            continue;
        const double dx = px - (w.x + w.width / 2.0);
        const double dy = py - (w.y + w.height / 2.0);
        const double d = dx * dx + dy * dy;
        if (d < bestD) {
            bestD = d;
            best = static_cast<int>(i);
        }
    }
    return best;
}

int64_t ResultLayer::objectPixels() const
{
    if (mResult && !mResult->queries.empty())
        return mResult->queries.front().objectPixels;
    return 0;
}

int64_t ResultLayer::polygonCount() const
{
    if (mResult && !mResult->queries.empty())
        return mResult->queries.front().polygonCount;
    return 0;
}

double ResultLayer::objectArea(bool *squareMetres) const
{
    if (squareMetres)
        *squareMetres = false;
    if (!mResult || mResult->queries.empty())
        return 0.0;
    const QueryResult &q = mResult->queries.front();
    double m2 = 0.0;
    bool allM2 = !q.polygons.empty() && static_cast<int64_t>(q.polygons.size()) == q.polygonCount;
    for (const PolygonReport &p : q.polygons) {
        if (p.areaM2 < 0.0)
            allM2 = false;
        m2 += p.areaM2;
    }
    if (allM2) {
        if (squareMetres)
            *squareMetres = true;
        return m2;
    }
    // Without polygon areas in m2: pixels times the pixel area in map units.
    return static_cast<double>(q.objectPixels) * mRaster.geoTransform.pixelWidth() *
           mRaster.geoTransform.pixelHeight();
}

QString ResultLayer::summary() const
{
    QLocale locale;
    QString s = tr("Query: %1").arg(mQuery);
    s += QLatin1Char('\n') + tr("Mode: %1").arg(mRequest.settings.mode == SegmentationSettings::Mode::View
                                                     ? tr("view (one model input)")
                                                     : tr("tiled (%1 px tiles, %2 px overlap)")
                                                           .arg(mRequest.settings.tileSize)
                                                           .arg(mRequest.settings.overlap));
    s += QLatin1Char('\n') + tr("Created: %1").arg(locale.toString(mCreated, QLocale::ShortFormat));
    s += QLatin1Char('\n') + tr("Size: %1 x %2 pixels").arg(window().width).arg(window().height);
    if (!mModelName.isEmpty())
        s += QLatin1Char('\n') + tr("Model: %1%2").arg(mModelName, mModelTrained ? QString() : tr(" (UNTRAINED)"));
    if (mState == State::Running) {
        s += QLatin1Char('\n') + tr("Running: %1 of %2 tiles").arg(mReported).arg(mTiles.size());
        return s;
    }
    s += QLatin1Char('\n') + tr("Time: %1 s").arg(locale.toString(mSeconds, 'f', 2));
    if (mResult) {
        bool m2 = false;
        const double area = objectArea(&m2);
        s += QLatin1Char('\n') + tr("Polygons: %1").arg(locale.toString(static_cast<qlonglong>(polygonCount())));
        s += QLatin1Char('\n') + (m2 ? tr("Area: %1 m²").arg(locale.toString(area, 'f', 1))
                                     : tr("Area: %1 square map units").arg(locale.toString(area, 'g', 6)));
        s += QLatin1Char('\n') + tr("Object pixels: %1").arg(locale.toString(static_cast<qlonglong>(objectPixels())));
        s += QLatin1Char('\n') + tr("Tiles: %1 (%2 encoded, %3 from the cache)")
                                     .arg(mResult->tileCount)
                                     .arg(mResult->tilesEncoded)
                                     .arg(static_cast<qulonglong>(mResult->cache.memoryHits + mResult->cache.diskHits));
        if (!mResult->queries.empty() && !mResult->queries.front().warning.empty())
            s += QLatin1Char('\n') + tr("Warning: %1").arg(QString::fromStdString(mResult->queries.front().warning));
    }
    return s;
}

} // namespace rsrefseg
