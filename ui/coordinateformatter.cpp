#include "ui/coordinateformatter.h"

#include "geo/gdalhandles.h"

#include <QLocale>

#include <ogr_spatialref.h>

#include <cmath>

namespace rsrefseg {

void CoordinateFormatter::TransformDeleter::operator()(OGRCoordinateTransformation *t) const
{
    OGRCoordinateTransformation::DestroyCT(t);
}

CoordinateFormatter::CoordinateFormatter() = default;

CoordinateFormatter::CoordinateFormatter(const RasterInfo &info)
    : mValid(true)
    , mInfo(info)
{
    if (!info.isGeoreferenced())
        return;
    ensureGdalRegistered();
    GdalQuietErrors quiet;
    OGRSpatialReference src;
    if (src.importFromWkt(info.crsWkt.c_str()) != OGRERR_NONE)
        return;
    src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (src.IsProjected())
        mMetresPerUnit = src.GetLinearUnits();
    else if (src.IsGeographic())
        mMetresPerUnit = 0.0; // degrees: computed per latitude
    OGRSpatialReference wgs84;
    wgs84.SetWellKnownGeogCS("WGS84");
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    mToWgs84.reset(OGRCreateCoordinateTransformation(&src, &wgs84));
}

CoordinateFormatter::~CoordinateFormatter() = default;

QString CoordinateFormatter::crsLabel() const
{
    if (!mValid)
        return QString();
    if (!mInfo.isGeoreferenced())
        return tr("pixel coordinates");
    if (mInfo.epsg)
        return QStringLiteral("EPSG:%1").arg(*mInfo.epsg);
    return QString::fromStdString(mInfo.crsName);
}

QString CoordinateFormatter::mapText(const QPointF &m) const
{
    const QLocale locale;
    // Degrees need more decimals than metres for the same precision on the ground.
    const int decimals = mInfo.isGeographic ? 6 : (mInfo.isGeoreferenced() ? 2 : 1);
    return QStringLiteral("%1, %2").arg(locale.toString(m.x(), 'f', decimals), locale.toString(m.y(), 'f', decimals));
}

bool CoordinateFormatter::lonLat(const QPointF &m, double *lon, double *lat) const
{
    if (!mToWgs84)
        return false;
    double x = m.x();
    double y = m.y();
    if (!mToWgs84->Transform(1, &x, &y) || !std::isfinite(x) || !std::isfinite(y))
        return false;
    *lon = x;
    *lat = y;
    return true;
}

QString CoordinateFormatter::lonLatText(const QPointF &m) const
{
    double lon = 0.0;
    double lat = 0.0;
    if (!lonLat(m, &lon, &lat))
        return QString();
    const QLocale locale;
    return tr("%1°%2, %3°%4")
        .arg(locale.toString(std::fabs(lon), 'f', 5), lon < 0 ? tr("W") : tr("E"),
             locale.toString(std::fabs(lat), 'f', 5), lat < 0 ? tr("S") : tr("N"));
}

QPointF CoordinateFormatter::pixel(const QPointF &m) const
{
    try {
        const auto p = mInfo.geoTransform.mapToPixel(m.x(), m.y());
        return {p.first, p.second};
    } catch (...) {
        return {std::nan(""), std::nan("")};
    }
}

QString CoordinateFormatter::pixelText(const QPointF &m) const
{
    const QPointF p = pixel(m);
    if (!std::isfinite(p.x()))
        return QString();
    return tr("col %1, row %2").arg(static_cast<long long>(std::floor(p.x()))).arg(static_cast<long long>(std::floor(p.y())));
}

double CoordinateFormatter::scaleDenominator(double unitsPerPixel, double dpi, const QPointF &center) const
{
    if (!mValid || !mInfo.isGeoreferenced() || dpi <= 0.0)
        return 0.0;
    double metres = mMetresPerUnit;
    if (mInfo.isGeographic) {
        double lon = 0.0;
        double lat = center.y();
        if (!lonLat(center, &lon, &lat))
            lat = center.y();
        metres = 111319.49 * std::cos(lat * M_PI / 180.0);
    }
    if (!(metres > 0.0))
        return 0.0;
    const double screenPixelMetres = 0.0254 / dpi;
    return unitsPerPixel * metres / screenPixelMetres;
}

QString CoordinateFormatter::scaleText(double denominator)
{
    if (!(denominator > 0.0))
        return QString();
    return QStringLiteral("1:%1").arg(QLocale().toString(static_cast<qlonglong>(std::llround(denominator))));
}

} // namespace rsrefseg
