// Where a test finds the fixtures, the source and build trees and the programs it runs.
// CTest passes them as environment variables (cmake/RSRefSegTesting.cmake), not as compile
// definitions: an absolute path inside a translation unit makes ccache miss that unit in every
// clone at another path, which is how CI builds (ARCHITECTURE.md, Build speed).
// No Qt here (Qt's `slots` keyword breaks LibTorch headers included after it): the QString
// forms are in tests/testpathsqt.h.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace rsrefseg::test {

// The value of `variable`; a test started outside CTest without it stops with a message
// naming the variable instead of failing later on an empty path.
inline std::string envPath(const char *variable)
{
    const char *value = std::getenv(variable);
    if (value == nullptr || *value == '\0') {
        std::fprintf(stderr, "%s is not set: run this test through ctest (or set it by hand)\n", variable);
        std::exit(2);
    }
    return value;
}

// tests/data (RSREFSEG_TEST_DATA_DIR), the repository root (RSREFSEG_SOURCE_DIR) and the
// build tree (RSREFSEG_BINARY_DIR), each without a trailing slash.
inline std::string testDataDir() { return envPath("RSREFSEG_TEST_DATA_DIR"); }
inline std::string sourceDir() { return envPath("RSREFSEG_SOURCE_DIR"); }
inline std::string binaryDir() { return envPath("RSREFSEG_BINARY_DIR"); }

} // namespace rsrefseg::test
