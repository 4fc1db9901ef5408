#include "ui/layertreemodel.h"

#include "ui/rasterlayer.h"
#include "ui/resultlayer.h"

#include <QIcon>
#include <QPainter>
#include <QPixmap>

namespace rsrefseg {

LayerTreeModel::LayerTreeModel(QObject *parent)
    : QAbstractListModel(parent)
{
}

LayerTreeModel::~LayerTreeModel() = default;

int LayerTreeModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(mLayers.size());
}

QVariant LayerTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() < 0 || index.row() >= count())
        return {};
    const Layer &l = *mLayers[static_cast<size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        if (l.kind() == Layer::Kind::Result) {
            const auto &r = static_cast<const ResultLayer &>(l);
            if (r.state() == ResultLayer::State::Running)
                return tr("%1 (running…)").arg(l.name());
        }
        return l.name();
    case Qt::EditRole:
        return l.name();
    case Qt::CheckStateRole:
        return l.isVisible() ? Qt::Checked : Qt::Unchecked;
    case Qt::ToolTipRole:
        return l.summary();
    case Qt::DecorationRole: {
        if (l.kind() == Layer::Kind::Raster)
            return QIcon(QStringLiteral(":/icons/layer-raster.svg"));
        const auto &r = static_cast<const ResultLayer &>(l);
        QPixmap swatch(16, 16);
        swatch.fill(Qt::transparent);
        QPainter p(&swatch);
        p.setRenderHint(QPainter::Antialiasing);
        p.setPen(QPen(r.colour().darker(170), 1.2));
        p.setBrush(r.colour());
        p.drawRoundedRect(QRectF(1.5, 1.5, 13, 13), 3, 3);
        return QIcon(swatch);
    }
    case LayerIdRole:
        return l.id();
    case LayerKindRole:
        return static_cast<int>(l.kind());
    default:
        return {};
    }
}

bool LayerTreeModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || index.row() >= count())
        return false;
    const int id = mLayers[static_cast<size_t>(index.row())]->id();
    if (role == Qt::CheckStateRole) {
        setVisible(id, value.value<Qt::CheckState>() == Qt::Checked);
        return true;
    }
    if (role == Qt::EditRole) {
        const QString name = value.toString().trimmed();
        if (name.isEmpty())
            return false;
        setName(id, name);
        return true;
    }
    return false;
}

Qt::ItemFlags LayerTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable | Qt::ItemIsEditable;
}

int LayerTreeModel::rowOf(int id) const
{
    for (size_t i = 0; i < mLayers.size(); ++i)
        if (mLayers[i]->id() == id)
            return static_cast<int>(i);
    return -1;
}

int LayerTreeModel::addLayer(const std::shared_ptr<Layer> &layer, int aboveId)
{
    layer->setId(mNextId++);
    int row = 0;
    if (aboveId) {
        const int r = rowOf(aboveId);
        if (r >= 0)
            row = r;
    }
    beginInsertRows(QModelIndex(), row, row);
    mLayers.insert(mLayers.begin() + row, layer);
    endInsertRows();
    emit layerAdded(layer->id());
    return layer->id();
}

void LayerTreeModel::removeLayer(int id)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    emit layerAboutToBeRemoved(id);
    beginRemoveRows(QModelIndex(), row, row);
    mLayers.erase(mLayers.begin() + row);
    endRemoveRows();
    emit layerRemoved(id);
}

void LayerTreeModel::moveLayer(int id, int delta)
{
    const int row = rowOf(id);
    const int to = row + delta;
    if (row < 0 || to < 0 || to >= count() || delta == 0)
        return;
    // beginMoveRows wants the destination row in the pre-move numbering.
    if (!beginMoveRows(QModelIndex(), row, row, QModelIndex(), delta > 0 ? to + 1 : to))
        return;
    std::swap(mLayers[static_cast<size_t>(row)], mLayers[static_cast<size_t>(to)]);
    endMoveRows();
    emit orderChanged();
}

void LayerTreeModel::clear()
{
    while (!mLayers.empty())
        removeLayer(mLayers.front()->id());
}

