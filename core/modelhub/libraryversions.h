// LibraryVersions: the versions of the libraries the programs run with, for their --version
// text. Here so that app/ includes neither LibTorch nor GDAL headers.
//
//   LibraryVersions v = LibraryVersions::current();   // v.torch "1.13.1", v.gdal "3.6.2", ...
#pragma once

#include <string>

namespace rsrefseg {

struct LibraryVersions
{
    std::string torch;  // LibTorch, as built against
    std::string gdal;   // GDAL, as loaded at run time
    std::string opencv; // OpenCV, as built against

    static LibraryVersions current();
};

} // namespace rsrefseg
