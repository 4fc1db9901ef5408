// CoordinateFormatter: the status bar's view of a map position for one raster: map
// coordinates in the raster's CRS, longitude/latitude (WGS 84) when the raster is
// georeferenced, raster pixel coordinates, and the map scale for a screen resolution.
// Built once per raster (the coordinate transformation is reused for every mouse move).
//
//   CoordinateFormatter f(layer->info());
//   status->setText(f.mapText(p) + "  " + f.lonLatText(p));
//   double denominator = f.scaleDenominator(viewport.resolution(), logicalDpiX(), p);
#pragma once

#include "geo/rasterinfo.h"

#include <QCoreApplication>
#include <QPointF>
#include <QString>

#include <memory>

class OGRCoordinateTransformation;

namespace rsrefseg {

class CoordinateFormatter
{
    Q_DECLARE_TR_FUNCTIONS(rsrefseg::CoordinateFormatter)
  public:
    CoordinateFormatter();
    explicit CoordinateFormatter(const RasterInfo &info);
    ~CoordinateFormatter();
    CoordinateFormatter(const CoordinateFormatter &) = delete;
    CoordinateFormatter &operator=(const CoordinateFormatter &) = delete;

    bool isValid() const { return mValid; }
    bool hasLonLat() const { return static_cast<bool>(mToWgs84); }
    QString crsLabel() const; // "EPSG:32633" / CRS name / "pixel coordinates"

    QString mapText(const QPointF &map) const;
    // Empty without a CRS or when the point cannot be transformed.
    QString lonLatText(const QPointF &map) const;
    bool lonLat(const QPointF &map, double *lon, double *lat) const;
    QPointF pixel(const QPointF &map) const;
    QString pixelText(const QPointF &map) const;
    // 1 : N for a screen at `dpi`; 0 when unknown (no georeference).
    double scaleDenominator(double unitsPerPixel, double dpi, const QPointF &center) const;
    static QString scaleText(double denominator);

  private:
    bool mValid = false;
    RasterInfo mInfo;
    double mMetresPerUnit = 0.0;
    struct TransformDeleter
    {
        void operator()(OGRCoordinateTransformation *t) const;
    };
    std::unique_ptr<OGRCoordinateTransformation, TransformDeleter> mToWgs84;
};

} // namespace rsrefseg
