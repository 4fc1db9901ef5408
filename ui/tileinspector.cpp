#include "ui/tileinspector.h"

#include "geo/raster.h"
#include "ui/heatmap.h"
#include "ui/layertreemodel.h"
#include "ui/rasterlayer.h"
#include "ui/resultlayer.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPointer>
#include <QScrollArea>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>

namespace rsrefseg {

namespace {

constexpr int kPictureSize = 168;

QLabel *pictureLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setFixedSize(kPictureSize, kPictureSize);
    l->setAlignment(Qt::AlignCenter);
    l->setStyleSheet(QStringLiteral("QLabel { background: #f0f0f0; border: 1px solid #c8c8c8; }"));
    return l;
}

QLabel *captionLabel(const QString &text, QWidget *parent)
{
    auto *l = new QLabel(text, parent);
    l->setAlignment(Qt::AlignHCenter);
    l->setStyleSheet(QStringLiteral("color: #444;"));
    return l;
}

QImage readTile(const RasterInfo &info, const BandSelection &bands, const ContrastStretch &stretch,
                const PixelWindow &window, int maxSide)
{
    const double scale = std::min(1.0, maxSide / static_cast<double>(std::max(window.width, window.height)));
    const int w = std::max(1, static_cast<int>(std::lround(window.width * scale)));
    const int h = std::max(1, static_cast<int>(std::lround(window.height * scale)));
    const Raster raster = Raster::open(info.path);
    const RgbImage rgb = raster.readRgb8(window, w, h, bands, stretch, Raster::Resampling::Average);
    QImage out(w, h, QImage::Format_RGB32);
    for (int y = 0; y < h; ++y) {
        const unsigned char *s = rgb.rgb.ptr<unsigned char>(y);
        QRgb *o = reinterpret_cast<QRgb *>(out.scanLine(y));
        for (int x = 0; x < w; ++x)
            o[x] = qRgb(s[3 * x], s[3 * x + 1], s[3 * x + 2]);
    }
    return out;
}

} // namespace

TileInspector::TileInspector(LayerTreeModel *layers, QWidget *parent)
    : QWidget(parent)
    , mLayers(layers)
{
    auto *top = new QVBoxLayout(this);
    top->setContentsMargins(0, 0, 0, 0);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    top->addWidget(scroll);
    auto *inner = new QWidget(scroll);
    scroll->setWidget(inner);
    auto *outer = new QVBoxLayout(inner);
    outer->setContentsMargins(8, 8, 8, 8);
    mPlaceholder = new QLabel(tr("Choose the Inspect Tile tool and click a tile of a result layer to see its "
                                 "image, activation heat map, mask and scores."),
                              inner);
    mPlaceholder->setWordWrap(true);
    mPlaceholder->setAlignment(Qt::AlignCenter);
    mPlaceholder->setStyleSheet(QStringLiteral("color: #666;"));
    outer->addWidget(mPlaceholder);

    mContent = new QWidget(inner);
    auto *content = new QVBoxLayout(mContent);
    content->setContentsMargins(0, 0, 0, 0);
    mTitle = new QLabel(mContent);
    mTitle->setWordWrap(true);
    mTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    content->addWidget(mTitle);

    // Two pictures per row keeps the dock narrow enough to leave the map most of the window.
    auto *pics = new QGridLayout;
    pics->setHorizontalSpacing(8);
    pics->setVerticalSpacing(2);
    mInputView = pictureLabel(mContent);
    mHeatView = pictureLabel(mContent);
    mMaskView = pictureLabel(mContent);
    pics->addWidget(captionLabel(tr("Tile"), mContent), 0, 0);
    pics->addWidget(captionLabel(tr("Activation"), mContent), 0, 1);
    pics->addWidget(mInputView, 1, 0);
    pics->addWidget(mHeatView, 1, 1);
    pics->addWidget(captionLabel(tr("Mask"), mContent), 2, 0);
    pics->addWidget(mMaskView, 3, 0);

    // Beside the mask: the heat map's colour scale and the overlay switch.
    auto *legendBox = new QWidget(mContent);
    auto *legend = new QVBoxLayout(legendBox);
    legend->setContentsMargins(0, 0, 0, 0);
    legend->addStretch(1);
    auto *scaleCaption = new QLabel(tr("Activation (sigmoid)"), legendBox);
    scaleCaption->setStyleSheet(QStringLiteral("color: #444;"));
    legend->addWidget(scaleCaption);
    mColourBar = new QLabel(legendBox);
    mColourBar->setPixmap(QPixmap::fromImage(HeatMap::colourBar(kPictureSize - 8, 12)));
    legend->addWidget(mColourBar);
    auto *ends = new QHBoxLayout;
    ends->addWidget(new QLabel(QStringLiteral("0"), legendBox));
    ends->addStretch(1);
    ends->addWidget(new QLabel(QStringLiteral("0.5"), legendBox));
    ends->addStretch(1);
    ends->addWidget(new QLabel(QStringLiteral("1"), legendBox));
    legend->addLayout(ends);
    mOverlay = new QCheckBox(tr("Overlay on the tile"), legendBox);
    mOverlay->setChecked(true);
    legend->addSpacing(6);
    legend->addWidget(mOverlay);
    legend->addStretch(1);
    pics->addWidget(legendBox, 3, 1);
    pics->setColumnStretch(2, 1);
    content->addLayout(pics);

    mForm = new QFormLayout;
    mForm->setLabelAlignment(Qt::AlignRight);
    mForm->setHorizontalSpacing(12);
    mForm->setVerticalSpacing(3);
    const std::pair<const char *, QString> fields[] = {
        {"state", tr("State")},           {"relevance", tr("Relevance")}, {"iou", tr("IoU prediction")},
        {"cache", tr("Image features")},  {"read", tr("Read")},           {"encode", tr("Image encoder")},
        {"decode", tr("Decoder")},        {"pixels", tr("Object pixels")}, {"window", tr("Pixels")}};
    for (const auto &f : fields) {
        auto *value = new QLabel(mContent);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setWordWrap(true);
        mForm->addRow(f.second + QLatin1Char(':'), value);
        mValues[QString::fromLatin1(f.first)] = value;
    }
    content->addLayout(mForm);
    content->addStretch(1);
    outer->addWidget(mContent);
    outer->addStretch(1);
    mContent->hide();

    connect(mOverlay, &QCheckBox::toggled, this, &TileInspector::refreshPictures);
    connect(mLayers, &LayerTreeModel::layerRemoved, this, [this](int id) {
        if (id == mLayerId)
            clear();
    });
    connect(mLayers, &LayerTreeModel::layerChanged, this, [this](int id, LayerTreeModel::Change c) {
        if (id == mLayerId && c == LayerTreeModel::Change::Appearance)
            refreshPictures();
    });
}

