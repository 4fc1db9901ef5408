#include "ui/querybar.h"

#include <QComboBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QToolButton>

namespace rsrefseg {

QueryBar::QueryBar(QWidget *parent)
    : QWidget(parent)
{
    auto *row = new QHBoxLayout(this);
    row->setContentsMargins(6, 4, 6, 4);
    row->setSpacing(6);

    auto *label = new QLabel(tr("&Find:"), this);
    mQuery = new QComboBox(this);
    mQuery->setEditable(true);
    mQuery->setInsertPolicy(QComboBox::NoInsert); // history is managed explicitly
    mQuery->setMaxCount(50);
    mQuery->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    mQuery->setMinimumWidth(260);
    mQuery->lineEdit()->setPlaceholderText(tr("Describe what to segment, e.g. \"the white storage tanks left of the road\""));
    mQuery->lineEdit()->setClearButtonEnabled(true);
    mQuery->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    mQuery->completer()->setCompletionMode(QCompleter::PopupCompletion);
    mQuery->setToolTip(tr("Type a sentence and press Enter. Earlier queries are in the list."));
    label->setBuddy(mQuery);

    mMode = new QComboBox(this);
    mMode->addItem(tr("View"), static_cast<int>(SegmentationSettings::Mode::View));
    mMode->addItem(tr("Tiled"), static_cast<int>(SegmentationSettings::Mode::Tiled));
    mMode->setToolTip(tr("View: the area is resampled into one model input (keeps context).\n"
                         "Tiled: native-resolution tiles with overlap, tiles without the object are gated out."));

    mArea = new QComboBox(this);
    mArea->setToolTip(tr("Which part of the raster to segment"));
    updateAreaChoices();

    mRun = new QToolButton(this);
    mRun->setIcon(QIcon(QStringLiteral(":/icons/run.svg")));
    mRun->setText(tr("Run"));
    mRun->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    mRun->setToolTip(tr("Run the query (Enter)"));
    mCancel = new QToolButton(this);
    mCancel->setIcon(QIcon(QStringLiteral(":/icons/cancel.svg")));
    mCancel->setText(tr("Cancel"));
    mCancel->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    mCancel->setToolTip(tr("Stop the running query (Esc)"));
    mCancel->setEnabled(false);

    mProgress = new QProgressBar(this);
    mProgress->setRange(0, 1000);
    mProgress->setTextVisible(false);
    mProgress->setFixedWidth(140);
    mProgress->setMaximumHeight(16);
    mProgress->hide();
    mStatus = new QLabel(this);
    mStatus->setMinimumWidth(120);
    mStatus->setStyleSheet(QStringLiteral("color: #555;"));

    row->addWidget(label);
    row->addWidget(mQuery, 1);
    row->addWidget(mMode);
    row->addWidget(mArea);
    row->addWidget(mRun);
    row->addWidget(mCancel);
    row->addWidget(mProgress);
    row->addWidget(mStatus);

    connect(mQuery->lineEdit(), &QLineEdit::returnPressed, this, &QueryBar::requestRun);
    connect(mRun, &QToolButton::clicked, this, &QueryBar::requestRun);
    connect(mCancel, &QToolButton::clicked, this, &QueryBar::cancelRequested);
    connect(mMode, &QComboBox::currentIndexChanged, this, [this] {
        updateAreaChoices();
        emit modeChanged(mode());
    });
}

void QueryBar::updateAreaChoices()
{
    const QVariant previous = mArea->currentData();
    mArea->clear();
    if (mode() == SegmentationSettings::Mode::View) {
        mArea->addItem(tr("Visible extent"), static_cast<int>(Area::VisibleExtent));
        mArea->addItem(tr("Drawn rectangle"), static_cast<int>(Area::DrawnRegion));
        mArea->addItem(tr("Whole raster"), static_cast<int>(Area::WholeRaster));
    } else {
        mArea->addItem(tr("Whole raster"), static_cast<int>(Area::WholeRaster));
        mArea->addItem(tr("Drawn rectangle"), static_cast<int>(Area::DrawnRegion));
        mArea->addItem(tr("Visible extent"), static_cast<int>(Area::VisibleExtent));
    }
    const int i = previous.isValid() && previous.toInt() == static_cast<int>(Area::DrawnRegion)
                      ? mArea->findData(previous)
                      : 0;
    mArea->setCurrentIndex(std::max(0, i));
}

QString QueryBar::text() const { return mQuery->currentText().trimmed(); }
void QueryBar::setText(const QString &text) { mQuery->setEditText(text); }

SegmentationSettings::Mode QueryBar::mode() const
{
    return static_cast<SegmentationSettings::Mode>(mMode->currentData().toInt());
}

void QueryBar::setMode(SegmentationSettings::Mode mode)
{
    mMode->setCurrentIndex(mMode->findData(static_cast<int>(mode)));
}

QueryBar::Area QueryBar::area() const { return static_cast<Area>(mArea->currentData().toInt()); }
void QueryBar::setArea(Area area) { mArea->setCurrentIndex(std::max(0, mArea->findData(static_cast<int>(area)))); }

QueryBar::Input QueryBar::input() const { return {text(), mode(), area()}; }

void QueryBar::setHistory(const QStringList &history)
{
    const QString current = mQuery->currentText();
    mQuery->clear();
    mQuery->addItems(history);
    mQuery->setEditText(current);
}

QStringList QueryBar::history() const
{
    QStringList h;
    for (int i = 0; i < mQuery->count(); ++i)
        h << mQuery->itemText(i);
    return h;
}

void QueryBar::addToHistory(const QString &query)
{
    const QString current = mQuery->currentText();
    const int existing = mQuery->findText(query);
    if (existing >= 0)
        mQuery->removeItem(existing);
    mQuery->insertItem(0, query);
    mQuery->setEditText(current);
}

void QueryBar::requestRun()
{
    if (text().isEmpty() || !mRunEnabled)
        return;
    emit runRequested(input());
}

void QueryBar::setRunning(bool running)
{
    mRunning = running;
    mCancel->setEnabled(running);
    mProgress->setVisible(running);
    if (!running) {
        mProgress->setValue(0);
        mStatus->clear();
    }
}

void QueryBar::setProgress(double fraction, const QString &text)
{
    if (fraction < 0.0) {
        mProgress->setRange(0, 0);
    } else {
        mProgress->setRange(0, 1000);
        mProgress->setValue(static_cast<int>(fraction * 1000.0));
    }
    mStatus->setText(text);
}

void QueryBar::setRunEnabled(bool enabled)
{
    mRunEnabled = enabled;
    mRun->setEnabled(enabled);
}

void QueryBar::focusQuery()
{
    mQuery->setFocus();
    mQuery->lineEdit()->selectAll();
}

} // namespace rsrefseg
