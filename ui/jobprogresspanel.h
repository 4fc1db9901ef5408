// JobProgressPanel: the bottom of the export and batch dialogs: a progress bar, a status line
// and a log of what the job said (stages, warnings, the outcome), fed from the worker's
// signals for one job id.
//
//   panel->track(worker, jobId);            // follows that job until it finishes
//   connect(panel, &JobProgressPanel::finished, dialog, ...);
#pragma once

#include "ui/segmentationjob.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;

namespace rsrefseg {

class SegmentationWorker;

class JobProgressPanel : public QWidget
{
    Q_OBJECT
  public:
    explicit JobProgressPanel(QWidget *parent = nullptr);

    void track(SegmentationWorker *worker, int jobId);
    int jobId() const { return mJobId; }
    bool isRunning() const { return mJobId != 0; }
    void log(const QString &line);
    QString logText() const;
    void reset();
    // The engine's stage ids ("tiles", "polygons", ...) as translated text.
    static QString stageText(const QString &stage);

  signals:
    void finished(const rsrefseg::JobOutcome &outcome);

  private:
    QProgressBar *mProgress = nullptr;
    QLabel *mStatus = nullptr;
    QPlainTextEdit *mLog = nullptr;
    int mJobId = 0;
    QString mLastStage;
    QMetaObject::Connection mConnections[5];
};

} // namespace rsrefseg
