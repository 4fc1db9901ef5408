// Running the rsrefseg executable from the CLI tests: exit code (-1: did not finish in time,
// -2: crashed), standard output and standard error.
#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

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
    return run(QStringLiteral(RSREFSEG_CLI), args, timeoutMs, env);
}

} // namespace clitest
