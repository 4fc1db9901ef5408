// LayerPropertiesWidget: under the layers list: the current layer's colour (results) and
// opacity, and its information (for results: query, time, polygons, area, tiles, model).
//
//   auto *props = new LayerPropertiesWidget(&layers);
//   connect(view, &LayerTreeView::currentLayerChanged, props, &LayerPropertiesWidget::setLayer);
#pragma once

#include <QWidget>

class QLabel;
class QSlider;
class QToolButton;

namespace rsrefseg {

class LayerTreeModel;

class LayerPropertiesWidget : public QWidget
{
    Q_OBJECT
  public:
    explicit LayerPropertiesWidget(LayerTreeModel *layers, QWidget *parent = nullptr);

    void setLayer(int id);
    int layerId() const { return mLayerId; }
    QString infoText() const;

  signals:
    void colourRequested(int id);

  private:
    void refresh();

    LayerTreeModel *mLayers;
    int mLayerId = 0;
    QToolButton *mColour = nullptr;
    QLabel *mColourLabel = nullptr;
    QSlider *mOpacity = nullptr;
    QLabel *mOpacityValue = nullptr;
    QLabel *mInfo = nullptr;
};

} // namespace rsrefseg
