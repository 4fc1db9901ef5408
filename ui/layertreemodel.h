// LayerTreeModel: the layers of the map, topmost first (the layers panel's model and the
// canvas's drawing order, as in QGIS's layer tree). Owns the layers; assigns their ids.
// Check state = visibility; the name is editable; the decoration shows the kind or colour.
//
//   LayerTreeModel layers;
//   int id = layers.addLayer(std::make_shared<RasterLayer>(...));   // on top
//   layers.setVisible(id, false);                                    // emits layerChanged
//   for (const auto &l : layers.layersBottomUp()) draw(*l);
#pragma once

#include "ui/layer.h"

#include <QAbstractListModel>

#include <memory>
#include <vector>

namespace rsrefseg {

class RasterLayer;
class ResultLayer;

class LayerTreeModel : public QAbstractListModel
{
    Q_OBJECT
  public:
    enum Roles { LayerIdRole = Qt::UserRole + 1, LayerKindRole };
    enum class Change { Appearance, Content, Name };
    Q_ENUM(Change)

    explicit LayerTreeModel(QObject *parent = nullptr);
    ~LayerTreeModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    // Adds on top (or just above layer `aboveId` when given); returns the new id.
    int addLayer(const std::shared_ptr<Layer> &layer, int aboveId = 0);
    void removeLayer(int id);
    void moveLayer(int id, int delta); // -1 up, +1 down
    void clear();

    std::shared_ptr<Layer> layer(int id) const;
    std::shared_ptr<RasterLayer> rasterLayer(int id) const;
    std::shared_ptr<ResultLayer> resultLayer(int id) const;
    QModelIndex indexOf(int id) const;
    int idAt(const QModelIndex &index) const;
    int count() const { return static_cast<int>(mLayers.size()); }
    const std::vector<std::shared_ptr<Layer>> &layers() const { return mLayers; } // topmost first
    std::vector<std::shared_ptr<Layer>> layersBottomUp() const;
    std::vector<std::shared_ptr<RasterLayer>> rasterLayers() const;
    std::vector<std::shared_ptr<ResultLayer>> resultLayers() const;
    // The topmost visible raster layer (nullptr when none).
    std::shared_ptr<RasterLayer> topRasterLayer() const;

    void setVisible(int id, bool visible);
    void setOpacity(int id, double opacity);
    void setName(int id, const QString &name);
    void setResultColour(int id, const QColor &colour);
    // For content changes made directly on a layer (result pixels); rect in layer display pixels.
    void notifyContentChanged(int id);
    void notifyNameOrInfoChanged(int id);

  signals:
    void layerAdded(int id);
    void layerAboutToBeRemoved(int id);
    void layerRemoved(int id);
    void layerChanged(int id, rsrefseg::LayerTreeModel::Change change);
    void orderChanged();

  private:
    int rowOf(int id) const;
    std::vector<std::shared_ptr<Layer>> mLayers;
    int mNextId = 1;
};

} // namespace rsrefseg
