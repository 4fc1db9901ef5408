// RasterLayer: a raster opened for display and segmentation: its metadata, the band choice
// and contrast stretch (computed once, in the background, by RasterOpenJob), and the path the
// canvas reads from (the file itself, or a VRT with overviews when the file has none).
//
//   auto layer = std::make_shared<RasterLayer>(info, bands, stretch);
//   MapBox e = layer->extent();
#pragma once

#include "geo/bandselection.h"
#include "geo/contraststretch.h"
#include "geo/rasterinfo.h"
#include "ui/layer.h"

namespace rsrefseg {

class RasterLayer : public Layer
{
  public:
    RasterLayer(const RasterInfo &info, const BandSelection &bands, const ContrastStretch &stretch);

    Kind kind() const override { return Kind::Raster; }
    MapBox extent() const override;
    QString summary() const override;

    const RasterInfo &info() const { return mInfo; }
    QString path() const { return QString::fromStdString(mInfo.path); }
    const BandSelection &bands() const { return mBands; }
    const ContrastStretch &stretch() const { return mStretch; }
    // What the canvas reads (a VRT with overviews for large rasters without them).
    QString renderPath() const { return mRenderPath.isEmpty() ? path() : mRenderPath; }
    void setRenderPath(const QString &path) { mRenderPath = path; }

    // Map extent of a pixel window of this raster (north-up bounding box).
    static MapBox windowExtent(const RasterInfo &info, double x, double y, double width, double height);

  private:
    RasterInfo mInfo;
    BandSelection mBands;
    ContrastStretch mStretch;
    QString mRenderPath;
};

} // namespace rsrefseg
