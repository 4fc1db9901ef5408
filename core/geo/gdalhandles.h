// RAII owners for GDAL/OGR handles (QGIS's gdal::dataset_unique_ptr idea): a dataset or
// spatial reference is closed exactly once, also when an exception unwinds the stack.
#pragma once

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <memory>

namespace rsrefseg {

struct GdalDatasetCloser
{
    void operator()(GDALDataset *dataset) const
    {
        if (dataset)
            GDALClose(GDALDataset::ToHandle(dataset));
    }
};
using GdalDatasetPtr = std::unique_ptr<GDALDataset, GdalDatasetCloser>;

struct OgrSpatialReferenceReleaser
{
    void operator()(OGRSpatialReference *srs) const
    {
        if (srs)
            srs->Release();
    }
};
using OgrSpatialReferencePtr = std::unique_ptr<OGRSpatialReference, OgrSpatialReferenceReleaser>;

// Registers every GDAL/OGR driver once per process (thread-safe).
void ensureGdalRegistered();

// Runs with GDAL's own error printing silenced on this thread; errors are read back with
// CPLGetLastErrorMsg() and reported through rsrefseg::Error instead.
class GdalQuietErrors
{
  public:
    GdalQuietErrors();
    ~GdalQuietErrors();
    GdalQuietErrors(const GdalQuietErrors &) = delete;
    GdalQuietErrors &operator=(const GdalQuietErrors &) = delete;
};

} // namespace rsrefseg
