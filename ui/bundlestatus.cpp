#include "ui/bundlestatus.h"

#include "modelhub/bundledmodels.h"
#include "modelhub/bundlesummary.h"

#include <QCoreApplication>

namespace rsrefseg {

BundleStatus BundleStatus::of(const QString &chosen)
{
    BundleStatus s;
    s.dir = chosen.isEmpty() ? QString::fromStdString(BundledModels::find()) : chosen;
    if (s.dir.isEmpty()) {
        s.error = QCoreApplication::translate("rsrefseg::BundleStatus", "No model bundle was found.");
        return s;
    }
    try {
        const BundleSummary summary = BundleSummary::read(s.dir.toStdString());
        s.valid = true;
        s.name = QString::fromStdString(summary.name);
        s.modelId = QString::fromStdString(summary.modelId);
        s.architecture = QString::fromStdString(summary.architecture);
        s.trained = summary.trained;
    } catch (const BundleSummary::ReadError &e) {
        const QString file = QString::fromStdString(e.file());
        switch (e.problem()) {
        case BundleSummary::Problem::NoManifest:
            s.error = QCoreApplication::translate("rsrefseg::BundleStatus", "Cannot read %1.").arg(file);
            break;
        case BundleSummary::Problem::InvalidJson:
            s.error = QCoreApplication::translate("rsrefseg::BundleStatus", "%1 is not valid JSON: %2")
                          .arg(file, QString::fromStdString(e.detail()));
            break;
        case BundleSummary::Problem::InvalidField:
            // Names the file and the field, as the command line says it.
            s.error = QString::fromStdString(e.what());
            break;
        }
    }
    return s;
}

} // namespace rsrefseg
