// Helpers of the packaging tests: running a program with a controlled environment, reading
// CLI11 and Qt --help output, and finding an option's description in a man page section.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

namespace rsrefseg::test {

struct ProcessResult
{
    int exitCode = -1; // -1: did not start or timed out; -2: crashed
    QString out;
    QString err;
    QString describe(const QString &what) const
    {
        return QStringLiteral("%1: exit %2\nstdout: %3\nstderr: %4").arg(what).arg(exitCode).arg(out.right(4000), err.right(4000));
    }
};

// The environment an installed program sees: the test's own, without what points into the
// build tree (RSREFSEG_PLUGIN_DIR) or lets a program cheat its way to a display.
inline QProcessEnvironment installedProgramEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("RSREFSEG_PLUGIN_DIR"));
    env.remove(QStringLiteral("LD_LIBRARY_PATH"));
    return env;
}

inline ProcessResult runProcess(const QString &program, const QStringList &args,
                                const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                                int timeoutMs = 120000, const QByteArray &stdinData = QByteArray())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(30000))
        return {-1, QString(), QStringLiteral("cannot start %1: %2").arg(program, p.errorString())};
    if (!stdinData.isEmpty())
        p.write(stdinData);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        return {-1, QString::fromUtf8(p.readAllStandardOutput()),
                QStringLiteral("timed out after %1 s").arg(timeoutMs / 1000)};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

// CLI11 --help: the long options of the "Options:" block and the names of the "Subcommands:"
// block (continuation lines of wrapped descriptions start with spaces only, never '-').
struct HelpText
{
    QStringList options;
    QStringList subcommands;
};

inline HelpText parseHelp(const QString &help)
{
    HelpText h;
    enum class Block { None, Options, Subcommands } block = Block::None;
    static const QRegularExpression optionRe(QStringLiteral("^\\s+(?:-\\w,\\s*)?(--[A-Za-z0-9][A-Za-z0-9-]*)"));
    static const QRegularExpression subRe(QStringLiteral("^  ([a-z][a-z0-9-]*)\\s{2,}"));
    for (const QString &line : help.split(QLatin1Char('\n'))) {
        if (line.trimmed().isEmpty()) {
            block = Block::None;
            continue;
        }
        if (line.startsWith(QLatin1String("Options:"))) {
            block = Block::Options;
            continue;
        }
        if (line.startsWith(QLatin1String("Subcommands:"))) {
            block = Block::Subcommands;
            continue;
        }
        if (!line.startsWith(QLatin1Char(' ')))
            block = Block::None;
        if (block == Block::Options) {
            const auto m = optionRe.match(line);
            if (m.hasMatch())
                h.options << m.captured(1);
        } else if (block == Block::Subcommands) {
            const auto m = subRe.match(line);
            if (m.hasMatch())
                h.subcommands << m.captured(1);
        }
    }
    return h;
}

// How roff source writes an option: every '-' escaped ("--min-area" -> "\-\-min\-area").
inline QString roffOption(const QString &option)
{
    QString s = option;
    s.replace(QLatin1Char('-'), QStringLiteral("\\-"));
    return s;
}

// The text of the man page section that starts with `.SS "name"` (up to the next .SS/.SH);
// empty when there is none.
inline QString manSection(const QString &roff, const QString &name)
{
    const QString start = QStringLiteral(".SS \"%1\"\n").arg(name);
    const int begin = roff.indexOf(start);
    if (begin < 0)
        return QString();
    const int from = begin + start.size();
    int end = roff.size();
    for (const QString &next : {QStringLiteral("\n.SS "), QStringLiteral("\n.SH ")}) {
        const int at = roff.indexOf(next, from);
        if (at >= 0 && at < end)
            end = at;
    }
    return roff.mid(from, end - from);
}

} // namespace rsrefseg::test
