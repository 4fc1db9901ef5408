// MessageBar: the non-modal message strip above the map (QGIS's QgsMessageBar): info,
// success, warning and error messages with an optional "Details" text, one at a time with a
// count of the others; identical messages arriving in a burst are merged ("×3") instead of
// stacking up. Info and success messages hide themselves after a few seconds.
//
//   bar->pushMessage(MessageBar::Level::Error, tr("Export failed"), error, details);
#pragma once

#include <QFrame>
#include <QString>
#include <QTimer>

#include <deque>

class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace rsrefseg {

class MessageBar : public QFrame
{
    Q_OBJECT
  public:
    enum class Level { Info, Success, Warning, Error };
    Q_ENUM(Level)

    explicit MessageBar(QWidget *parent = nullptr);

    // timeoutMs < 0: the default for the level (info/success 6 s, warning/error: until closed).
    void pushMessage(Level level, const QString &title, const QString &text, const QString &details = QString(),
                     int timeoutMs = -1);
    void popMessage(); // closes the message shown
    void clearAll();

    int count() const { return static_cast<int>(mMessages.size()); }
    QString currentTitle() const;
    QString currentText() const;
    Level currentLevel() const;
    int currentRepeat() const;

  signals:
    void messageShown(rsrefseg::MessageBar::Level level, const QString &title, const QString &text);

  private:
    struct Message
    {
        Level level = Level::Info;
        QString title;
        QString text;
        QString details;
        int timeoutMs = 0;
        int repeat = 1;
    };
    void showCurrent();

    std::deque<Message> mMessages; // back: shown
    QLabel *mIcon = nullptr;
    QLabel *mText = nullptr;
    QLabel *mMore = nullptr;
    QToolButton *mDetailsButton = nullptr;
    QToolButton *mCloseButton = nullptr;
    QPlainTextEdit *mDetails = nullptr;
    QTimer mTimer;
};

} // namespace rsrefseg
