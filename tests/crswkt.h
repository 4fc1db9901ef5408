// wktOfEpsg: the WKT of an EPSG code through GDAL/OSR, the tests' independent source of CRS
// definitions (the code under test gets the same string as input, never computes it).
#pragma once

#include <cpl_conv.h>
#include <ogr_spatialref.h>

#include <string>

namespace rsrefseg::test {

inline std::string wktOfEpsg(int epsg)
{
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    char *wkt = nullptr;
    srs.exportToWkt(&wkt);
    const std::string s = wkt ? wkt : "";
    CPLFree(wkt);
    return s;
}

} // namespace rsrefseg::test
