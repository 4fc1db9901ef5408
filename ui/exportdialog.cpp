#include "ui/exportdialog.h"

#include "engine/querylist.h"
#include "ui/appsettings.h"
#include "ui/jobprogresspanel.h"
#include "ui/resultlayer.h"
#include "ui/segmentationworker.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace rsrefseg {

namespace {

QWidget *pathRow(QLineEdit *edit, QToolButton *button, QWidget *extra, QWidget *parent)
{
    auto *w = new QWidget(parent);
    auto *l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->setSpacing(4);
    l->addWidget(edit, 1);
    l->addWidget(button);
    if (extra)
        l->addWidget(extra);
    return w;
}

} // namespace

ExportDialog::ExportDialog(std::shared_ptr<ResultLayer> layer, SegmentationWorker *worker, AppSettings *settings,
                           QWidget *parent)
    : QDialog(parent)
    , mLayer(std::move(layer))
    , mWorker(worker)
    , mSettings(settings)
{
    setWindowTitle(tr("Export Result — %1").arg(mLayer->name()));
    setWindowIcon(QIcon(QStringLiteral(":/icons/export.svg")));
    setModal(false);
    setAttribute(Qt::WA_DeleteOnClose);

    // Default file names: <raster stem>_<query slug>.<ext> in the last export folder.
    const QFileInfo raster(QString::fromStdString(mLayer->request().raster));
    const QString folder = mSettings->value(QStringLiteral("export/folder"), raster.absolutePath());
    const QString base = QDir(folder).filePath(raster.completeBaseName() + QLatin1Char('_') +
                                               QString::fromStdString(QueryList::slug(mLayer->query().toStdString())));

    auto *outputs = new QGroupBox(tr("Outputs"), this);
    auto *of = new QFormLayout(outputs);
    of->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    mMaskCheck = new QCheckBox(tr("Mask GeoTIFF"), outputs);
    mMaskCheck->setChecked(true);
    mMaskPath = new QLineEdit(base + QStringLiteral(".tif"), outputs);
    auto *maskBrowse = new QToolButton(outputs);
    maskBrowse->setText(QStringLiteral("…"));
    of->addRow(mMaskCheck, pathRow(mMaskPath, maskBrowse, nullptr, outputs));

    mProbCheck = new QCheckBox(tr("Probability GeoTIFF"), outputs);
    mProbPath = new QLineEdit(base + QStringLiteral(".prob.tif"), outputs);
    auto *probBrowse = new QToolButton(outputs);
    probBrowse->setText(QStringLiteral("…"));
    mProbType = new QComboBox(outputs);
    mProbType->addItem(tr("8-bit (0-254)"), QStringLiteral("uint8"));
    mProbType->addItem(tr("32-bit float"), QStringLiteral("float32"));
    of->addRow(mProbCheck, pathRow(mProbPath, probBrowse, mProbType, outputs));

    mVectorCheck = new QCheckBox(tr("Polygons"), outputs);
    mVectorCheck->setChecked(true);
    mVectorFormat = new QComboBox(outputs);
    mVectorFormat->addItem(tr("GeoPackage"), QStringLiteral(".gpkg"));
    mVectorFormat->addItem(tr("Shapefile"), QStringLiteral(".shp"));
    mVectorFormat->addItem(tr("GeoJSON"), QStringLiteral(".geojson"));
    mVectorFormat->addItem(tr("FlatGeobuf"), QStringLiteral(".fgb"));
    const int fmt = mVectorFormat->findData(mSettings->value(QStringLiteral("export/vectorFormat"), QStringLiteral(".gpkg")));
    mVectorFormat->setCurrentIndex(std::max(0, fmt));
    mVectorPath = new QLineEdit(base + mVectorFormat->currentData().toString(), outputs);
    auto *vectorBrowse = new QToolButton(outputs);
    vectorBrowse->setText(QStringLiteral("…"));
    of->addRow(mVectorCheck, pathRow(mVectorPath, vectorBrowse, mVectorFormat, outputs));

    auto *post = new QGroupBox(tr("Post-processing"), this);
    auto *pf = new QFormLayout(post);
    mSimplify = new QDoubleSpinBox(post);
    mSimplify->setRange(-1.0, 1e6);
    mSimplify->setDecimals(3);
    mSimplify->setSpecialValueText(tr("one pixel (default)"));
    mSimplify->setValue(-1.0);
    mSimplify->setSuffix(QLatin1Char(' ') + QString::fromStdString(mLayer->rasterInfo().units));
    mSimplify->setToolTip(tr("Douglas-Peucker tolerance in map units (topology preserving); 0 keeps every vertex."));
    pf->addRow(tr("Simplification tolerance:"), mSimplify);
    mAreaUnit = new QComboBox(post);
    mAreaUnit->addItem(tr("pixels"), QStringLiteral("px"));
    mAreaUnit->addItem(tr("m²"), QStringLiteral("m2"));
    if (!mLayer->rasterInfo().isGeoreferenced())
        mAreaUnit->setEnabled(false);
    mMinArea = new QDoubleSpinBox(post);
    mMinArea->setRange(0.0, 1e12);
    mMinArea->setDecimals(1);
    mMinArea->setToolTip(tr("Objects smaller than this are removed (0 keeps all)."));
    mMaxHole = new QDoubleSpinBox(post);
    mMaxHole->setRange(0.0, 1e12);
    mMaxHole->setDecimals(1);
    mMaxHole->setToolTip(tr("Holes smaller than this are filled (0 fills none)."));
    auto *areaRow = new QWidget(post);
    auto *al = new QHBoxLayout(areaRow);
    al->setContentsMargins(0, 0, 0, 0);
    al->addWidget(mMinArea, 1);
    al->addWidget(mAreaUnit);
    pf->addRow(tr("Minimum object area:"), areaRow);
    pf->addRow(tr("Fill holes smaller than:"), mMaxHole);
    mOverwrite = new QCheckBox(tr("Replace existing files"), post);
    pf->addRow(QString(), mOverwrite);

    mPanel = new JobProgressPanel(this);
    mButtons = new QDialogButtonBox(this);
    mExportButton = mButtons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    mExportButton->setIcon(QIcon(QStringLiteral(":/icons/export.svg")));
    mCancelButton = mButtons->addButton(tr("Cancel Export"), QDialogButtonBox::ActionRole);
    mCancelButton->setEnabled(false);
    mButtons->addButton(QDialogButtonBox::Close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(outputs);
    layout->addWidget(post);
    layout->addWidget(mPanel, 1);
    layout->addWidget(mButtons);
    resize(640, 560);

    connect(maskBrowse, &QToolButton::clicked, this, [this] {
        browse(mMaskPath, tr("GeoTIFF (*.tif *.tiff)"), QStringLiteral(".tif"));
    });
    connect(probBrowse, &QToolButton::clicked, this, [this] {
        browse(mProbPath, tr("GeoTIFF (*.tif *.tiff)"), QStringLiteral(".tif"));
    });
    connect(vectorBrowse, &QToolButton::clicked, this, [this] {
        const QString ext = mVectorFormat->currentData().toString();
        browse(mVectorPath, mVectorFormat->currentText() + QStringLiteral(" (*") + ext + QLatin1Char(')'), ext);
    });
    connect(mVectorFormat, &QComboBox::currentIndexChanged, this, &ExportDialog::onFormatChanged);
    connect(mExportButton, &QPushButton::clicked, this, [this] { startExport(); });
    connect(mCancelButton, &QPushButton::clicked, this, [this] {
        if (mJobId)
            mWorker->cancel(mJobId);
    });
    connect(mButtons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(mPanel, &JobProgressPanel::finished, this, &ExportDialog::onFinished);
    for (QCheckBox *c : {mMaskCheck, mProbCheck, mVectorCheck})
        connect(c, &QCheckBox::toggled, this, [this] {
            mMaskPath->setEnabled(mMaskCheck->isChecked());
            mProbPath->setEnabled(mProbCheck->isChecked());
            mProbType->setEnabled(mProbCheck->isChecked());
            mVectorPath->setEnabled(mVectorCheck->isChecked());
            mVectorFormat->setEnabled(mVectorCheck->isChecked());
        });
    mProbPath->setEnabled(false);
    mProbType->setEnabled(false);
}

ExportDialog::~ExportDialog()
{
    // A running export goes on: its files appear when it finishes (the main window logs it).
}

void ExportDialog::browse(QLineEdit *edit, const QString &filter, const QString &suffix)
{
    QString path = QFileDialog::getSaveFileName(this, tr("Export To"), edit->text(), filter);
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += suffix;
    edit->setText(path);
}

void ExportDialog::onFormatChanged()
{
    const QString ext = mVectorFormat->currentData().toString();
    QString path = mVectorPath->text();
    for (const char *old : {".gpkg", ".shp", ".geojson", ".json", ".fgb"})
        if (path.endsWith(QLatin1String(old), Qt::CaseInsensitive)) {
            path.chop(static_cast<int>(qstrlen(old)));
            break;
        }
    mVectorPath->setText(path + ext);
}

void ExportDialog::setMaskPath(const QString &path, bool enabled)
{
    mMaskPath->setText(path);
    mMaskCheck->setChecked(enabled);
}

void ExportDialog::setProbabilityPath(const QString &path, bool enabled)
{
    mProbPath->setText(path);
    mProbCheck->setChecked(enabled);
}

void ExportDialog::setVectorPath(const QString &path, bool enabled)
{
    mVectorPath->setText(path);
    mVectorCheck->setChecked(enabled);
}

void ExportDialog::setSimplifyTolerance(double tolerance) { mSimplify->setValue(tolerance < 0 ? -1.0 : tolerance); }

void ExportDialog::setMinimumArea(double area, bool squareMetres)
{
    mMinArea->setValue(area);
    mAreaUnit->setCurrentIndex(squareMetres ? 1 : 0);
}

void ExportDialog::setOverwrite(bool overwrite) { mOverwrite->setChecked(overwrite); }

SegmentationRequest ExportDialog::request() const
{
    SegmentationRequest r = mLayer->request();
    QueryOutputs o;
    if (mMaskCheck->isChecked())
        o.mask = mMaskPath->text().trimmed().toStdString();
    if (mProbCheck->isChecked())
        o.probability = mProbPath->text().trimmed().toStdString();
    if (mVectorCheck->isChecked())
        o.vector = mVectorPath->text().trimmed().toStdString();
    r.outputs = {o};
    r.overwrite = mOverwrite->isChecked();
    r.workDir.clear(); // scratch files next to the outputs (same filesystem)
    SegmentationSettings &s = r.settings;
    s.simplifyTolerance = mSimplify->value() < 0.0 ? std::optional<double>() : std::optional<double>(mSimplify->value());
    s.minObjectArea = mMinArea->value();
    s.maxHoleArea = mMaxHole->value();
    s.areaUnit = mAreaUnit->currentData().toString() == QLatin1String("m2") ? SegmentationSettings::AreaUnit::SquareMetres
                                                                            : SegmentationSettings::AreaUnit::Pixels;
    s.probabilityType = SegmentationSettings::parseProbabilityType(mProbType->currentData().toString().toStdString());
    return r;
}

int ExportDialog::startExport()
{
    if (mJobId)
        return 0;
    const SegmentationRequest r = request();
    if (r.outputs.front().empty()) {
        mPanel->log(tr("Choose at least one output."));
        return 0;
    }
    SegmentationJob job;
    job.kind = SegmentationJob::Kind::Export;
    job.request = r;
    mJobId = mWorker->submit(job);
    mPanel->track(mWorker, mJobId);
    mPanel->log(tr("export of \"%1\" queued").arg(mLayer->query()));
    const QueryOutputs &o = r.outputs.front();
    for (const std::string &p : {o.mask, o.probability, o.vector})
        if (!p.empty())
            mPanel->log(tr("output: %1").arg(QString::fromStdString(p)));
    const std::string first = !o.mask.empty() ? o.mask : !o.vector.empty() ? o.vector : o.probability;
    mSettings->setValue(QStringLiteral("export/folder"), QFileInfo(QString::fromStdString(first)).absolutePath());
    mSettings->setValue(QStringLiteral("export/vectorFormat"), mVectorFormat->currentData().toString());
    setRunning(true);
    return mJobId;
}

void ExportDialog::setRunning(bool running)
{
    mExportButton->setEnabled(!running);
    mCancelButton->setEnabled(running);
}

void ExportDialog::onFinished(const JobOutcome &outcome)
{
    mJobId = 0;
    setRunning(false);
    if (outcome.status == JobOutcome::Status::Done && outcome.result && !outcome.result->queries.empty()) {
        const QueryResult &q = outcome.result->queries.front();
        mPanel->log(tr("%n polygon(s) written", nullptr, static_cast<int>(q.polygonCount)));
    }
    emit exportFinished(outcome.status == JobOutcome::Status::Done);
}

void ExportDialog::closeEvent(QCloseEvent *event)
{
    QDialog::closeEvent(event);
}

} // namespace rsrefseg