std::shared_ptr<Layer> LayerTreeModel::layer(int id) const
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : mLayers[static_cast<size_t>(row)];
}

std::shared_ptr<RasterLayer> LayerTreeModel::rasterLayer(int id) const
{
    const auto l = layer(id);
    return l && l->kind() == Layer::Kind::Raster ? std::static_pointer_cast<RasterLayer>(l) : nullptr;
}

std::shared_ptr<ResultLayer> LayerTreeModel::resultLayer(int id) const
{
    const auto l = layer(id);
    return l && l->kind() == Layer::Kind::Result ? std::static_pointer_cast<ResultLayer>(l) : nullptr;
}

QModelIndex LayerTreeModel::indexOf(int id) const
{
    const int row = rowOf(id);
    return row < 0 ? QModelIndex() : index(row, 0);
}

int LayerTreeModel::idAt(const QModelIndex &index) const
{
    return index.isValid() ? data(index, LayerIdRole).toInt() : 0;
}

std::vector<std::shared_ptr<Layer>> LayerTreeModel::layersBottomUp() const
{
    return {mLayers.rbegin(), mLayers.rend()};
}

std::vector<std::shared_ptr<RasterLayer>> LayerTreeModel::rasterLayers() const
{
    std::vector<std::shared_ptr<RasterLayer>> out;
    for (const auto &l : mLayers)
        if (l->kind() == Layer::Kind::Raster)
            out.push_back(std::static_pointer_cast<RasterLayer>(l));
    return out;
}

std::vector<std::shared_ptr<ResultLayer>> LayerTreeModel::resultLayers() const
{
    std::vector<std::shared_ptr<ResultLayer>> out;
    for (const auto &l : mLayers)
        if (l->kind() == Layer::Kind::Result)
            out.push_back(std::static_pointer_cast<ResultLayer>(l));
    return out;
}

std::shared_ptr<RasterLayer> LayerTreeModel::topRasterLayer() const
{
    for (const auto &l : mLayers)
        if (l->kind() == Layer::Kind::Raster && l->isVisible())
            return std::static_pointer_cast<RasterLayer>(l);
    for (const auto &l : mLayers)
        if (l->kind() == Layer::Kind::Raster)
            return std::static_pointer_cast<RasterLayer>(l);
    return nullptr;
}

void LayerTreeModel::setVisible(int id, bool visible)
{
    const auto l = layer(id);
    if (!l || l->isVisible() == visible)
        return;
    l->setVisible(visible);
    const QModelIndex i = indexOf(id);
    emit dataChanged(i, i, {Qt::CheckStateRole});
    emit layerChanged(id, Change::Appearance);
}

void LayerTreeModel::setOpacity(int id, double opacity)
{
    const auto l = layer(id);
    if (!l)
        return;
    l->setOpacity(opacity);
    emit layerChanged(id, Change::Appearance);
}

void LayerTreeModel::setName(int id, const QString &name)
{
    const auto l = layer(id);
    if (!l || l->name() == name)
        return;
    l->setName(name);
    const QModelIndex i = indexOf(id);
    emit dataChanged(i, i, {Qt::DisplayRole, Qt::EditRole});
    emit layerChanged(id, Change::Name);
}

void LayerTreeModel::setResultColour(int id, const QColor &colour)
{
    const auto r = resultLayer(id);
    if (!r)
        return;
    r->setColour(colour);
    const QModelIndex i = indexOf(id);
    emit dataChanged(i, i, {Qt::DecorationRole});
    emit layerChanged(id, Change::Appearance);
}

void LayerTreeModel::notifyContentChanged(int id)
{
    emit layerChanged(id, Change::Content);
}

void LayerTreeModel::notifyNameOrInfoChanged(int id)
{
    const QModelIndex i = indexOf(id);
    if (i.isValid())
        emit dataChanged(i, i, {Qt::DisplayRole, Qt::ToolTipRole});
    emit layerChanged(id, Change::Name);
}

} // namespace rsrefseg
