// QueryBar: Enter and Run send the trimmed query with the chosen mode and area; an empty
// query or a disabled bar sends nothing; the area choices follow the mode (a drawn rectangle
// survives a mode change, anything else falls back to the mode's default); the history has
// no duplicates and never replaces what is being typed; the running state drives Cancel and
// the progress display.
#include "ui/querybar.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

using namespace rsrefseg;

namespace {

QToolButton *button(QueryBar &bar, const QString &text)
{
    for (QToolButton *b : bar.findChildren<QToolButton *>())
        if (b->text() == text)
            return b;
    return nullptr;
}

// The editable query box: it has the keyboard focus and hands keys to its line edit (a key
// sent to the line edit itself would reach the box too, as an unhandled event, and count twice).
QComboBox *queryBox(QueryBar &bar)
{
    for (QComboBox *c : bar.findChildren<QComboBox *>())
        if (c->isEditable())
            return c;
    return nullptr;
}

QueryBar::Input sent(const QSignalSpy &spy, qsizetype i)
{
    return spy.at(i).at(0).value<QueryBar::Input>();
}

} // namespace

class TestQueryBar : public QObject
{
    Q_OBJECT
  private slots:
    void enterAndRunSendTheInput()
    {
        QueryBar bar;
        QSignalSpy run(&bar, &QueryBar::runRequested);
        bar.setText(QStringLiteral("  the red roofs "));
        bar.setMode(SegmentationSettings::Mode::Tiled);
        bar.setArea(QueryBar::Area::DrawnRegion);
        QCOMPARE(bar.findChild<QLineEdit *>()->focusProxy(), queryBox(bar)); // where keys arrive
        QTest::keyClick(queryBox(bar), Qt::Key_Return);
        QCOMPARE(run.size(), 1);
        QCOMPARE(sent(run, 0).query, QStringLiteral("the red roofs"));
        QCOMPARE(sent(run, 0).mode, SegmentationSettings::Mode::Tiled);
        QCOMPARE(sent(run, 0).area, QueryBar::Area::DrawnRegion);
        QVERIFY(button(bar, QStringLiteral("Run")));
        QTest::mouseClick(button(bar, QStringLiteral("Run")), Qt::LeftButton);
        QCOMPARE(run.size(), 2);
        QCOMPARE(sent(run, 1).query, QStringLiteral("the red roofs"));
    }

    void emptyOrDisabledSendsNothing()
    {
        QueryBar bar;
        QSignalSpy run(&bar, &QueryBar::runRequested);
        bar.setText(QStringLiteral("   "));
        QTest::keyClick(queryBox(bar), Qt::Key_Return);
        QCOMPARE(run.size(), 0);
        bar.setText(QStringLiteral("roofs"));
        bar.setRunEnabled(false);
        QVERIFY(!button(bar, QStringLiteral("Run"))->isEnabled());
        QTest::keyClick(queryBox(bar), Qt::Key_Return);
        QCOMPARE(run.size(), 0);
        bar.setRunEnabled(true);
        QTest::keyClick(queryBox(bar), Qt::Key_Return);
        QCOMPARE(run.size(), 1);
    }

    // View mode offers the visible extent first, tiled mode the whole raster.
    void areaChoicesFollowTheMode()
    {
        QueryBar bar;
        QSignalSpy modes(&bar, &QueryBar::modeChanged);
        QCOMPARE(bar.mode(), SegmentationSettings::Mode::View);
        QCOMPARE(bar.area(), QueryBar::Area::VisibleExtent);
        bar.setMode(SegmentationSettings::Mode::Tiled);
        QCOMPARE(modes.size(), 1);
        QCOMPARE(modes.first().at(0).value<SegmentationSettings::Mode>(), SegmentationSettings::Mode::Tiled);
        QCOMPARE(bar.area(), QueryBar::Area::WholeRaster);
        bar.setArea(QueryBar::Area::VisibleExtent);
        bar.setMode(SegmentationSettings::Mode::View);
        QCOMPARE(bar.area(), QueryBar::Area::VisibleExtent);
        bar.setArea(QueryBar::Area::WholeRaster);
        bar.setMode(SegmentationSettings::Mode::Tiled);
        bar.setMode(SegmentationSettings::Mode::View);
        QCOMPARE(bar.area(), QueryBar::Area::VisibleExtent);
        // A drawn rectangle stays chosen across mode changes.
        bar.setArea(QueryBar::Area::DrawnRegion);
        bar.setMode(SegmentationSettings::Mode::Tiled);
        QCOMPARE(bar.area(), QueryBar::Area::DrawnRegion);
        bar.setMode(SegmentationSettings::Mode::View);
        QCOMPARE(bar.area(), QueryBar::Area::DrawnRegion);
        QCOMPARE(bar.input().area, QueryBar::Area::DrawnRegion);
    }

    void historyHasNoDuplicatesAndKeepsTheText()
    {
        QueryBar bar;
        bar.setText(QStringLiteral("typing"));
        bar.setHistory({QStringLiteral("a"), QStringLiteral("b")});
        QCOMPARE(bar.text(), QStringLiteral("typing"));
        bar.addToHistory(QStringLiteral("b"));
        QCOMPARE(bar.history(), (QStringList{QStringLiteral("b"), QStringLiteral("a")}));
        bar.addToHistory(QStringLiteral("c"));
        QCOMPARE(bar.history(), (QStringList{QStringLiteral("c"), QStringLiteral("b"), QStringLiteral("a")}));
        QCOMPARE(bar.text(), QStringLiteral("typing"));
    }

    void runningStateDrivesCancelAndProgress()
    {
        QueryBar bar;
        QSignalSpy cancel(&bar, &QueryBar::cancelRequested);
        QToolButton *c = button(bar, QStringLiteral("Cancel"));
        QVERIFY(c);
        auto *progress = bar.findChild<QProgressBar *>();
        QVERIFY(progress);
        QVERIFY(!c->isEnabled());
        QVERIFY(!progress->isVisibleTo(&bar));

        bar.setRunning(true);
        QVERIFY(bar.isRunning());
        QVERIFY(c->isEnabled());
        QVERIFY(progress->isVisibleTo(&bar));
        QTest::mouseClick(c, Qt::LeftButton);
        QCOMPARE(cancel.size(), 1);
        bar.setProgress(-1.0, QStringLiteral("loading the model"));
        QCOMPARE(progress->maximum(), 0); // busy
        bar.setProgress(0.25, QStringLiteral("tile 1 of 4"));
        QCOMPARE(progress->maximum(), 1000);
        QCOMPARE(progress->value(), 250);
        QLabel *status = nullptr;
        for (QLabel *l : bar.findChildren<QLabel *>())
            if (l->text() == QStringLiteral("tile 1 of 4"))
                status = l;
        QVERIFY(status);

        bar.setRunning(false);
        QVERIFY(!c->isEnabled());
        QVERIFY(!progress->isVisibleTo(&bar));
        QVERIFY(status->text().isEmpty());
    }
};

QTEST_MAIN(TestQueryBar)
#include "test_querybar.moc"
