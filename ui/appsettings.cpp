#include "ui/appsettings.h"

#include <QSettings>

#include <algorithm>

namespace rsrefseg {

namespace {

// Stable keys: the settings file outlives versions of the application.
const QString kModelBundle = QStringLiteral("model/bundle");
const QString kDevice = QStringLiteral("model/device");
const QString kDtype = QStringLiteral("model/dtype");
const QString kThreads = QStringLiteral("model/threads");
const QString kTileSize = QStringLiteral("segmentation/tileSize");
const QString kOverlap = QStringLiteral("segmentation/overlap");
const QString kGate = QStringLiteral("segmentation/gateThreshold");
const QString kCacheBudget = QStringLiteral("cache/budgetMb");
const QString kCacheDir = QStringLiteral("cache/dir");
const QString kLanguage = QStringLiteral("ui/language");
const QString kTileGrid = QStringLiteral("ui/showTileGrid");
const QString kRecent = QStringLiteral("ui/recentFiles");
const QString kHistory = QStringLiteral("ui/queryHistory");
const QString kGeometry = QStringLiteral("ui/windowGeometry");
const QString kState = QStringLiteral("ui/windowState");

} // namespace

AppSettings::AppSettings(const QString &iniPath, QObject *parent)
    : QObject(parent)
    , mSettings(iniPath.isEmpty() ? std::make_unique<QSettings>()
                                  : std::make_unique<QSettings>(iniPath, QSettings::IniFormat))
{
}

AppSettings::~AppSettings()
{
    mSettings->sync();
}

QString AppSettings::modelBundle() const { return mSettings->value(kModelBundle).toString(); }
void AppSettings::setModelBundle(const QString &dir)
{
    mSettings->setValue(kModelBundle, dir);
    emit changed();
}

QString AppSettings::device() const { return mSettings->value(kDevice, QStringLiteral("cpu")).toString(); }
void AppSettings::setDevice(const QString &device)
{
    mSettings->setValue(kDevice, device);
    emit changed();
}

QString AppSettings::dtype() const { return mSettings->value(kDtype, QStringLiteral("f32")).toString(); }
void AppSettings::setDtype(const QString &dtype)
{
    mSettings->setValue(kDtype, dtype);
    emit changed();
}

int AppSettings::threads() const { return std::max(0, mSettings->value(kThreads, 0).toInt()); }
void AppSettings::setThreads(int threads)
{
    mSettings->setValue(kThreads, std::max(0, threads));
    emit changed();
}

int AppSettings::tileSize() const
{
    return mSettings->value(kTileSize, SegmentationSettings().tileSize).toInt();
}
void AppSettings::setTileSize(int pixels)
{
    mSettings->setValue(kTileSize, pixels);
    emit changed();
}

int AppSettings::overlap() const { return mSettings->value(kOverlap, SegmentationSettings().overlap).toInt(); }
void AppSettings::setOverlap(int pixels)
{
    mSettings->setValue(kOverlap, pixels);
    emit changed();
}

double AppSettings::gateThreshold() const
{
    return mSettings->value(kGate, SegmentationSettings().gateThreshold).toDouble();
}
void AppSettings::setGateThreshold(double threshold)
{
    mSettings->setValue(kGate, threshold);
    emit changed();
}

int AppSettings::cacheBudgetMb() const { return std::max(0, mSettings->value(kCacheBudget, 1024).toInt()); }
void AppSettings::setCacheBudgetMb(int mb)
{
    mSettings->setValue(kCacheBudget, std::max(0, mb));
    emit changed();
}

QString AppSettings::cacheDir() const { return mSettings->value(kCacheDir).toString(); }
void AppSettings::setCacheDir(const QString &dir)
{
    mSettings->setValue(kCacheDir, dir);
    emit changed();
}

QString AppSettings::language() const { return mSettings->value(kLanguage, QStringLiteral("system")).toString(); }
void AppSettings::setLanguage(const QString &language)
{
    mSettings->setValue(kLanguage, language);
    emit changed();
}

bool AppSettings::showTileGrid() const { return mSettings->value(kTileGrid, true).toBool(); }
void AppSettings::setShowTileGrid(bool show)
{
    mSettings->setValue(kTileGrid, show);
}

QStringList AppSettings::recentFiles() const { return mSettings->value(kRecent).toStringList(); }

void AppSettings::addRecentFile(const QString &path)
{
    QStringList files = recentFiles();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    mSettings->setValue(kRecent, files);
    emit recentFilesChanged();
}

void AppSettings::clearRecentFiles()
{
    mSettings->remove(kRecent);
    emit recentFilesChanged();
}

QStringList AppSettings::queryHistory() const { return mSettings->value(kHistory).toStringList(); }

void AppSettings::addQuery(const QString &query)
{
    const QString q = query.trimmed();
    if (q.isEmpty())
        return;
    QStringList history = queryHistory();
    history.removeAll(q);
    history.prepend(q);
    while (history.size() > kMaxQueryHistory)
        history.removeLast();
    mSettings->setValue(kHistory, history);
}

QByteArray AppSettings::windowGeometry() const { return mSettings->value(kGeometry).toByteArray(); }
void AppSettings::setWindowGeometry(const QByteArray &geometry) { mSettings->setValue(kGeometry, geometry); }
QByteArray AppSettings::windowState() const { return mSettings->value(kState).toByteArray(); }
void AppSettings::setWindowState(const QByteArray &state) { mSettings->setValue(kState, state); }

QString AppSettings::value(const QString &key, const QString &fallback) const
{
    return mSettings->value(QStringLiteral("memory/") + key, fallback).toString();
}

void AppSettings::setValue(const QString &key, const QString &value)
{
    mSettings->setValue(QStringLiteral("memory/") + key, value);
}

SegmentationSettings AppSettings::segmentationSettings() const
{
    SegmentationSettings s;
    s.tileSize = tileSize();
    s.overlap = overlap();
    s.gateThreshold = gateThreshold();
    return s;
}

ModelSpec AppSettings::modelSpec(const QString &resolvedBundle) const
{
    ModelSpec spec;
    spec.bundleDir = resolvedBundle;
    spec.device = device();
    spec.dtype = dtype();
    spec.threads = threads();
    spec.cacheBudgetMb = cacheBudgetMb();
    spec.cacheDir = cacheDir();
    return spec;
}

void AppSettings::restoreDefaults()
{
    for (const QString &key : {kModelBundle, kDevice, kDtype, kThreads, kTileSize, kOverlap, kGate, kCacheBudget,
                               kCacheDir, kLanguage})
        mSettings->remove(key);
    emit changed();
}

void AppSettings::sync() { mSettings->sync(); }

QString AppSettings::fileName() const { return mSettings->fileName(); }

} // namespace rsrefseg
