#include "ui/layertreeview.h"

#include "ui/layertreemodel.h"
#include "ui/resultlayer.h"

#include <QColorDialog>
#include <QContextMenuEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMenu>

namespace rsrefseg {

LayerTreeView::LayerTreeView(LayerTreeModel *model, QWidget *parent)
    : QTreeView(parent)
    , mModel(model)
{
    setModel(model);
    setHeaderHidden(true);
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setEditTriggers(QAbstractItemView::EditKeyPressed | QAbstractItemView::SelectedClicked);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setIconSize(QSize(18, 18));
    connect(selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { emit currentLayerChanged(mModel->idAt(current)); });
    connect(this, &QTreeView::doubleClicked, this, [this](const QModelIndex &index) {
        if (const int id = mModel->idAt(index))
            emit zoomToLayerRequested(id);
    });
    // A new layer becomes the current one, as in QGIS.
    connect(mModel, &LayerTreeModel::layerAdded, this, [this](int id) { setCurrentLayer(id); });
}

int LayerTreeView::currentLayerId() const
{
    return mModel->idAt(currentIndex());
}

void LayerTreeView::setCurrentLayer(int id)
{
    const QModelIndex i = mModel->indexOf(id);
    if (i.isValid())
        setCurrentIndex(i);
}

void LayerTreeView::chooseColour(int id)
{
    const auto r = mModel->resultLayer(id);
    if (!r)
        return;
    const QColor c = QColorDialog::getColor(r->colour(), this, tr("Result Colour"));
    if (c.isValid())
        mModel->setResultColour(id, c);
}

void LayerTreeView::removeLayer(int id)
{
    mModel->removeLayer(id);
}

void LayerTreeView::contextMenuEvent(QContextMenuEvent *event)
{
    const QModelIndex index = indexAt(event->pos());
    const int id = mModel->idAt(index);
    if (!id)
        return;
    const auto result = mModel->resultLayer(id);
    QMenu menu(this);
    menu.addAction(QIcon(QStringLiteral(":/icons/zoom-layer.svg")), tr("&Zoom to Layer"), this,
                   [this, id] { emit zoomToLayerRequested(id); });
    if (result) {
        menu.addAction(QIcon(QStringLiteral(":/icons/tile-grid.svg")), tr("Show &Tile Grid"), this,
                       [this, id] { emit tileGridRequested(id); });
        menu.addAction(tr("Change &Colour…"), this, [this, id] { chooseColour(id); });
        QAction *exp = menu.addAction(QIcon(QStringLiteral(":/icons/export.svg")), tr("&Export…"), this,
                                      [this, id] { emit exportRequested(id); });
        exp->setEnabled(result->state() == ResultLayer::State::Finished);
    }
    menu.addAction(tr("&Rename"), this, [this, index] { edit(index); });
    menu.addSeparator();
    QAction *up = menu.addAction(tr("Move &Up"), this, [this, id] { mModel->moveLayer(id, -1); });
    up->setEnabled(index.row() > 0);
    QAction *down = menu.addAction(tr("Move &Down"), this, [this, id] { mModel->moveLayer(id, +1); });
    down->setEnabled(index.row() < mModel->count() - 1);
    menu.addSeparator();
    menu.addAction(QIcon(QStringLiteral(":/icons/remove-layer.svg")), tr("Re&move Layer"), this,
                   [this, id] { removeLayer(id); });
    menu.exec(event->globalPos());
}

void LayerTreeView::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) && state() != EditingState) {
        if (const int id = currentLayerId()) {
            removeLayer(id);
            return;
        }
    }
    QTreeView::keyPressEvent(event);
}

} // namespace rsrefseg
