#include "ui/rasterlayer.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <algorithm>

namespace rsrefseg {

RasterLayer::RasterLayer(const RasterInfo &info, const BandSelection &bands, const ContrastStretch &stretch)
    : mInfo(info)
    , mBands(bands)
    , mStretch(stretch)
{
    setName(QFileInfo(QString::fromStdString(info.path)).completeBaseName());
}

MapBox RasterLayer::windowExtent(const RasterInfo &info, double x, double y, double width, double height)
{
    MapBox b{1e300, 1e300, -1e300, -1e300};
    for (const auto &c : {std::make_pair(x, y), std::make_pair(x + width, y), std::make_pair(x, y + height),
                          std::make_pair(x + width, y + height)}) {
        const auto m = info.geoTransform.pixelToMap(c.first, c.second);
        b.minX = std::min(b.minX, m.first);
        b.maxX = std::max(b.maxX, m.first);
        b.minY = std::min(b.minY, m.second);
        b.maxY = std::max(b.maxY, m.second);
    }
    return b;
}

MapBox RasterLayer::extent() const
{
    return windowExtent(mInfo, 0, 0, mInfo.width, mInfo.height);
}

QString RasterLayer::summary() const
{
    const QString crs = mInfo.isGeoreferenced()
                            ? QString::fromStdString(mInfo.crsName) +
                                  (mInfo.epsg ? QStringLiteral(" (EPSG:%1)").arg(*mInfo.epsg) : QString())
                            : QCoreApplication::translate("rsrefseg::RasterLayer", "none (pixel coordinates)");
    return QCoreApplication::translate("rsrefseg::RasterLayer",
                                       "File: %1\nSize: %2 x %3 pixels, %4 band(s)\nCRS: %5\n"
                                       "Pixel size: %6 x %7 %8\nBands shown: %9")
        .arg(path())
        .arg(mInfo.width)
        .arg(mInfo.height)
        .arg(mInfo.bands.size())
        .arg(crs)
        .arg(mInfo.geoTransform.pixelWidth(), 0, 'g', 6)
        .arg(mInfo.geoTransform.pixelHeight(), 0, 'g', 6)
        .arg(QString::fromStdString(mInfo.units))
        .arg(QString::fromStdString(mBands.toString()));
}

} // namespace rsrefseg
