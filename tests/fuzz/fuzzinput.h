// FuzzInput: helpers shared by the libFuzzer entry points of tests/fuzz.
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
//       rsrefseg::FuzzScratch scratch;                          // per-process folder in /dev/shm
//       const std::string path = scratch.write("in.safetensors", data, size);
//       rsrefseg::fuzzExpectError([&] { SafetensorsFile::open(path); });
//       return 0;
//   }
//
// The contract every target checks: any input is either accepted or refused with
// rsrefseg::Error. Any other exception escapes the entry point and libFuzzer reports it as a
// crash ("deadly signal" after std::terminate), as it does sanitizer reports and timeouts.
#pragma once

#include "common/error.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <unistd.h>

namespace rsrefseg {

// A folder private to this process (RAM-backed when /dev/shm exists), removed at exit.
class FuzzScratch
{
  public:
    FuzzScratch()
    {
        namespace fs = std::filesystem;
        std::error_code ec;
        const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
        mDir = base / ("rsrefseg-fuzz-" + std::to_string(::getpid()));
        fs::create_directories(mDir, ec);
    }
    ~FuzzScratch()
    {
        std::error_code ec;
        std::filesystem::remove_all(mDir, ec);
    }
    FuzzScratch(const FuzzScratch &) = delete;
    FuzzScratch &operator=(const FuzzScratch &) = delete;

    const std::filesystem::path &dir() const { return mDir; }

    // Writes the bytes to <dir>/<name> (replacing it) and returns the path.
    std::string write(const std::string &name, const uint8_t *data, size_t size) const
    {
        const std::filesystem::path path = mDir / name;
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
        return path.string();
    }

  private:
    std::filesystem::path mDir;
};

// Runs `body`; rsrefseg::Error (a refused input) is the expected way to fail.
template <typename Body> void fuzzExpectError(Body &&body)
{
    try {
        body();
    } catch (const Error &) {
    }
}

} // namespace rsrefseg
