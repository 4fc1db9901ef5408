#include "ui/overviewbuilder.h"

#include "common/error.h"
#include "engine/embeddingcache.h"
#include "geo/gdalhandles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <gdal_priv.h>

#include <algorithm>
#include <vector>

namespace rsrefseg {

namespace {

struct ProgressState
{
    const std::function<bool(double)> *fn = nullptr;
    bool cancelled = false;
};

int progressAdapter(double complete, const char *, void *data)
{
    auto *state = static_cast<ProgressState *>(data);
    if (state->fn && *state->fn && !(*state->fn)(complete)) {
        state->cancelled = true;
        return FALSE;
    }
    return TRUE;
}

} // namespace

bool OverviewBuilder::needsOverviews(const RasterInfo &info)
{
    if (std::max(info.width, info.height) <= kMinSideForOverviews)
        return false;
    for (const BandInfo &b : info.bands)
        if (b.overviews.empty())
            return true;
    return false;
}

QString OverviewBuilder::build(const RasterInfo &info, const QString &cacheDir,
                               const std::function<bool(double)> &progress)
{
    if (!needsOverviews(info))
        return QString();
    ensureGdalRegistered();
    const std::string identity = EmbeddingCache::rasterIdentity(info.path);
    const QString key = QString::fromLatin1(
        QCryptographicHash::hash(QByteArray::fromStdString(identity), QCryptographicHash::Sha1).toHex().left(20));
    const QString dir = QDir(cacheDir).filePath(QStringLiteral("overviews"));
    if (!QDir().mkpath(dir))
        throw Error("cannot create the overview cache folder '" + dir.toStdString() + "'");
    const QString vrt = QDir(dir).filePath(key + QStringLiteral(".vrt"));
    const QString ovr = vrt + QStringLiteral(".ovr");
    if (QFileInfo::exists(vrt) && QFileInfo::exists(ovr))
        return vrt;

    // Build under temporary names, rename at the end: a cancelled build leaves nothing usable
    // behind that would later be mistaken for a complete pyramid.
    const QString tmpVrt = QDir(dir).filePath(key + QStringLiteral(".part.vrt"));
    QFile::remove(tmpVrt);
    QFile::remove(tmpVrt + QStringLiteral(".ovr"));
    GdalQuietErrors quiet;
    {
        GdalDatasetPtr src(GDALDataset::Open(info.path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        if (!src)
            throw Error("cannot open '" + info.path + "': " + CPLGetLastErrorMsg());
        GDALDriver *vrtDriver = GetGDALDriverManager()->GetDriverByName("VRT");
        GdalDatasetPtr copy(vrtDriver->CreateCopy(tmpVrt.toStdString().c_str(), src.get(), FALSE, nullptr, nullptr,
                                                  nullptr));
        if (!copy)
            throw Error("cannot write '" + tmpVrt.toStdString() + "': " + CPLGetLastErrorMsg());
    }
    {
        // Reopened read-only: GDAL then writes the overviews to an external .ovr.
        GdalDatasetPtr ds(GDALDataset::Open(tmpVrt.toStdString().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
        if (!ds)
            throw Error("cannot open '" + tmpVrt.toStdString() + "': " + CPLGetLastErrorMsg());
        std::vector<int> levels;
        for (int f = 2; std::max(info.width, info.height) / f >= 256; f *= 2)
            levels.push_back(f);
        if (levels.empty())
            levels.push_back(2);
        CPLSetThreadLocalConfigOption("COMPRESS_OVERVIEW", "DEFLATE");
        ProgressState state{&progress, false};
        const CPLErr err = ds->BuildOverviews("AVERAGE", static_cast<int>(levels.size()), levels.data(), 0, nullptr,
                                              progressAdapter, &state);
        CPLSetThreadLocalConfigOption("COMPRESS_OVERVIEW", nullptr);
        if (err != CE_None) {
            ds.reset();
            QFile::remove(tmpVrt);
            QFile::remove(tmpVrt + QStringLiteral(".ovr"));
            if (state.cancelled)
                throw CancelledError();
            throw Error("cannot build overviews for '" + info.path + "': " + CPLGetLastErrorMsg());
        }
    }
    // The .ovr is found by name next to the VRT, so both are renamed.
    QFile::remove(vrt);
    QFile::remove(ovr);
    if (!QFile::rename(tmpVrt + QStringLiteral(".ovr"), ovr) || !QFile::rename(tmpVrt, vrt))
        throw Error("cannot rename the overview files in '" + dir.toStdString() + "'");
    return vrt;
}

} // namespace rsrefseg
