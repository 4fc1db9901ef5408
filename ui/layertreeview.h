// LayerTreeView: the layers panel's list (QGIS's layer tree look): check boxes for visibility,
// names editable in place (F2), a context menu (zoom to, colour, tile grid, export, move,
// remove) and Delete to remove. Actions that need the rest of the application are signals.
//
//   LayerTreeView *view = new LayerTreeView(&layers);
//   connect(view, &LayerTreeView::zoomToLayerRequested, canvas, &MapCanvas::zoomToLayer);
#pragma once

#include <QTreeView>

namespace rsrefseg {

class LayerTreeModel;

class LayerTreeView : public QTreeView
{
    Q_OBJECT
  public:
    explicit LayerTreeView(LayerTreeModel *model, QWidget *parent = nullptr);

    int currentLayerId() const;
    void setCurrentLayer(int id);
    void chooseColour(int id);
    void removeLayer(int id);

  signals:
    void currentLayerChanged(int id);
    void zoomToLayerRequested(int id);
    void exportRequested(int id);
    void tileGridRequested(int id);

  protected:
    void contextMenuEvent(QContextMenuEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

  private:
    LayerTreeModel *mModel;
};

} // namespace rsrefseg
