// MessageBar: one message at a time, repeats merged instead of stacking, details kept, and
// info messages hide themselves.
#include "ui/messagebar.h"
#include "ui/uiresources.h"

#include <QTest>

using rsrefseg::MessageBar;

class TestMessageBar : public QObject
{
    Q_OBJECT
  private slots:
    void initTestCase() { rsrefseg::initUiResources(); }

    void repeatsAreMergedNotStacked()
    {
        MessageBar bar;
        bar.show();
        for (int i = 0; i < 50; ++i)
            bar.pushMessage(MessageBar::Level::Error, QStringLiteral("Drawing the map"), QStringLiteral("cannot read block"),
                            QStringLiteral("details"));
        QCOMPARE(bar.count(), 1);
        QCOMPARE(bar.currentRepeat(), 50);
        QVERIFY(bar.isVisible());
    }

    void newestShownCloseRevealsPrevious()
    {
        MessageBar bar;
        bar.show();
        bar.pushMessage(MessageBar::Level::Warning, QStringLiteral("A"), QStringLiteral("first"));
        bar.pushMessage(MessageBar::Level::Error, QStringLiteral("B"), QStringLiteral("second"));
        QCOMPARE(bar.currentTitle(), QStringLiteral("B"));
        QCOMPARE(bar.currentLevel(), MessageBar::Level::Error);
        bar.popMessage();
        QCOMPARE(bar.currentTitle(), QStringLiteral("A"));
        bar.popMessage();
        QCOMPARE(bar.count(), 0);
        QVERIFY(!bar.isVisible());
    }

    void queueIsBounded()
    {
        MessageBar bar;
        for (int i = 0; i < 100; ++i)
            bar.pushMessage(MessageBar::Level::Warning, QStringLiteral("W%1").arg(i), QString());
        QVERIFY(bar.count() <= 20);
        QCOMPARE(bar.currentTitle(), QStringLiteral("W99"));
    }

    void infoHidesItself()
    {
        MessageBar bar;
        bar.show();
        bar.pushMessage(MessageBar::Level::Info, QStringLiteral("Done"), QString(), QString(), 100);
        QVERIFY(bar.isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!bar.isVisible(), 3000);
    }
};

QTEST_MAIN(TestMessageBar)
#include "test_messagebar.moc"
