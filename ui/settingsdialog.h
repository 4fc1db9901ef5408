// SettingsDialog: edits AppSettings: the model bundle, device, number type and threads; tile
// size, overlap and gate threshold; the embedding cache's memory budget and folder; the
// language. Values are written when the user presses OK (or apply() is called).
//
//   SettingsDialog d(&settings, window);
//   if (d.exec() == QDialog::Accepted) worker.setModelSpec(...);
#pragma once

#include <QDialog>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace rsrefseg {

class AppSettings;

class SettingsDialog : public QDialog
{
    Q_OBJECT
  public:
    explicit SettingsDialog(AppSettings *settings, QWidget *parent = nullptr);

    void apply();                 // writes the fields to the settings
    void loadFromSettings();      // reads them back
    bool languageChanged() const { return mLanguageChanged; }

    // Field access for tests.
    void setTileSize(int pixels);
    void setOverlap(int pixels);
    void setGateThreshold(double threshold);
    void setCacheBudgetMb(int mb);
    void setLanguage(const QString &code);
    void setModelBundle(const QString &dir);

  private:
    void updateModelStatus();

    AppSettings *mSettings;
    QLineEdit *mBundle = nullptr;
    QLabel *mModelStatus = nullptr;
    QComboBox *mDevice = nullptr;
    QComboBox *mDtype = nullptr;
    QSpinBox *mThreads = nullptr;
    QSpinBox *mTileSize = nullptr;
    QSpinBox *mOverlap = nullptr;
    QDoubleSpinBox *mGate = nullptr;
    QSpinBox *mCacheBudget = nullptr;
    QLineEdit *mCacheDir = nullptr;
    QComboBox *mLanguage = nullptr;
    bool mLanguageChanged = false;
};

} // namespace rsrefseg
