// AtomicOutput: a file (or a family of files, like a Shapefile's .shp/.shx/.dbf/.prj) that
// appears at its final path only when complete. Writers write to tempPath(), which lies in a
// hidden folder next to the final path (same filesystem, so the final rename is atomic per
// file), then call commit(). Destroyed uncommitted, it removes everything it wrote.
//
//   AtomicOutput out("tiles.geojson", /*overwrite*/ false);   // throws if it exists
//   writeTo(out.tempPath());
//   out.commit();
#pragma once

#include <string>

namespace rsrefseg {

class AtomicOutput
{
  public:
    AtomicOutput(const std::string &finalPath, bool overwrite);
    ~AtomicOutput();
    AtomicOutput(const AtomicOutput &) = delete;
    AtomicOutput &operator=(const AtomicOutput &) = delete;

    const std::string &finalPath() const { return mFinalPath; }
    const std::string &tempPath() const { return mTempPath; }
    // Moves every file written next to tempPath() to the final folder (same names with the
    // temporary stem replaced by the final one). Throws rsrefseg::Error on failure.
    void commit();

  private:
    std::string mFinalPath;
    std::string mTempDir;
    std::string mTempPath;
    bool mOverwrite;
    bool mCommitted = false;
};

} // namespace rsrefseg
