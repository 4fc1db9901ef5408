#include "ui/messagebar.h"

#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPlainTextEdit>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace rsrefseg {

namespace {

struct LevelStyle
{
    const char *icon;
    const char *background;
    const char *border;
};

LevelStyle styleFor(MessageBar::Level level)
{
    switch (level) {
    case MessageBar::Level::Info: return {":/icons/message-info.svg", "#e3f2fd", "#90caf9"};
    case MessageBar::Level::Success: return {":/icons/message-success.svg", "#e8f5e9", "#a5d6a7"};
    case MessageBar::Level::Warning: return {":/icons/message-warning.svg", "#fff8e1", "#ffe082"};
    case MessageBar::Level::Error: return {":/icons/message-error.svg", "#ffebee", "#ef9a9a"};
    }
    return {":/icons/message-info.svg", "#e3f2fd", "#90caf9"};
}

} // namespace

MessageBar::MessageBar(QWidget *parent)
    : QFrame(parent)
{
    setObjectName(QStringLiteral("MessageBar"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(8, 4, 4, 4);
    outer->setSpacing(4);
    auto *row = new QHBoxLayout;
    row->setSpacing(8);
    mIcon = new QLabel(this);
    mIcon->setFixedSize(20, 20);
    mText = new QLabel(this);
    mText->setWordWrap(true);
    mText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    mText->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    mMore = new QLabel(this);
    mMore->setStyleSheet(QStringLiteral("color: #555;"));
    mDetailsButton = new QToolButton(this);
    mDetailsButton->setText(tr("Details"));
    mDetailsButton->setCheckable(true);
    mDetailsButton->setAutoRaise(true);
    mCloseButton = new QToolButton(this);
    mCloseButton->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
    mCloseButton->setAutoRaise(true);
    mCloseButton->setToolTip(tr("Close this message"));
    row->addWidget(mIcon, 0, Qt::AlignTop);
    row->addWidget(mText, 1);
    row->addWidget(mMore);
    row->addWidget(mDetailsButton);
    row->addWidget(mCloseButton, 0, Qt::AlignTop);
    outer->addLayout(row);
    mDetails = new QPlainTextEdit(this);
    mDetails->setReadOnly(true);
    mDetails->setMaximumHeight(120);
    mDetails->hide();
    outer->addWidget(mDetails);

    connect(mDetailsButton, &QToolButton::toggled, mDetails, &QWidget::setVisible);
    connect(mCloseButton, &QToolButton::clicked, this, &MessageBar::popMessage);
    mTimer.setSingleShot(true);
    connect(&mTimer, &QTimer::timeout, this, &MessageBar::popMessage);
    hide();
}

void MessageBar::pushMessage(Level level, const QString &title, const QString &text, const QString &details,
                             int timeoutMs)
{
    if (timeoutMs < 0)
        timeoutMs = (level == Level::Info || level == Level::Success) ? 6000 : 0;
    // A repeat of a message already queued is merged into it (no storm of identical bars).
    for (auto it = mMessages.begin(); it != mMessages.end(); ++it) {
        if (it->level == level && it->title == title && it->text == text) {
            Message m = *it;
            ++m.repeat;
            m.details = details.isEmpty() ? m.details : details;
            mMessages.erase(it);
            mMessages.push_back(m);
            showCurrent();
            return;
        }
    }
    mMessages.push_back({level, title, text, details, timeoutMs, 1});
    // Keep the queue bounded: the oldest messages go first.
    while (mMessages.size() > 20)
        mMessages.pop_front();
    showCurrent();
    emit messageShown(level, title, text);
}

void MessageBar::popMessage()
{
    if (!mMessages.empty())
        mMessages.pop_back();
    showCurrent();
}

void MessageBar::clearAll()
{
    mMessages.clear();
    showCurrent();
}

QString MessageBar::currentTitle() const { return mMessages.empty() ? QString() : mMessages.back().title; }
QString MessageBar::currentText() const { return mMessages.empty() ? QString() : mMessages.back().text; }
MessageBar::Level MessageBar::currentLevel() const
{
    return mMessages.empty() ? Level::Info : mMessages.back().level;
}
int MessageBar::currentRepeat() const { return mMessages.empty() ? 0 : mMessages.back().repeat; }

void MessageBar::showCurrent()
{
    mTimer.stop();
    if (mMessages.empty()) {
        hide();
        return;
    }
    const Message &m = mMessages.back();
    const LevelStyle s = styleFor(m.level);
    setStyleSheet(QStringLiteral("QFrame#MessageBar { background: %1; border: 1px solid %2; border-radius: 3px; }")
                      .arg(QLatin1String(s.background), QLatin1String(s.border)));
    mIcon->setPixmap(QIcon(QLatin1String(s.icon)).pixmap(20, 20));
    QString html = QStringLiteral("<b>%1</b>").arg(m.title.toHtmlEscaped());
    if (!m.text.isEmpty())
        html += QStringLiteral(" &nbsp;") + m.text.toHtmlEscaped();
    if (m.repeat > 1)
        html += QStringLiteral(" <span style='color:#666'>(×%1)</span>").arg(m.repeat);
    mText->setText(html);
    mMore->setText(mMessages.size() > 1 ? tr("%n more", nullptr, static_cast<int>(mMessages.size()) - 1) : QString());
    mMore->setVisible(mMessages.size() > 1);
    mDetailsButton->setVisible(!m.details.isEmpty());
    mDetailsButton->setChecked(false);
    mDetails->setPlainText(m.details);
    mDetails->hide();
    show();
    if (m.timeoutMs > 0)
        mTimer.start(m.timeoutMs);
}

} // namespace rsrefseg
