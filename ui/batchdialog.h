// BatchDialog: runs every raster of a folder against a list of queries with the same
// BatchRunner as `rsrefseg batch` (outputs <out>/<raster>/<query slug>.<ext>, a manifest of
// finished items, resume), as a job on the segmentation worker with progress and a log.
//
//   auto *d = new BatchDialog(&worker, &settings, window);
//   d->show();
#pragma once

#include "engine/batchrunner.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace rsrefseg {

class AppSettings;
class JobProgressPanel;
class SegmentationWorker;
struct JobOutcome;

class BatchDialog : public QDialog
{
    Q_OBJECT
  public:
    BatchDialog(SegmentationWorker *worker, AppSettings *settings, QWidget *parent = nullptr);

    // The options the Run button submits; `error` says what is missing (empty: valid).
    BatchRunner::Options options(QString *error) const;
    int startBatch(); // job id, 0 when the input is invalid (the log says why)

    void setInputFolder(const QString &dir);
    void setOutputFolder(const QString &dir);
    void setQueries(const QStringList &queries);
    void setResume(bool resume);
    JobProgressPanel *progressPanel() const { return mPanel; }

  signals:
    void batchFinished(bool success);

  private:
    void loadQueries();
    void onFinished(const JobOutcome &outcome);

    SegmentationWorker *mWorker;
    AppSettings *mSettings;
    QLineEdit *mInput = nullptr;
    QCheckBox *mRecursive = nullptr;
    QLineEdit *mPatterns = nullptr;
    QPlainTextEdit *mQueries = nullptr;
    QLineEdit *mOutput = nullptr;
    QComboBox *mMode = nullptr;
    QCheckBox *mMask = nullptr;
    QCheckBox *mProbability = nullptr;
    QComboBox *mVector = nullptr;
    QCheckBox *mResume = nullptr;
    QCheckBox *mOverwrite = nullptr;
    JobProgressPanel *mPanel = nullptr;
    QPushButton *mRun = nullptr;
    QPushButton *mCancel = nullptr;
    int mJobId = 0;
};

} // namespace rsrefseg
