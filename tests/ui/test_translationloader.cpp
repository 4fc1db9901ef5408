// TranslationLoader: the zh_CN and de translations are compiled into the binary, load, and
// translate strings of QObject classes, of non-QObject classes and of the main window's menus;
// "system" follows the locale; an unknown language falls back to English.
#include "ui/appsettings.h"
#include "ui/mainwindow.h"
#include "ui/querybar.h"
#include "ui/tilegridpainter.h"
#include "ui/translationloader.h"

#include <QAction>
#include <QFile>
#include <QMenuBar>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include "testpathsqt.h"

using namespace rsrefseg;

class TestTranslationLoader : public QObject
{
    Q_OBJECT
  private slots:
    void compiledTranslationsAreInTheResources()
    {
        TranslationLoader::install(QStringLiteral("en"));
        for (const QString &code : {QStringLiteral("zh_CN"), QStringLiteral("de")})
            QVERIFY2(QFile::exists(TranslationLoader::resourcePath(code)), qPrintable(code));
    }

    void everySourceStringIsTranslated()
    {
        // lupdate marks new or changed strings "unfinished": the shipped files must have none.
        for (const QString &code : {QStringLiteral("zh_CN"), QStringLiteral("de")}) {
            QFile f(rsrefseg::test::qSourceDir() + QStringLiteral("/translations/rsrefseg_") + code +
                    QStringLiteral(".ts"));
            QVERIFY(f.open(QIODevice::ReadOnly));
            QXmlStreamReader xml(&f);
            int messages = 0;
            int translated = 0;
            QString source;
            while (!xml.atEnd()) {
                xml.readNext();
                if (!xml.isStartElement())
                    continue;
                if (xml.name() == QLatin1String("message"))
                    ++messages;
                else if (xml.name() == QLatin1String("source"))
                    source = xml.readElementText();
                else if (xml.name() == QLatin1String("translation")) {
                    QVERIFY2(xml.attributes().value(QLatin1String("type")).isEmpty(),
                             qPrintable(code + QStringLiteral(": unfinished: ") + source));
                    const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
                    QVERIFY2(!text.trimmed().isEmpty(), qPrintable(code + QStringLiteral(": empty: ") + source));
                    ++translated;
                }
            }
            QVERIFY(!xml.hasError());
            QVERIFY(messages > 300);
            QCOMPARE(translated, messages);
        }
    }

    void chineseShowsTranslatedStrings()
    {
        QCOMPARE(TranslationLoader::install(QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
        QCOMPARE(QueryBar::tr("Run"), QStringLiteral("运行"));
        QCOMPARE(TileGridPainter::tr("gated out"), QStringLiteral("已门控排除"));
        QTemporaryDir dir;
        AppSettings settings(dir.filePath(QStringLiteral("s.ini")));
        MainWindow w(&settings);
        QStringList menus;
        for (QAction *a : w.menuBar()->actions())
            menus << a->text();
        QVERIFY2(menus.contains(QStringLiteral("文件(&F)")), qPrintable(menus.join(QLatin1Char('|'))));
        QCOMPARE(w.action(QStringLiteral("actionOpen"))->text(), QStringLiteral("打开栅格(&O)…"));
        TranslationLoader::install(QStringLiteral("en"));
    }

    void germanToo()
    {
        QCOMPARE(TranslationLoader::install(QStringLiteral("de")), QStringLiteral("de"));
        QCOMPARE(QueryBar::tr("Run"), QStringLiteral("Ausführen"));
        TranslationLoader::install(QStringLiteral("en"));
        QCOMPARE(QueryBar::tr("Run"), QStringLiteral("Run"));
    }

    void systemAndFallback()
    {
        QLocale::setDefault(QLocale(QStringLiteral("de_AT")));
        // uiLanguages of the *system* locale decide; the test only checks the result is one we have.
        const QString system = TranslationLoader::install(QStringLiteral("system"));
        QVERIFY(TranslationLoader::available().contains(system));
        QCOMPARE(TranslationLoader::install(QStringLiteral("xx_YY")), QStringLiteral("en"));
        QCOMPARE(QueryBar::tr("Run"), QStringLiteral("Run"));
    }
};

QTEST_MAIN(TestTranslationLoader)
#include "test_translationloader.moc"
