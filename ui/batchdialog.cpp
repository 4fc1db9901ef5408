#include "ui/batchdialog.h"

#include "engine/querylist.h"
#include "ui/appsettings.h"
#include "ui/jobprogresspanel.h"
#include "ui/segmentationworker.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace rsrefseg {

namespace {

QWidget *withButton(QWidget *field, QToolButton *button, QWidget *parent)
{
    auto *w = new QWidget(parent);
    auto *l = new QHBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->setSpacing(4);
    l->addWidget(field, 1);
    l->addWidget(button);
    return w;
}

} // namespace

BatchDialog::BatchDialog(SegmentationWorker *worker, AppSettings *settings, QWidget *parent)
    : QDialog(parent)
    , mWorker(worker)
    , mSettings(settings)
{
    setWindowTitle(tr("Batch Segmentation"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/batch.svg")));
    setModal(false);
    setAttribute(Qt::WA_DeleteOnClose);

    auto *inputs = new QGroupBox(tr("Input"), this);
    auto *inf = new QFormLayout(inputs);
    inf->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    mInput = new QLineEdit(mSettings->value(QStringLiteral("batch/input")), inputs);
    auto *inBrowse = new QToolButton(inputs);
    inBrowse->setText(QStringLiteral("…"));
    inf->addRow(tr("Raster folder:"), withButton(mInput, inBrowse, inputs));
    mPatterns = new QLineEdit(QString::fromStdString(BatchRunner::Options().patterns), inputs);
    mPatterns->setToolTip(tr("Comma-separated file name patterns (case-insensitive)"));
    inf->addRow(tr("File patterns:"), mPatterns);
    mRecursive = new QCheckBox(tr("Include sub-folders"), inputs);
    inf->addRow(QString(), mRecursive);
    mQueries = new QPlainTextEdit(inputs);
    mQueries->setPlaceholderText(tr("One query per line, e.g.\nthe white storage tanks\nthe planes on the apron"));
    mQueries->setPlainText(mSettings->value(QStringLiteral("batch/queries")));
    mQueries->setMinimumHeight(80);
    auto *load = new QToolButton(inputs);
    load->setText(tr("Load…"));
    load->setToolTip(tr("Read the queries from a text file (one per line, # starts a comment)"));
    auto *qrow = new QWidget(inputs);
    auto *ql = new QHBoxLayout(qrow);
    ql->setContentsMargins(0, 0, 0, 0);
    ql->addWidget(mQueries, 1);
    ql->addWidget(load, 0, Qt::AlignTop);
    inf->addRow(tr("Queries:"), qrow);
    mMode = new QComboBox(inputs);
    mMode->addItem(tr("Tiled (native resolution)"), QStringLiteral("tiled"));
    mMode->addItem(tr("View (whole raster as one input)"), QStringLiteral("view"));
    inf->addRow(tr("Mode:"), mMode);

    auto *outputs = new QGroupBox(tr("Output"), this);
    auto *of = new QFormLayout(outputs);
    of->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    mOutput = new QLineEdit(mSettings->value(QStringLiteral("batch/output")), outputs);
    auto *outBrowse = new QToolButton(outputs);
    outBrowse->setText(QStringLiteral("…"));
    of->addRow(tr("Output folder:"), withButton(mOutput, outBrowse, outputs));
    auto *formats = new QWidget(outputs);
    auto *fl = new QHBoxLayout(formats);
    fl->setContentsMargins(0, 0, 0, 0);
    mMask = new QCheckBox(tr("Mask GeoTIFF"), formats);
    mMask->setChecked(true);
    mProbability = new QCheckBox(tr("Probability GeoTIFF"), formats);
    mVector = new QComboBox(formats);
    mVector->addItem(tr("No polygons"), QString());
    mVector->addItem(tr("GeoPackage"), QStringLiteral(".gpkg"));
    mVector->addItem(tr("Shapefile"), QStringLiteral(".shp"));
    mVector->addItem(tr("GeoJSON"), QStringLiteral(".geojson"));
    mVector->addItem(tr("FlatGeobuf"), QStringLiteral(".fgb"));
    mVector->setCurrentIndex(1);
    fl->addWidget(mMask);
    fl->addWidget(mProbability);
    fl->addWidget(mVector);
    fl->addStretch(1);
    of->addRow(tr("Formats:"), formats);
    mResume = new QCheckBox(tr("Resume: skip what an earlier run finished"), outputs);
    mResume->setChecked(true);
    mOverwrite = new QCheckBox(tr("Replace existing files"), outputs);
    of->addRow(QString(), mResume);
    of->addRow(QString(), mOverwrite);

    mPanel = new JobProgressPanel(this);
    auto *buttons = new QDialogButtonBox(this);
    mRun = buttons->addButton(tr("Run"), QDialogButtonBox::AcceptRole);
    mRun->setIcon(QIcon(QStringLiteral(":/icons/run.svg")));
    mCancel = buttons->addButton(tr("Cancel Batch"), QDialogButtonBox::ActionRole);
    mCancel->setEnabled(false);
    buttons->addButton(QDialogButtonBox::Close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(inputs);
    layout->addWidget(outputs);
    layout->addWidget(mPanel, 1);
    layout->addWidget(buttons);
    resize(640, 680);

    connect(inBrowse, &QToolButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Raster Folder"), mInput->text());
        if (!d.isEmpty())
            mInput->setText(d);
    });
    connect(outBrowse, &QToolButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Output Folder"), mOutput->text());
        if (!d.isEmpty())
            mOutput->setText(d);
    });
    connect(load, &QToolButton::clicked, this, &BatchDialog::loadQueries);
    connect(mRun, &QPushButton::clicked, this, [this] { startBatch(); });
    connect(mCancel, &QPushButton::clicked, this, [this] {
        if (mJobId)
            mWorker->cancel(mJobId);
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    connect(mPanel, &JobProgressPanel::finished, this, &BatchDialog::onFinished);
}

void BatchDialog::setInputFolder(const QString &dir) { mInput->setText(dir); }
void BatchDialog::setOutputFolder(const QString &dir) { mOutput->setText(dir); }
void BatchDialog::setQueries(const QStringList &queries) { mQueries->setPlainText(queries.join(QLatin1Char('\n'))); }
void BatchDialog::setResume(bool resume) { mResume->setChecked(resume); }

void BatchDialog::loadQueries()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load Queries"), QString(),
                                                      tr("Text files (*.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    try {
        QStringList lines;
        for (const std::string &q : QueryList::load(path.toStdString()))
            lines << QString::fromStdString(q);
        setQueries(lines);
    } catch (const std::exception &e) {
        mPanel->log(QString::fromStdString(e.what()));
    }
}

BatchRunner::Options BatchDialog::options(QString *error) const
{
    BatchRunner::Options o;
    o.inputDir = mInput->text().trimmed().toStdString();
    o.recursive = mRecursive->isChecked();
    o.patterns = mPatterns->text().trimmed().toStdString();
    for (QString line : mQueries->toPlainText().split(QLatin1Char('\n'))) {
        line = line.trimmed();
        if (!line.isEmpty() && !line.startsWith(QLatin1Char('#')))
            o.queries.push_back(line.toStdString());
    }
    o.outDir = mOutput->text().trimmed().toStdString();
    o.formats.mask = mMask->isChecked();
    o.formats.probability = mProbability->isChecked();
    o.formats.vectorExtension = mVector->currentData().toString().toStdString();
    o.resume = mResume->isChecked();
    o.overwrite = mOverwrite->isChecked();
    o.settings = mSettings->segmentationSettings();
    o.settings.mode = SegmentationSettings::parseMode(mMode->currentData().toString().toStdString());
    if (error) {
        error->clear();
        if (o.inputDir.empty() || !QFileInfo(QString::fromStdString(o.inputDir)).isDir())
            *error = tr("Choose an existing raster folder.");
        else if (o.queries.empty())
            *error = tr("Enter at least one query.");
        else if (o.outDir.empty())
            *error = tr("Choose an output folder.");
        else if (!o.formats.mask && !o.formats.probability && o.formats.vectorExtension.empty())
            *error = tr("Choose at least one output format.");
    }
    return o;
}

int BatchDialog::startBatch()
{
    if (mJobId)
        return 0;
    QString error;
    const BatchRunner::Options o = options(&error);
    if (!error.isEmpty()) {
        mPanel->log(error);
        return 0;
    }
    mSettings->setValue(QStringLiteral("batch/input"), mInput->text());
    mSettings->setValue(QStringLiteral("batch/output"), mOutput->text());
    mSettings->setValue(QStringLiteral("batch/queries"), mQueries->toPlainText());
    SegmentationJob job;
    job.kind = SegmentationJob::Kind::Batch;
    job.batch = o;
    mJobId = mWorker->submit(job);
    mPanel->track(mWorker, mJobId);
    mPanel->log(tr("batch queued: %n query(s)", nullptr, static_cast<int>(o.queries.size())));
    mRun->setEnabled(false);
    mCancel->setEnabled(true);
    return mJobId;
}

void BatchDialog::onFinished(const JobOutcome &outcome)
{
    mJobId = 0;
    mRun->setEnabled(true);
    mCancel->setEnabled(false);
    if (outcome.status == JobOutcome::Status::Done && outcome.batch) {
        const BatchRunner::Summary &s = *outcome.batch;
        mPanel->log(tr("%1 raster(s), %2 item(s): %3 done, %4 failed, %5 skipped (already done)")
                        .arg(s.rasters)
                        .arg(s.items)
                        .arg(s.done)
                        .arg(s.failed)
                        .arg(s.skipped));
        mPanel->log(tr("manifest: %1").arg(QString::fromStdString(s.manifest)));
    }
    emit batchFinished(outcome.status == JobOutcome::Status::Done);
}

} // namespace rsrefseg
