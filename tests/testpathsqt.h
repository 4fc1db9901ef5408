// The QString forms of tests/testpaths.h, for tests written against Qt.
#pragma once


#include <QString>
#include "testpaths.h"

namespace rsrefseg::test {

inline QString envQPath(const char *variable)
{
    return QString::fromStdString(envPath(variable));
}

inline QString qTestDataDir() { return envQPath("RSREFSEG_TEST_DATA_DIR"); }
inline QString qSourceDir() { return envQPath("RSREFSEG_SOURCE_DIR"); }
inline QString qBinaryDir() { return envQPath("RSREFSEG_BINARY_DIR"); }

} // namespace rsrefseg::test
