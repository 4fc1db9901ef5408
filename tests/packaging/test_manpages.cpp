// The man pages document what the programs accept: every subcommand of `rsrefseg --help` has
// its own section in rsrefseg(1), and every option that a subcommand's --help lists is
// described in that section; every option of `rsrefseg-desktop --help` is in
// rsrefseg-desktop(1). A new option without documentation fails here.
#include "packagingtestsupport.h"

#include <QFile>
#include <QTest>
#include "testpathsqt.h"

using namespace rsrefseg::test;

namespace {

QString readPage(const QString &name)
{
    QFile f(rsrefseg::test::envQPath("RSREFSEG_MAN_DIR") + QStringLiteral("/") + name);
    if (!f.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(f.readAll());
}

// Every command path of the CLI: "info", ..., "model import", "bench segment".
QStringList commandPaths(const QStringList &prefix = {})
{
    const ProcessResult r = runProcess(rsrefseg::test::envQPath("RSREFSEG_CLI"), prefix + QStringList{QStringLiteral("--help")});
    if (r.exitCode != 0)
        return {};
    QStringList paths;
    for (const QString &sub : parseHelp(r.out).subcommands) {
        const QStringList path = prefix + QStringList{sub};
        paths << path.join(QLatin1Char(' '));
        paths << commandPaths(path);
    }
    return paths;
}

} // namespace

class TestManPages : public QObject
{
    Q_OBJECT

private slots:
    void pagesAreConfigured()
    {
        for (const char *page : {"rsrefseg.1", "rsrefseg-desktop.1", "rsrefseg-model-bench.1"}) {
            const QString roff = readPage(QLatin1String(page));
            QVERIFY2(roff.startsWith(QLatin1String(".\\\"")) || roff.startsWith(QLatin1String(".TH")), page);
            static const QRegularExpression placeholder(QStringLiteral("@[A-Za-z_]+@"));
            QVERIFY2(!placeholder.match(roff).hasMatch(), page); // every @VAR@ configured
            QVERIFY2(roff.contains(QStringLiteral(RSREFSEG_VERSION)), "the page names the project version");
        }
    }

    void everyCommandHasASection_data()
    {
        QTest::addColumn<QString>("command");
        const QStringList paths = commandPaths();
        QVERIFY2(paths.size() >= 10, "rsrefseg --help lists its subcommands");
        for (const QString &p : paths)
            QTest::newRow(qPrintable(p)) << p;
    }

    void everyCommandHasASection()
    {
        QFETCH(QString, command);
        const QString section = manSection(readPage(QStringLiteral("rsrefseg.1")), command);
        QVERIFY2(!section.trimmed().isEmpty(), qPrintable(QStringLiteral("no .SS \"%1\" in rsrefseg(1)").arg(command)));

        const ProcessResult help = runProcess(rsrefseg::test::envQPath("RSREFSEG_CLI"),
                                              command.split(QLatin1Char(' ')) + QStringList{QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QStringList undocumented;
        for (const QString &option : parseHelp(help.out).options) {
            if (option == QLatin1String("--help"))
                continue;
            if (!section.contains(roffOption(option)))
                undocumented << option;
        }
        QVERIFY2(undocumented.isEmpty(),
                 qPrintable(QStringLiteral("rsrefseg %1: not in its man page section: %2")
                                .arg(command, undocumented.join(QStringLiteral(", ")))));
    }

    void desktopOptionsAreDocumented()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        const ProcessResult help = runProcess(rsrefseg::test::envQPath("RSREFSEG_DESKTOP"), {QStringLiteral("--help")}, env);
        QVERIFY2(help.exitCode == 0, qPrintable(help.describe(QStringLiteral("rsrefseg-desktop --help"))));
        const QString roff = readPage(QStringLiteral("rsrefseg-desktop.1"));
        static const QRegularExpression optionRe(QStringLiteral("^\\s+(?:-\\w,\\s*)?(--[a-z][a-z-]*)"));
        int found = 0;
        for (const QString &line : help.out.split(QLatin1Char('\n'))) {
            const auto m = optionRe.match(line);
            if (!m.hasMatch())
                continue;
            ++found;
            QVERIFY2(roff.contains(roffOption(m.captured(1))),
                     qPrintable(QStringLiteral("rsrefseg-desktop(1) does not describe ") + m.captured(1)));
        }
        QVERIFY2(found >= 4, "rsrefseg-desktop --help lists its options");
    }
};

QTEST_GUILESS_MAIN(TestManPages)
#include "test_manpages.moc"