TileInspector::~TileInspector() = default;

void TileInspector::clear()
{
    mLayerId = 0;
    mTileIndex = -1;
    ++mRequest;
    mInput = QImage();
    mContent->hide();
    mPlaceholder->show();
}

void TileInspector::setValue(const QString &field, const QString &value)
{
    if (const auto it = mValues.find(field); it != mValues.end())
        it->second->setText(value);
}

QString TileInspector::valueText(const QString &field) const
{
    const auto it = mValues.find(field);
    return it == mValues.end() ? QString() : it->second->text();
}

void TileInspector::showTile(int layerId, int tileIndex)
{
    const auto layer = mLayers->resultLayer(layerId);
    if (!layer || tileIndex < 0 || tileIndex >= static_cast<int>(layer->tiles().size()))
        return;
    mLayerId = layerId;
    mTileIndex = tileIndex;
    const TileRecord &t = layer->tiles()[static_cast<size_t>(tileIndex)];
    const TileReport &r = t.report;
    const QLocale locale;
    const bool tiled = layer->request().settings.mode == SegmentationSettings::Mode::Tiled;
    QString title = QStringLiteral("<b>%1</b><br>%2")
                        .arg(layer->query().toHtmlEscaped(),
                             tiled ? tr("Tile r%1c%2 (id %3)").arg(t.tile.row).arg(t.tile.column).arg(t.tile.id)
                                   : tr("View (the whole area as one model input)"));
    // The engine's words, like its other messages (e.g. "the text has 90 tokens, more than ...").
    if (!r.textWarning.empty())
        title += QStringLiteral("<br><i>%1</i>").arg(QString::fromStdString(r.textWarning).toHtmlEscaped());
    mTitle->setText(title);
    QString state;
    switch (t.display()) {
    case TileRecord::Display::Pending: state = tr("pending"); break;
    case TileRecord::Display::Segmented: state = tr("segmented"); break;
    case TileRecord::Display::Cached: state = tr("segmented (image features from the cache)"); break;
    case TileRecord::Display::Gated: state = tr("gated out: relevance below the gate threshold"); break;
    case TileRecord::Display::NoData: state = tr("no data: not read into the model"); break;
    }
    setValue(QStringLiteral("state"), state);
    const double gate = layer->request().settings.gateThreshold;
    setValue(QStringLiteral("relevance"),
             tiled && gate > 0.0 ? tr("%1 (gate threshold %2)").arg(locale.toString(r.relevance, 'f', 3),
                                                                    locale.toString(gate, 'f', 3))
                                 : locale.toString(r.relevance, 'f', 3));
    setValue(QStringLiteral("iou"), locale.toString(r.iou, 'f', 3));
    QString cache;
    switch (r.cache) {
    case TileReport::Cache::NotUsed: cache = tr("not used"); break;
    case TileReport::Cache::Miss: cache = tr("computed now (cache miss)"); break;
    case TileReport::Cache::Memory: cache = tr("from the memory cache"); break;
    case TileReport::Cache::Disk: cache = tr("from the disk cache"); break;
    }
    setValue(QStringLiteral("cache"), cache);
    auto ms = [&](double v) { return tr("%1 ms").arg(locale.toString(v, 'f', 1)); };
    setValue(QStringLiteral("read"), ms(r.readMs));
    setValue(QStringLiteral("encode"), r.cache == TileReport::Cache::Memory || r.cache == TileReport::Cache::Disk
                                           ? tr("cached")
                                           : ms(r.encodeMs));
    setValue(QStringLiteral("decode"), ms(r.decodeMs));
    setValue(QStringLiteral("pixels"), tiled ? locale.toString(static_cast<qlonglong>(r.objectPixels)) : tr("n/a"));
    setValue(QStringLiteral("window"), tr("x %1, y %2, %3 x %4")
                                           .arg(t.tile.valid.x)
                                           .arg(t.tile.valid.y)
                                           .arg(t.tile.valid.width)
                                           .arg(t.tile.valid.height));
    mPlaceholder->hide();
    mContent->show();

    // The tile image, read in the background with the layer's bands and stretch (what the
    // model saw). Only the newest request is shown.
    mInput = QImage();
    refreshPictures();
    const auto raster = mLayers->rasterLayer(layer->sourceLayerId());
    const RasterInfo info = layer->rasterInfo();
    const BandSelection bands = raster ? raster->bands() : BandSelection::automatic(info);
    const ContrastStretch stretch = raster ? raster->stretch() : ContrastStretch();
    const PixelWindow window = t.tile.valid;
    const int request = ++mRequest;
    auto *watcher = new QFutureWatcher<QImage>(this);
    connect(watcher, &QFutureWatcher<QImage>::finished, this, [this, watcher, request] {
        watcher->deleteLater();
        if (request != mRequest)
            return;
        mInput = watcher->result();
        refreshPictures();
        emit imageLoaded();
    });
    watcher->setFuture(QtConcurrent::run([info, bands, stretch, window]() -> QImage {
        try {
            return readTile(info, bands, stretch, window, kPictureSize);
        } catch (const std::exception &) {
            return QImage(); // shown as an empty picture; the raster's own errors show on the map
        }
    }));
}

