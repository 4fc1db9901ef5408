#include "ui/layerpropertieswidget.h"

#include "ui/layertreemodel.h"
#include "ui/resultlayer.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

namespace rsrefseg {

LayerPropertiesWidget::LayerPropertiesWidget(LayerTreeModel *layers, QWidget *parent)
    : QWidget(parent)
    , mLayers(layers)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignRight);
    mColour = new QToolButton(this);
    mColour->setFixedSize(40, 20);
    mColour->setToolTip(tr("Change the result colour"));
    mColourLabel = new QLabel(tr("Colour:"), this);
    form->addRow(mColourLabel, mColour);
    auto *opacityRow = new QWidget(this);
    auto *ol = new QHBoxLayout(opacityRow);
    ol->setContentsMargins(0, 0, 0, 0);
    mOpacity = new QSlider(Qt::Horizontal, opacityRow);
    mOpacity->setRange(0, 100);
    mOpacityValue = new QLabel(opacityRow);
    mOpacityValue->setMinimumWidth(36);
    ol->addWidget(mOpacity, 1);
    ol->addWidget(mOpacityValue);
    form->addRow(tr("Opacity:"), opacityRow);
    layout->addLayout(form);
    mInfo = new QLabel(this);
    mInfo->setWordWrap(true);
    mInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    mInfo->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    mInfo->setStyleSheet(QStringLiteral("color: #333;"));
    layout->addWidget(mInfo, 1);

    connect(mOpacity, &QSlider::valueChanged, this, [this](int v) {
        mOpacityValue->setText(QStringLiteral("%1 %").arg(v));
        if (mLayerId)
            mLayers->setOpacity(mLayerId, v / 100.0);
    });
    connect(mColour, &QToolButton::clicked, this, [this] {
        if (mLayerId)
            emit colourRequested(mLayerId);
    });
    connect(mLayers, &LayerTreeModel::layerChanged, this, [this](int id, LayerTreeModel::Change c) {
        if (id == mLayerId && c != LayerTreeModel::Change::Content)
            refresh();
    });
    connect(mLayers, &LayerTreeModel::layerRemoved, this, [this](int id) {
        if (id == mLayerId)
            setLayer(0);
    });
    setLayer(0);
}

void LayerPropertiesWidget::setLayer(int id)
{
    mLayerId = id;
    refresh();
}

QString LayerPropertiesWidget::infoText() const { return mInfo->text(); }

void LayerPropertiesWidget::refresh()
{
    const auto layer = mLayers->layer(mLayerId);
    setEnabled(static_cast<bool>(layer));
    if (!layer) {
        mInfo->setText(tr("No layer selected."));
        mColour->setVisible(false);
        mColourLabel->setVisible(false);
        return;
    }
    const auto result = mLayers->resultLayer(mLayerId);
    mColour->setVisible(static_cast<bool>(result));
    mColourLabel->setVisible(static_cast<bool>(result));
    if (result) {
        QPixmap swatch(32, 14);
        swatch.fill(result->colour());
        mColour->setIcon(QIcon(swatch));
        mColour->setIconSize(swatch.size());
    }
    const QSignalBlocker block(mOpacity);
    mOpacity->setValue(static_cast<int>(layer->opacity() * 100.0 + 0.5));
    mOpacityValue->setText(QStringLiteral("%1 %").arg(mOpacity->value()));
    mInfo->setText(layer->summary());
}

} // namespace rsrefseg
