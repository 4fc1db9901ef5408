#include "ui/modellocator.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace rsrefseg {

QStringList ModelLocator::bundledCandidates()
{
    const QString exeDir = QCoreApplication::applicationDirPath();
    QStringList c;
    // Installed layout: bin/ next to share/rsrefseg/models (the build tree mirrors it).
    c << QDir::cleanPath(exeDir + QStringLiteral("/../share/rsrefseg/models/demo"));
#ifdef RSREFSEG_SOURCE_RESOURCES_DIR
    c << QDir::cleanPath(QStringLiteral(RSREFSEG_SOURCE_RESOURCES_DIR) + QStringLiteral("/models/demo"));
#endif
    c << QDir::cleanPath(exeDir + QStringLiteral("/../share/rsrefseg/models/golden-tiny"));
#ifdef RSREFSEG_BUILD_MODELS_DIR
    c << QDir::cleanPath(QStringLiteral(RSREFSEG_BUILD_MODELS_DIR) + QStringLiteral("/golden-tiny"));
#endif
    c.removeDuplicates();
    return c;
}

QString ModelLocator::resolve(const QString &chosen)
{
    if (!chosen.isEmpty())
        return chosen;
    for (const QString &dir : bundledCandidates())
        if (QFileInfo::exists(dir + QStringLiteral("/manifest.json")))
            return dir;
    return QString();
}

ModelLocator::Summary ModelLocator::summary(const QString &dir)
{
    Summary s;
    s.dir = dir;
    if (dir.isEmpty()) {
        s.error = QCoreApplication::translate("rsrefseg::ModelLocator", "No model bundle was found.");
        return s;
    }
    QFile f(dir + QStringLiteral("/manifest.json"));
    if (!f.open(QIODevice::ReadOnly)) {
        s.error = QCoreApplication::translate("rsrefseg::ModelLocator", "Cannot read %1.").arg(f.fileName());
        return s;
    }
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (!doc.isObject()) {
        s.error = QCoreApplication::translate("rsrefseg::ModelLocator", "%1 is not valid JSON: %2")
                      .arg(f.fileName(), err.errorString());
        return s;
    }
    const QJsonObject o = doc.object();
    s.valid = true;
    s.name = o.value(QStringLiteral("name")).toString();
    s.modelId = o.value(QStringLiteral("model_id")).toString();
    s.trained = o.value(QStringLiteral("trained")).toBool(false);
    if (s.name.isEmpty())
        s.name = QFileInfo(dir).fileName();
    return s;
}

} // namespace rsrefseg
