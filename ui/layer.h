// Layer: what the layers panel lists and the map canvas draws: a name, visibility, opacity
// and an extent in map coordinates. RasterLayer and ResultLayer add their data. Layers live
// on the GUI thread; render jobs get copies of what they need.
#pragma once

#include "engine/segmentationsettings.h"

#include <QString>

namespace rsrefseg {

class Layer
{
  public:
    enum class Kind { Raster, Result };

    virtual ~Layer() = default;

    virtual Kind kind() const = 0;
    // Map coordinates (the raster's CRS units; pixels without georeference).
    virtual MapBox extent() const = 0;
    // Plain-text summary for tooltips and the properties panel.
    virtual QString summary() const = 0;

    int id() const { return mId; }
    void setId(int id) { mId = id; }
    const QString &name() const { return mName; }
    void setName(const QString &name) { mName = name; }
    bool isVisible() const { return mVisible; }
    void setVisible(bool visible) { mVisible = visible; }
    double opacity() const { return mOpacity; }
    void setOpacity(double opacity) { mOpacity = opacity < 0.0 ? 0.0 : opacity > 1.0 ? 1.0 : opacity; }

  protected:
    Layer() = default;

  private:
    int mId = 0;
    QString mName;
    bool mVisible = true;
    double mOpacity = 1.0;
};

} // namespace rsrefseg
