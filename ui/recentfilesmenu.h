// RecentFilesMenu: File > Open Recent, kept in step with AppSettings::recentFiles().
//
//   auto *recent = new RecentFilesMenu(&settings, fileMenu);
//   connect(recent, &RecentFilesMenu::fileChosen, window, &MainWindow::openRaster);
#pragma once

#include <QMenu>

namespace rsrefseg {

class AppSettings;

class RecentFilesMenu : public QMenu
{
    Q_OBJECT
  public:
    explicit RecentFilesMenu(AppSettings *settings, QWidget *parent = nullptr);

  signals:
    void fileChosen(const QString &path);

  private:
    void rebuild();
    AppSettings *mSettings;
};

} // namespace rsrefseg
