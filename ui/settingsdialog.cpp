#include "ui/settingsdialog.h"

#include "model/rsrefseg/computedevices.h"
#include "ui/appsettings.h"
#include "ui/bundlestatus.h"
#include "ui/translationloader.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

namespace rsrefseg {

SettingsDialog::SettingsDialog(AppSettings *settings, QWidget *parent)
    : QDialog(parent)
    , mSettings(settings)
{
    setWindowTitle(tr("Settings"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/settings.svg")));

    auto *model = new QGroupBox(tr("Model"), this);
    auto *mf = new QFormLayout(model);
    mf->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    mBundle = new QLineEdit(model);
    mBundle->setPlaceholderText(tr("the bundled model"));
    mBundle->setClearButtonEnabled(true);
    auto *browse = new QToolButton(model);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose a model bundle folder (made with 'rsrefseg model import')"));
    auto *bundleRow = new QWidget(model);
    auto *bl = new QHBoxLayout(bundleRow);
    bl->setContentsMargins(0, 0, 0, 0);
    bl->addWidget(mBundle, 1);
    bl->addWidget(browse);
    mf->addRow(tr("Model bundle:"), bundleRow);
    mModelStatus = new QLabel(model);
    mModelStatus->setWordWrap(true);
    // A word-wrapped label in a form row otherwise gets the width of its first words and too
    // little height (Qt's height-for-width in QFormLayout): give it the row's width.
    mModelStatus->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::MinimumExpanding);
    mModelStatus->setMinimumWidth(380);
    mModelStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    mf->addRow(QString(), mModelStatus);
    mDevice = new QComboBox(model);
    // What this LibTorch build can use: the CPU, and each CUDA GPU when there is one.
    for (const ComputeDevices::Device &d : ComputeDevices::available()) {
        const QString name = QString::fromStdString(d.name);
        if (name == QLatin1String("cpu"))
            mDevice->addItem(tr("CPU"), name);
        else
            mDevice->addItem(tr("CUDA GPU %1").arg(name.mid(5)), name);
    }
    mf->addRow(tr("Device:"), mDevice);
    mDtype = new QComboBox(model);
    mDtype->addItem(tr("32-bit float (exact)"), QStringLiteral("f32"));
    mDtype->addItem(tr("bfloat16 (faster on recent CPUs)"), QStringLiteral("bf16"));
    mDtype->addItem(tr("float16 (GPU only)"), QStringLiteral("f16"));
    mf->addRow(tr("Number type:"), mDtype);
    mThreads = new QSpinBox(model);
    mThreads->setRange(0, 256);
    mThreads->setSpecialValueText(tr("automatic (%1)").arg(QThread::idealThreadCount()));
    mf->addRow(tr("Threads:"), mThreads);

    auto *seg = new QGroupBox(tr("Segmentation"), this);
    auto *sf = new QFormLayout(seg);
    mTileSize = new QSpinBox(seg);
    mTileSize->setRange(16, 8192);
    mTileSize->setSingleStep(64);
    mTileSize->setSuffix(tr(" px"));
    mTileSize->setToolTip(tr("Tiled mode: native pixels per tile side"));
    sf->addRow(tr("Tile size:"), mTileSize);
    mOverlap = new QSpinBox(seg);
    mOverlap->setRange(0, 4096);
    mOverlap->setSingleStep(16);
    mOverlap->setSuffix(tr(" px"));
    mOverlap->setToolTip(tr("Pixels shared by neighbouring tiles (blended without seams)"));
    sf->addRow(tr("Overlap:"), mOverlap);
    mGate = new QDoubleSpinBox(seg);
    mGate->setRange(0.0, 0.99);
    mGate->setDecimals(3);
    mGate->setSingleStep(0.01);
    mGate->setSpecialValueText(tr("off"));
    mGate->setToolTip(tr("Tiles whose relevance (SigLIP's best patch match) is below this get no mask"));
    sf->addRow(tr("Gate threshold:"), mGate);

    auto *cache = new QGroupBox(tr("Embedding cache"), this);
    auto *cf = new QFormLayout(cache);
    cf->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    mCacheBudget = new QSpinBox(cache);
    mCacheBudget->setRange(0, 1 << 20);
    mCacheBudget->setSingleStep(256);
    mCacheBudget->setSuffix(tr(" MB"));
    mCacheBudget->setSpecialValueText(tr("no memory cache"));
    cf->addRow(tr("Memory budget:"), mCacheBudget);
    mCacheDir = new QLineEdit(cache);
    mCacheDir->setPlaceholderText(tr("memory only"));
    mCacheDir->setClearButtonEnabled(true);
    auto *cacheBrowse = new QToolButton(cache);
    cacheBrowse->setText(QStringLiteral("…"));
    auto *cacheRow = new QWidget(cache);
    auto *cl = new QHBoxLayout(cacheRow);
    cl->setContentsMargins(0, 0, 0, 0);
    cl->addWidget(mCacheDir, 1);
    cl->addWidget(cacheBrowse);
    cf->addRow(tr("Disk cache folder:"), cacheRow);

    auto *ui = new QGroupBox(tr("Interface"), this);
    auto *uf = new QFormLayout(ui);
    mLanguage = new QComboBox(ui);
    mLanguage->addItem(tr("System default"), QStringLiteral("system"));
    for (const QString &code : TranslationLoader::available())
        mLanguage->addItem(TranslationLoader::nativeName(code), code);
    uf->addRow(tr("Language:"), mLanguage);
    auto *note = new QLabel(tr("A new language applies when the application restarts."), ui);
    note->setStyleSheet(QStringLiteral("color: #666;"));
    uf->addRow(QString(), note);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel |
                                             QDialogButtonBox::RestoreDefaults,
                                         this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(model);
    layout->addWidget(seg);
    layout->addWidget(cache);
    layout->addWidget(ui);
    layout->addStretch(1);
    layout->addWidget(buttons);
    resize(560, sizeHint().height());

    connect(browse, &QToolButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Model Bundle"), mBundle->text());
        if (!d.isEmpty())
            mBundle->setText(d);
    });
    connect(cacheBrowse, &QToolButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Cache Folder"), mCacheDir->text());
        if (!d.isEmpty())
            mCacheDir->setText(d);
    });
    connect(mBundle, &QLineEdit::textChanged, this, &SettingsDialog::updateModelStatus);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        apply();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, [this] {
        const QString language = mSettings->language();
        mSettings->restoreDefaults();
        loadFromSettings();
        mLanguageChanged = language != mSettings->language();
    });
    loadFromSettings();
}

