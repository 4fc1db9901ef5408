#include "geo/gdalhandles.h"

#include <cpl_error.h>

#include <mutex>

namespace rsrefseg {

void ensureGdalRegistered()
{
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

GdalQuietErrors::GdalQuietErrors()
{
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
}

GdalQuietErrors::~GdalQuietErrors()
{
    CPLPopErrorHandler();
}

} // namespace rsrefseg
