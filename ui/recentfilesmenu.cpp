#include "ui/recentfilesmenu.h"

#include "ui/appsettings.h"

#include <QFileInfo>

namespace rsrefseg {

RecentFilesMenu::RecentFilesMenu(AppSettings *settings, QWidget *parent)
    : QMenu(tr("Open &Recent"), parent)
    , mSettings(settings)
{
    connect(mSettings, &AppSettings::recentFilesChanged, this, &RecentFilesMenu::rebuild);
    rebuild();
}

void RecentFilesMenu::rebuild()
{
    clear();
    const QStringList files = mSettings->recentFiles();
    int n = 0;
    for (const QString &f : files) {
        ++n;
        // &1 .. &9 give keyboard access, as desktop applications do.
        const QString label = n < 10 ? QStringLiteral("&%1  %2").arg(n).arg(QFileInfo(f).fileName())
                                     : QFileInfo(f).fileName();
        QAction *a = addAction(label, this, [this, f] { emit fileChosen(f); });
        a->setToolTip(f);
        a->setStatusTip(f);
        a->setEnabled(QFileInfo::exists(f));
    }
    if (files.isEmpty()) {
        addAction(tr("No recent files"))->setEnabled(false);
        return;
    }
    addSeparator();
    addAction(tr("&Clear List"), mSettings, &AppSettings::clearRecentFiles);
}

} // namespace rsrefseg