void SettingsDialog::loadFromSettings()
{
    mBundle->setText(mSettings->modelBundle());
    // A saved GPU that this machine lacks stays visible (and is refused with a clear message
    // when the model loads) rather than being silently replaced by the CPU.
    QString device = mSettings->device();
    if (device == QLatin1String("cuda"))
        device = QStringLiteral("cuda:0");
    if (mDevice->findData(device) < 0 && device.startsWith(QLatin1String("cuda")))
        mDevice->addItem(tr("%1 (not available)").arg(device), device);
    mDevice->setCurrentIndex(std::max(0, mDevice->findData(device)));
    mDtype->setCurrentIndex(std::max(0, mDtype->findData(mSettings->dtype())));
    mThreads->setValue(mSettings->threads());
    mTileSize->setValue(mSettings->tileSize());
    mOverlap->setValue(mSettings->overlap());
    mGate->setValue(mSettings->gateThreshold());
    mCacheBudget->setValue(mSettings->cacheBudgetMb());
    mCacheDir->setText(mSettings->cacheDir());
    mLanguage->setCurrentIndex(std::max(0, mLanguage->findData(mSettings->language())));
    updateModelStatus();
}

void SettingsDialog::updateModelStatus()
{
    const BundleStatus s = BundleStatus::of(mBundle->text().trimmed());
    if (!s.valid) {
        mModelStatus->setText(QStringLiteral("<span style='color:#c62828'>%1</span>").arg(s.error.toHtmlEscaped()));
        return;
    }
    const QString trained = s.trained ? tr("trained")
                                      : QStringLiteral("<b style='color:#c62828'>%1</b>").arg(tr("UNTRAINED: masks are meaningless"));
    mModelStatus->setText(QStringLiteral("%1 — %2<br><span style='color:#666'>%3</span>")
                              .arg(s.name.toHtmlEscaped(), trained, s.dir.toHtmlEscaped()));
}

void SettingsDialog::apply()
{
    const QString language = mLanguage->currentData().toString();
    mLanguageChanged = mLanguageChanged || language != mSettings->language();
    mSettings->setModelBundle(mBundle->text().trimmed());
    mSettings->setDevice(mDevice->currentData().toString());
    mSettings->setDtype(mDtype->currentData().toString());
    mSettings->setThreads(mThreads->value());
    mSettings->setTileSize(mTileSize->value());
    // The overlap must stay below the tile size (the engine refuses otherwise).
    mSettings->setOverlap(std::min(mOverlap->value(), mTileSize->value() - 1));
    mSettings->setGateThreshold(mGate->value());
    mSettings->setCacheBudgetMb(mCacheBudget->value());
    mSettings->setCacheDir(mCacheDir->text().trimmed());
    mSettings->setLanguage(language);
    mSettings->sync();
}

void SettingsDialog::setTileSize(int pixels) { mTileSize->setValue(pixels); }
void SettingsDialog::setOverlap(int pixels) { mOverlap->setValue(pixels); }
void SettingsDialog::setGateThreshold(double threshold) { mGate->setValue(threshold); }
void SettingsDialog::setCacheBudgetMb(int mb) { mCacheBudget->setValue(mb); }
void SettingsDialog::setLanguage(const QString &code)
{
    mLanguage->setCurrentIndex(std::max(0, mLanguage->findData(code)));
}
void SettingsDialog::setModelBundle(const QString &dir) { mBundle->setText(dir); }

} // namespace rsrefseg
