// What the CLI tests share: running the rsrefseg executable (exit code, -1: did not finish in
// time, -2: crashed; standard output and standard error), the golden fixture folder, and the
// checks of a failed run.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QtTest>
#include "testpathsqt.h"

namespace clitest {

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
};

inline Result run(const QString &program, const QStringList &args, int timeoutMs = 300000,
                  const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForFinished(timeoutMs))
        return {};
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

inline Result runCli(const QStringList &args, int timeoutMs = 300000,
                     const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    return run(rsrefseg::test::envQPath("RSREFSEG_CLI"), args, timeoutMs, env);
}

inline QString golden(const QString &relative)
{
    return rsrefseg::test::qTestDataDir() + QStringLiteral("/golden/") + relative;
}

// A failed run: a positive exit code (exactly `exitCode` when it is given), `needle` on standard
// error and no uncaught exception.
inline void expectError(const Result &r, const QString &needle, int exitCode = 0)
{
    QVERIFY2(exitCode > 0 ? r.exitCode == exitCode : r.exitCode > 0,
             qPrintable(QString("exit %1: %2").arg(r.exitCode).arg(r.err)));
    QVERIFY2(r.err.contains(needle), qPrintable(r.err));
    QVERIFY2(!r.err.contains("terminate called"), qPrintable(r.err));
}

// The lines of standard error, without the "note:" lines (about the built-in model, for
// example: they are not errors).
inline QStringList errorLines(const QString &err)
{
    QStringList out;
    for (const QString &line : err.split('\n', Qt::SkipEmptyParts))
        if (!line.contains("note:"))
            out << line;
    return out;
}

enum class Notes { Count, Ignore };

// A failed run: a positive exit code and exactly one line on standard error (notes ignored
// with Notes::Ignore), which contains `needle`.
inline void expectOneLineError(const Result &r, const QString &needle, Notes notes = Notes::Count)
{
    QVERIFY2(r.exitCode > 0, qPrintable(QString("exit %1, stderr: %2").arg(r.exitCode).arg(r.err)));
    const QStringList lines = notes == Notes::Ignore ? errorLines(r.err) : r.err.trimmed().split('\n');
    QVERIFY2(lines.size() == 1, qPrintable(r.err));
    QVERIFY2(lines[0].contains(needle), qPrintable(lines[0]));
}

} // namespace clitest
