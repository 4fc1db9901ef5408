// TranslationLoader: installs the application's translation (compiled into the binary's
// resources by qt_add_translations, so no install path is needed) and Qt's own, for a
// language setting: "system" follows the system locale, "en" is the source language.
//
//   TranslationLoader::install(settings.language());   // before creating any window
//   QStringList codes = TranslationLoader::available(); // {"en", "zh_CN", "de"}
#pragma once

#include <QString>
#include <QStringList>

namespace rsrefseg {

class TranslationLoader
{
  public:
    // Returns the language actually installed ("en" when none matched).
    static QString install(const QString &language);
    static QStringList available();
    // The language's own name ("简体中文", "Deutsch", "English").
    static QString nativeName(const QString &code);
    // The resource path of a compiled translation.
    static QString resourcePath(const QString &code);
};

} // namespace rsrefseg
