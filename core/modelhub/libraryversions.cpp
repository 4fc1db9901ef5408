#include "modelhub/libraryversions.h"

#include <gdal.h>
#include <opencv2/core/version.hpp>
#include <torch/version.h>

namespace rsrefseg {

LibraryVersions LibraryVersions::current()
{
    return {TORCH_VERSION, GDALVersionInfo("RELEASE_NAME"), CV_VERSION};
}

} // namespace rsrefseg
