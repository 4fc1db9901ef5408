#include "ui/jobprogresspanel.h"

#include "ui/segmentationworker.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QTime>
#include <QVBoxLayout>

namespace rsrefseg {

JobProgressPanel::JobProgressPanel(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    mProgress = new QProgressBar(this);
    mProgress->setRange(0, 1000);
    mProgress->setValue(0);
    mProgress->setTextVisible(false); // no "0 %" before anything ran
    mStatus = new QLabel(this);
    mStatus->setStyleSheet(QStringLiteral("color: #444;"));
    mLog = new QPlainTextEdit(this);
    mLog->setReadOnly(true);
    mLog->setMaximumBlockCount(5000);
    mLog->setMinimumHeight(90);
    mLog->setPlaceholderText(tr("The job's log appears here."));
    layout->addWidget(mProgress);
    layout->addWidget(mStatus);
    layout->addWidget(mLog, 1);
}

QString JobProgressPanel::stageText(const QString &stage)
{
    if (stage == QLatin1String("tiles"))
        return tr("tiles");
    if (stage == QLatin1String("view"))
        return tr("view");
    if (stage == QLatin1String("components"))
        return tr("connected components");
    if (stage == QLatin1String("polygons"))
        return tr("polygons");
    if (stage == QLatin1String("small objects"))
        return tr("removing small objects");
    if (stage == QLatin1String("holes"))
        return tr("filling holes");
    if (stage == QLatin1String("done"))
        return tr("done");
    return stage;
}

void JobProgressPanel::reset()
{
    mProgress->setValue(0);
    mStatus->clear();
    mLastStage.clear();
}

void JobProgressPanel::log(const QString &line)
{
    mLog->appendPlainText(QStringLiteral("%1  %2").arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss")), line));
}

QString JobProgressPanel::logText() const { return mLog->toPlainText(); }

void JobProgressPanel::track(SegmentationWorker *worker, int jobId)
{
    for (auto &c : mConnections)
        disconnect(c);
    reset();
    mProgress->setTextVisible(true);
    mJobId = jobId;
    mConnections[0] = connect(worker, &SegmentationWorker::jobStarted, this, [this](int id) {
        if (id == mJobId)
            log(tr("started"));
    });
    mConnections[1] = connect(worker, &SegmentationWorker::jobProgress, this,
                              [this](int id, double fraction, const QString &stage, const QString &detail) {
                                  if (id != mJobId)
                                      return;
                                  mProgress->setValue(static_cast<int>(fraction * 1000));
                                  const QString text = stageText(stage);
                                  mStatus->setText(detail.isEmpty() ? text : text + QStringLiteral(": ") + detail);
                                  if (stage != mLastStage) {
                                      mLastStage = stage;
                                      log(detail.isEmpty() ? text : text + QStringLiteral(" — ") + detail);
                                  }
                              });
    mConnections[2] = connect(worker, &SegmentationWorker::jobMessage, this, [this](int id, const QString &text) {
        if (id == mJobId)
            log(text);
    });
    mConnections[3] = connect(worker, &SegmentationWorker::modelLoadStarted, this, [this](const QString &dir) {
        if (mJobId)
            log(tr("loading the model %1").arg(dir));
    });
    mConnections[4] = connect(worker, &SegmentationWorker::jobFinished, this, [this](int id, const JobOutcome &o) {
        if (id != mJobId)
            return;
        mJobId = 0;
        switch (o.status) {
        case JobOutcome::Status::Done:
            mProgress->setValue(1000);
            mStatus->setText(tr("Done in %1 s").arg(o.seconds, 0, 'f', 1));
            log(tr("done in %1 s").arg(o.seconds, 0, 'f', 1));
            break;
        case JobOutcome::Status::Cancelled:
        case JobOutcome::Status::Superseded:
            mStatus->setText(tr("Cancelled"));
            log(tr("cancelled: nothing was written"));
            break;
        case JobOutcome::Status::Failed:
            mStatus->setText(tr("Failed"));
            log(tr("failed: %1").arg(o.error));
            if (!o.details.isEmpty())
                log(o.details);
            break;
        }
        emit finished(o);
    });
}

} // namespace rsrefseg
