// TileInspector: shows why a tile fired (or did not): the tile as the model saw it, SigLIP's
// global activation as a heat map over it (sigmoid, turbo colours), the mask, and the numbers
// (state, relevance vs. the gate threshold, SAM's IoU prediction, cache use, timings, the
// tokenizer's warning about the query). The tile image is read in the background; the rest
// comes from the engine's TileReport, kept in the result layer's records.
//
//   TileInspector *inspector = new TileInspector(&layers);
//   connect(canvas, &MapCanvas::tileClicked, inspector, &TileInspector::showTile);
#pragma once

#include <QImage>
#include <QWidget>

#include <map>
#include <memory>

class QCheckBox;
class QFormLayout;
class QLabel;

namespace rsrefseg {

class LayerTreeModel;
class ResultLayer;

class TileInspector : public QWidget
{
    Q_OBJECT
  public:
    explicit TileInspector(LayerTreeModel *layers, QWidget *parent = nullptr);
    ~TileInspector() override;

    void showTile(int resultLayerId, int tileIndex);
    void clear();

    int layerId() const { return mLayerId; }
    int tileIndex() const { return mTileIndex; }
    bool imageReady() const { return !mInput.isNull(); }
    // The three pictures as shown (for tests and screenshots).
    QImage inputImage() const { return mInput; }
    QImage heatMapImage() const;
    QImage maskImage() const;
    QString valueText(const QString &field) const;

  signals:
    void imageLoaded();

  private:
    void refreshPictures();
    void setValue(const QString &field, const QString &value);

    LayerTreeModel *mLayers;
    int mLayerId = 0;
    int mTileIndex = -1;
    int mRequest = 0; // newest image read (older results are dropped)
    QImage mInput;
    QLabel *mTitle = nullptr;
    QLabel *mInputView = nullptr;
    QLabel *mHeatView = nullptr;
    QLabel *mMaskView = nullptr;
    QLabel *mColourBar = nullptr;
    QCheckBox *mOverlay = nullptr;
    QFormLayout *mForm = nullptr;
    QWidget *mContent = nullptr;
    QLabel *mPlaceholder = nullptr;
    std::map<QString, QLabel *> mValues;
};

} // namespace rsrefseg
