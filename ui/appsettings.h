// AppSettings: the desktop application's persistent settings (QSettings) with typed accessors
// and the defaults shared with the command line (SegmentationSettings). One instance is
// created by main() (or a test, with its own INI file) and handed to the main window.
//
//   AppSettings settings;                            // the user's settings
//   AppSettings testSettings("/tmp/x/settings.ini"); // a test's own file
//   settings.setTileSize(512);
//   SegmentationSettings s = settings.segmentationSettings();
//   worker.setModelSpec(settings.modelSpec());
#pragma once

#include "engine/segmentationsettings.h"
#include "ui/modelspec.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

class QSettings;

namespace rsrefseg {

class AppSettings : public QObject
{
    Q_OBJECT
  public:
    // Empty path: the platform's settings store for the application's organisation/name.
    explicit AppSettings(const QString &iniPath = QString(), QObject *parent = nullptr);
    ~AppSettings() override;

    // Model and device.
    QString modelBundle() const; // empty: the bundled model (BundledModels)
    void setModelBundle(const QString &dir);
    QString device() const;
    void setDevice(const QString &device);
    QString dtype() const;
    void setDtype(const QString &dtype);
    int threads() const;
    void setThreads(int threads);

    // Segmentation.
    int tileSize() const;
    void setTileSize(int pixels);
    int overlap() const;
    void setOverlap(int pixels);
    double gateThreshold() const;
    void setGateThreshold(double threshold);

    // Embedding cache.
    int cacheBudgetMb() const;
    void setCacheBudgetMb(int mb);
    QString cacheDir() const; // empty: memory only
    void setCacheDir(const QString &dir);

    // Interface. Language: "system", "en", "zh_CN", "de".
    QString language() const;
    void setLanguage(const QString &language);
    bool showTileGrid() const;
    void setShowTileGrid(bool show);

    // Recent rasters (most recent first, at most kMaxRecentFiles) and query history.
    static constexpr int kMaxRecentFiles = 10;
    static constexpr int kMaxQueryHistory = 50;
    QStringList recentFiles() const;
    void addRecentFile(const QString &path);
    void clearRecentFiles();
    QStringList queryHistory() const;
    void addQuery(const QString &query);

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);

    // Dialog memories (last folders, export choices).
    QString value(const QString &key, const QString &fallback = QString()) const;
    void setValue(const QString &key, const QString &value);

    // Derived values.
    SegmentationSettings segmentationSettings() const;
    ModelSpec modelSpec(const QString &resolvedBundle) const;

    void restoreDefaults(); // segmentation, model, cache and language settings
    void sync();
    QString fileName() const;

  signals:
    void changed();
    void recentFilesChanged();

  private:
    std::unique_ptr<QSettings> mSettings;
};

} // namespace rsrefseg