QImage TileInspector::heatMapImage() const
{
    const auto layer = mLayers->resultLayer(mLayerId);
    if (!layer || mTileIndex < 0)
        return QImage();
    const TileRecord &t = layer->tiles()[static_cast<size_t>(mTileIndex)];
    const QImage heat = HeatMap::fromLogits(t.report.activation, 255);
    const QSize size = mInput.isNull() ? QSize(kPictureSize, kPictureSize) : mInput.size();
    QImage out(size, QImage::Format_ARGB32_Premultiplied);
    out.fill(QColor(240, 240, 240));
    QPainter p(&out);
    if (mOverlay->isChecked() && !mInput.isNull())
        p.drawImage(0, 0, mInput);
    if (!heat.isNull()) {
        p.setOpacity(mOverlay->isChecked() && !mInput.isNull() ? 0.55 : 1.0);
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        p.drawImage(QRect(QPoint(0, 0), size), heat);
    }
    return out;
}

QImage TileInspector::maskImage() const
{
    const auto layer = mLayers->resultLayer(mLayerId);
    if (!layer || mTileIndex < 0)
        return QImage();
    const TileRecord &t = layer->tiles()[static_cast<size_t>(mTileIndex)];
    const QSize size = mInput.isNull() ? QSize(kPictureSize, kPictureSize) : mInput.size();
    QImage out(size, QImage::Format_ARGB32_Premultiplied);
    out.fill(QColor(240, 240, 240));
    QPainter p(&out);
    if (!mInput.isNull()) {
        p.setOpacity(0.6);
        p.drawImage(0, 0, mInput);
        p.setOpacity(1.0);
    }
    if (!t.thumbnail.empty()) {
        const unsigned char threshold = ProbabilityDisplay::encode(static_cast<float>(layer->threshold()));
        QImage mask(t.thumbnail.cols, t.thumbnail.rows, QImage::Format_ARGB32);
        const QColor c = layer->colour();
        for (int y = 0; y < t.thumbnail.rows; ++y) {
            const unsigned char *s = t.thumbnail.ptr<unsigned char>(y);
            QRgb *o = reinterpret_cast<QRgb *>(mask.scanLine(y));
            for (int x = 0; x < t.thumbnail.cols; ++x)
                o[x] = s[x] > threshold ? qRgba(c.red(), c.green(), c.blue(), 210) : qRgba(0, 0, 0, 0);
        }
        p.drawImage(QRect(QPoint(0, 0), size), mask);
    }
    return out;
}

void TileInspector::refreshPictures()
{
    if (mTileIndex < 0)
        return;
    auto show = [](QLabel *label, const QImage &img) {
        label->setPixmap(img.isNull() ? QPixmap()
                                      : QPixmap::fromImage(img.scaled(kPictureSize, kPictureSize, Qt::KeepAspectRatio,
                                                                      Qt::SmoothTransformation)));
    };
    show(mInputView, mInput);
    show(mHeatView, heatMapImage());
    show(mMaskView, maskImage());
    if (mInput.isNull())
        mInputView->setText(tr("reading…"));
}

} // namespace rsrefseg
