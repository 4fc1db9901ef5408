// BundleStatus: the model bundle the desktop will use, as the window and the settings dialog show
// it before anything is loaded (so that the window can say "UNTRAINED" at once). BundledModels
// picks the folder when the user has chosen none, BundleSummary reads its manifest; the problems a
// user can fix are worded here, in the interface language.
//
//   BundleStatus s = BundleStatus::of(settings.modelBundle());   // never throws
//   if (!s.valid) showError(s.error); else if (!s.trained) statusBar->showUntrained();
#pragma once

#include <QString>

namespace rsrefseg {

struct BundleStatus
{
    bool valid = false; // a readable, valid manifest.json
    QString dir;        // the chosen folder, else the bundled model's ("" when there is none)
    QString name;
    QString modelId;
    QString architecture;
    bool trained = false;
    QString error;      // why !valid, translated

    // `chosen` non-empty: that folder; else the bundled model (BundledModels::find()).
    static BundleStatus of(const QString &chosen);
};

} // namespace rsrefseg
