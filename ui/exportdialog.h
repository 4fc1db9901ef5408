// ExportDialog: writes a result layer to files with the same core code as `rsrefseg segment`:
// the layer's request runs again on the worker (image features come from the cache) with the
// chosen outputs — mask GeoTIFF, probability GeoTIFF (8-bit or float), polygons (GeoPackage,
// Shapefile, GeoJSON, FlatGeobuf) — and post-processing (simplification tolerance, minimum
// object area, hole filling). Non-modal; progress and a log at the bottom.
//
//   auto *d = new ExportDialog(layer, &worker, &settings, window);
//   d->show();
#pragma once

#include "engine/segmentationrequest.h"

#include <QDialog>

#include <memory>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLineEdit;
class QPushButton;

namespace rsrefseg {

class AppSettings;
class JobProgressPanel;
class ResultLayer;
class SegmentationWorker;
struct JobOutcome;

class ExportDialog : public QDialog
{
    Q_OBJECT
  public:
    ExportDialog(std::shared_ptr<ResultLayer> layer, SegmentationWorker *worker, AppSettings *settings,
                 QWidget *parent = nullptr);
    ~ExportDialog() override;

    // The request the Export button submits (for tests).
    SegmentationRequest request() const;
    // Starts the export; returns the job id (0 when the input is invalid; the log says why).
    int startExport();

    // Test access to the fields.
    void setMaskPath(const QString &path, bool enabled = true);
    void setProbabilityPath(const QString &path, bool enabled = true);
    void setVectorPath(const QString &path, bool enabled = true);
    void setSimplifyTolerance(double tolerance); // < 0: one pixel
    void setMinimumArea(double area, bool squareMetres);
    void setOverwrite(bool overwrite);
    JobProgressPanel *progressPanel() const { return mPanel; }

  signals:
    void exportFinished(bool success);

  protected:
    void closeEvent(QCloseEvent *event) override;

  private:
    void browse(QLineEdit *edit, const QString &filter, const QString &suffix);
    void onFormatChanged();
    void onFinished(const JobOutcome &outcome);
    void setRunning(bool running);

    std::shared_ptr<ResultLayer> mLayer;
    SegmentationWorker *mWorker;
    AppSettings *mSettings;
    QCheckBox *mMaskCheck = nullptr;
    QLineEdit *mMaskPath = nullptr;
    QCheckBox *mProbCheck = nullptr;
    QLineEdit *mProbPath = nullptr;
    QComboBox *mProbType = nullptr;
    QCheckBox *mVectorCheck = nullptr;
    QLineEdit *mVectorPath = nullptr;
    QComboBox *mVectorFormat = nullptr;
    QDoubleSpinBox *mSimplify = nullptr;
    QDoubleSpinBox *mMinArea = nullptr;
    QDoubleSpinBox *mMaxHole = nullptr;
    QComboBox *mAreaUnit = nullptr;
    QCheckBox *mOverwrite = nullptr;
    JobProgressPanel *mPanel = nullptr;
    QPushButton *mExportButton = nullptr;
    QPushButton *mCancelButton = nullptr;
    QDialogButtonBox *mButtons = nullptr;
    int mJobId = 0;
};

} // namespace rsrefseg
