// QueryBar: where the user types what to segment: an editable line with history, the mode
// (view: one model input; tiled: native-resolution tiles) and the area (visible extent, whole
// raster, drawn rectangle), Run and Cancel, and the job's progress. It only collects input
// and shows state; QueryController turns a request into a job.
//
//   connect(bar, &QueryBar::runRequested, controller, &QueryController::run);
//   bar->setRunning(true);  bar->setProgress(0.4, tr("tiles 4/10"));
#pragma once

#include "engine/segmentationsettings.h"

#include <QStringList>
#include <QWidget>

class QComboBox;
class QLabel;
class QProgressBar;
class QToolButton;

namespace rsrefseg {

class QueryBar : public QWidget
{
    Q_OBJECT
  public:
    enum class Area { VisibleExtent, WholeRaster, DrawnRegion };
    Q_ENUM(Area)

    struct Input
    {
        QString query;
        SegmentationSettings::Mode mode = SegmentationSettings::Mode::View;
        Area area = Area::VisibleExtent;
    };

    explicit QueryBar(QWidget *parent = nullptr);

    QString text() const;
    void setText(const QString &text);
    SegmentationSettings::Mode mode() const;
    void setMode(SegmentationSettings::Mode mode);
    Area area() const;
    void setArea(Area area);
    Input input() const;

    void setHistory(const QStringList &history);
    QStringList history() const;
    void addToHistory(const QString &query);

    void setRunning(bool running);
    bool isRunning() const { return mRunning; }
    // fraction < 0: busy without a known fraction.
    void setProgress(double fraction, const QString &text);
    void setRunEnabled(bool enabled);
    void focusQuery();

  signals:
    void runRequested(const rsrefseg::QueryBar::Input &input);
    void cancelRequested();
    void modeChanged(rsrefseg::SegmentationSettings::Mode mode);

  private:
    void requestRun();
    void updateAreaChoices();

    QComboBox *mQuery = nullptr;
    QComboBox *mMode = nullptr;
    QComboBox *mArea = nullptr;
    QToolButton *mRun = nullptr;
    QToolButton *mCancel = nullptr;
    QProgressBar *mProgress = nullptr;
    QLabel *mStatus = nullptr;
    bool mRunning = false;
    bool mRunEnabled = true;
};

} // namespace rsrefseg
