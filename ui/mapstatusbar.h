// MapStatusBar: the status bar's permanent part: the mouse position in the map CRS and as
// longitude/latitude, the raster pixel under it, the map scale, a rendering indicator and the
// model (with a red UNTRAINED badge when the bundle is not a trained model).
//
//   status->addPermanentWidget(mapStatus = new MapStatusBar);
//   mapStatus->setRaster(layer->info());
//   connect(canvas, &MapCanvas::mousePositionChanged, mapStatus, &MapStatusBar::setPosition);
#pragma once

#include "geo/rasterinfo.h"
#include "ui/coordinateformatter.h"

#include <QWidget>

#include <memory>

class QLabel;

namespace rsrefseg {

class MapStatusBar : public QWidget
{
    Q_OBJECT
  public:
    explicit MapStatusBar(QWidget *parent = nullptr);
    ~MapStatusBar() override;

    void setRaster(const RasterInfo *info); // nullptr: no raster
    void setPosition(const QPointF &map);
    void clearPosition();
    void setScale(double unitsPerPixel, const QPointF &center);
    void setRendering(bool rendering);
    void setModel(const QString &name, bool trained, const QString &state);

    QString coordinateText() const;
    QString lonLatText() const;
    QString pixelText() const;
    QString scaleText() const;
    QString modelText() const;

  private:
    std::unique_ptr<CoordinateFormatter> mFormatter;
    QLabel *mCoordinates = nullptr;
    QLabel *mLonLat = nullptr;
    QLabel *mPixel = nullptr;
    QLabel *mScale = nullptr;
    QLabel *mRendering = nullptr;
    QLabel *mModel = nullptr;
};

} // namespace rsrefseg
