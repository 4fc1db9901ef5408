// ResultLayer: one query's result over a raster, as it fills in: the probability at display
// resolution (ProbabilityDisplay: tile previews first, then the blended rows), a colour,
// the tiles with their reports, activations and thumbnails (the tile inspector reads these),
// and, once finished, the engine's SegmentationResult (polygons, timings, cache counters).
//
//   auto layer = std::make_shared<ResultLayer>(query, rasterLayer->info(), request, window);
//   layer->applyTile(update);  layer->applyRows(rows);   // from the worker's signals
//   layer->finish(result);
//   painter.drawImage(target, layer->colouredImage());
#pragma once

#include "engine/segmentationrequest.h"
#include "engine/segmentationresult.h"
#include "geo/rasterinfo.h"
#include "geo/tilegrid.h"
#include "ui/layer.h"
#include "ui/probabilitydisplay.h"
#include "ui/segmentationjob.h"

#include <QColor>
#include <QCoreApplication>
#include <QDateTime>
#include <QImage>

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace rsrefseg {

struct TileRecord
{
    enum class Display { Pending, Segmented, Cached, Gated, NoData };
    Tile tile;           // grid tile (window/valid in source raster pixels)
    bool reported = false;
    TileReport report;   // with the activation map (SigLIP-grid logits)
    cv::Mat thumbnail;   // probability thumbnail (CV_8UC1, p * 254)
    Display display() const;
};

class ResultLayer : public Layer
{
    Q_DECLARE_TR_FUNCTIONS(rsrefseg::ResultLayer)
  public:
    enum class State { Running, Finished };

    ResultLayer(const QString &query, const RasterInfo &raster, const SegmentationRequest &request,
                const PixelWindow &window, int maxDisplaySide = ProbabilityDisplay::kDefaultMaxSide);

    Kind kind() const override { return Kind::Result; }
    MapBox extent() const override;
    QString summary() const override;

    const QString &query() const { return mQuery; }
    const RasterInfo &rasterInfo() const { return mRaster; }
    const SegmentationRequest &request() const { return mRequest; }
    const PixelWindow &window() const { return mDisplay.window(); }
    const ProbabilityDisplay &display() const { return mDisplay; }
    State state() const { return mState; }
    const QDateTime &created() const { return mCreated; }
    int sourceLayerId() const { return mSourceLayerId; }
    void setSourceLayerId(int id) { mSourceLayerId = id; }
    QString modelName() const { return mModelName; }
    bool modelTrained() const { return mModelTrained; }
    void setModel(const QString &name, bool trained);

    QColor colour() const { return mColour; }
    void setColour(const QColor &colour);
    // Display threshold (the model's mask threshold).
    double threshold() const { return mThreshold; }

    // Worker updates (GUI thread). Return the display rectangle that changed.
    QRect applyTile(const TileUpdate &update);
    QRect applyRows(const RowsUpdate &update);
    void finish(const std::shared_ptr<const SegmentationResult> &result, double seconds);
    const std::shared_ptr<const SegmentationResult> &result() const { return mResult; }
    double seconds() const { return mSeconds; }

    // Probability at display resolution (Grayscale8: p * 254, 255 nodata).
    const QImage &probabilityImage() const { return mProbability; }
    // The mask in the layer colour (ARGB32 premultiplied; transparent elsewhere).
    const QImage &colouredImage() const { return mColoured; }
    // Map extent covered by one display pixel column/row (for drawing).
    double displayPixelWidth() const;

    // Tiles of the job (one for view mode).
    const std::vector<TileRecord> &tiles() const { return mTiles; }
    // The reported tile whose centre is nearest to source pixel (x, y) among those containing
    // it; -1 when none.
    int tileIndexAt(double pixelX, double pixelY) const;
    int reportedTiles() const { return mReported; }
    int gridColumns() const { return mGridColumns; }
    int64_t objectPixels() const;
    // Object area in square metres (projected or geographic CRS), or in square map units.
    double objectArea(bool *squareMetres) const;
    int64_t polygonCount() const;

  private:
    void recolour(const QRect &rect);

    QString mQuery;
    RasterInfo mRaster;
    SegmentationRequest mRequest;
    ProbabilityDisplay mDisplay;
    State mState = State::Running;
    QDateTime mCreated;
    int mSourceLayerId = 0;
    QString mModelName;
    bool mModelTrained = true;
    QColor mColour;
    double mThreshold = 0.5;
    unsigned char mThresholdByte = 127;
    QImage mProbability;
    QImage mColoured;
    int mFinalRows = 0; // display rows already final (blended rows arrive in order)
    std::vector<TileRecord> mTiles;
    std::map<int, size_t> mTileIndex; // tile id -> index
    int mReported = 0;
    int mGridColumns = 1;
    std::shared_ptr<const SegmentationResult> mResult;
    double mSeconds = 0.0;
};

} // namespace rsrefseg
