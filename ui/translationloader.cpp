#include "ui/translationloader.h"

#include "ui/uiresources.h"

#include <QCoreApplication>
#include <QFile>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace rsrefseg {

namespace {

// Owned by the application object so that they live as long as it does.
QTranslator *appTranslator = nullptr;
QTranslator *qtTranslator = nullptr;

} // namespace

QStringList TranslationLoader::available()
{
    return {QStringLiteral("en"), QStringLiteral("zh_CN"), QStringLiteral("de")};
}

QString TranslationLoader::nativeName(const QString &code)
{
    if (code == QLatin1String("en"))
        return QStringLiteral("English");
    return QLocale(code).nativeLanguageName();
}

QString TranslationLoader::resourcePath(const QString &code)
{
    return QStringLiteral(":/i18n/rsrefseg_%1.qm").arg(code);
}

QString TranslationLoader::install(const QString &language)
{
    initUiResources();
    QCoreApplication *app = QCoreApplication::instance();
    if (appTranslator) {
        QCoreApplication::removeTranslator(appTranslator);
        delete appTranslator;
        appTranslator = nullptr;
    }
    if (qtTranslator) {
        QCoreApplication::removeTranslator(qtTranslator);
        delete qtTranslator;
        qtTranslator = nullptr;
    }
    // "system": the first of the system's UI languages we have (zh_TW falls back to nothing,
    // de_AT to de).
    QString code;
    if (language.isEmpty() || language == QLatin1String("system")) {
        for (const QString &ui : QLocale::system().uiLanguages()) {
            QString name = ui;
            name.replace(QLatin1Char('-'), QLatin1Char('_'));
            if (name.startsWith(QLatin1String("en"))) {
                code = QStringLiteral("en");
                break;
            }
            for (const QString &a : available())
                if (name == a || name.section(QLatin1Char('_'), 0, 0) == a ||
                    (a == QLatin1String("zh_CN") && (name == QLatin1String("zh") || name == QLatin1String("zh_Hans") ||
                                                     name.startsWith(QLatin1String("zh_Hans_CN")) ||
                                                     name.startsWith(QLatin1String("zh_CN")))))
                    code = a;
            if (!code.isEmpty())
                break;
        }
        if (code.isEmpty())
            code = QStringLiteral("en");
    } else {
        code = available().contains(language) ? language : QStringLiteral("en");
    }
    if (code == QLatin1String("en"))
        return code;

    auto *t = new QTranslator(app);
    if (!t->load(resourcePath(code))) {
        delete t;
        return QStringLiteral("en");
    }
    QCoreApplication::installTranslator(t);
    appTranslator = t;
    // Qt's own strings (standard buttons, file dialogs) when Debian ships them.
    auto *q = new QTranslator(app);
    if (q->load(QLocale(code), QStringLiteral("qtbase"), QStringLiteral("_"),
                QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(q);
        qtTranslator = q;
    } else {
        delete q;
    }
    return code;
}

} // namespace rsrefseg
