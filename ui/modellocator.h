// ModelLocator: finds the model bundle the application uses when the user has not chosen one,
// and reads a bundle's manifest summary (name, id, trained or not) without loading weights,
// so that the window can say "UNTRAINED" before any model is loaded.
//
// Search order for the bundled model: the trained demo model (resources/models/demo in the
// source tree, <prefix>/share/rsrefseg/models/demo installed), then the untrained tiny model
// built from the golden fixtures at build time (<build>/share/rsrefseg/models/golden-tiny).
//
//   QString dir = ModelLocator::resolve(settings.modelBundle());   // "" when none is found
//   ModelLocator::Summary s = ModelLocator::summary(dir);
//   if (!s.trained) statusBar->showUntrained();
#pragma once

#include <QString>
#include <QStringList>

namespace rsrefseg {

class ModelLocator
{
  public:
    struct Summary
    {
        bool valid = false;  // a readable manifest.json
        QString dir;
        QString name;
        QString modelId;
        bool trained = false;
        QString error;       // why !valid
    };

    // `chosen` non-empty: used as is. Else the first bundled candidate that exists.
    static QString resolve(const QString &chosen);
    static QStringList bundledCandidates();
    static Summary summary(const QString &dir);
};

} // namespace rsrefseg
