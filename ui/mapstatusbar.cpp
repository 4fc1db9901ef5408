#include "ui/mapstatusbar.h"

#include <QHBoxLayout>
#include <QLabel>

namespace rsrefseg {

namespace {

QLabel *field(QWidget *parent, int minWidth, const QString &tip)
{
    auto *l = new QLabel(parent);
    l->setMinimumWidth(minWidth);
    l->setToolTip(tip);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return l;
}

QFrame *separator(QWidget *parent)
{
    auto *f = new QFrame(parent);
    f->setFrameShape(QFrame::VLine);
    f->setFrameShadow(QFrame::Sunken);
    return f;
}

} // namespace

MapStatusBar::MapStatusBar(QWidget *parent)
    : QWidget(parent)
    , mFormatter(std::make_unique<CoordinateFormatter>())
{
    auto *l = new QHBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->setSpacing(8);
    mRendering = new QLabel(this);
    mRendering->setMinimumWidth(70);
    mCoordinates = field(this, 200, tr("Map coordinates in the raster's coordinate reference system"));
    mLonLat = field(this, 170, tr("Longitude and latitude (WGS 84)"));
    mPixel = field(this, 120, tr("Raster pixel (column, row from the top-left corner)"));
    mScale = field(this, 90, tr("Map scale"));
    mModel = field(this, 120, tr("The segmentation model"));
    l->addWidget(mRendering);
    l->addWidget(separator(this));
    l->addWidget(mCoordinates);
    l->addWidget(mLonLat);
    l->addWidget(mPixel);
    l->addWidget(separator(this));
    l->addWidget(mScale);
    l->addWidget(separator(this));
    l->addWidget(mModel);
}

MapStatusBar::~MapStatusBar() = default;

void MapStatusBar::setRaster(const RasterInfo *info)
{
    mFormatter = info ? std::make_unique<CoordinateFormatter>(*info) : std::make_unique<CoordinateFormatter>();
    clearPosition();
}

void MapStatusBar::setPosition(const QPointF &map)
{
    if (!mFormatter->isValid())
        return;
    mCoordinates->setText(mFormatter->mapText(map) + QStringLiteral("  (") + mFormatter->crsLabel() +
                          QLatin1Char(')'));
    mLonLat->setText(mFormatter->lonLatText(map));
    mPixel->setText(mFormatter->pixelText(map));
}

void MapStatusBar::clearPosition()
{
    mCoordinates->setText(mFormatter->isValid() ? mFormatter->crsLabel() : QString());
    mLonLat->clear();
    mPixel->clear();
}

void MapStatusBar::setScale(double unitsPerPixel, const QPointF &center)
{
    const double d = mFormatter->scaleDenominator(unitsPerPixel, logicalDpiX(), center);
    mScale->setText(d > 0.0 ? CoordinateFormatter::scaleText(d)
                            : (mFormatter->isValid() ? tr("%1 px/px").arg(unitsPerPixel, 0, 'g', 3) : QString()));
}

void MapStatusBar::setRendering(bool rendering)
{
    mRendering->setText(rendering ? tr("Rendering…") : QString());
}

void MapStatusBar::setModel(const QString &name, bool trained, const QString &state)
{
    QString html = tr("Model: %1").arg(name.toHtmlEscaped());
    if (!trained)
        html += QStringLiteral(" <span style='background:#c62828; color:white; font-weight:bold;'>&nbsp;%1&nbsp;</span>")
                    .arg(tr("UNTRAINED"));
    if (!state.isEmpty())
        html += QStringLiteral(" <span style='color:#666'>(%1)</span>").arg(state.toHtmlEscaped());
    mModel->setText(html);
    mModel->setToolTip(trained ? tr("The segmentation model")
                               : tr("This model bundle is not trained: its masks are meaningless. Import trained "
                                    "weights with 'rsrefseg model import' and choose them in Settings."));
}

QString MapStatusBar::coordinateText() const { return mCoordinates->text(); }
QString MapStatusBar::lonLatText() const { return mLonLat->text(); }
QString MapStatusBar::pixelText() const { return mPixel->text(); }
QString MapStatusBar::scaleText() const { return mScale->text(); }
QString MapStatusBar::modelText() const { return mModel->text(); }

} // namespace rsrefseg
