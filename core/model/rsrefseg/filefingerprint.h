// FileFingerprint: a 64-bit FNV-1a content hash of a file, streamed (constant memory), written
// as 16 hex digits. It identifies weights in cache keys and provenance records; it is not a
// security measure (nothing here trusts a file because of its hash).
#pragma once

#include <string>

namespace rsrefseg {

class FileFingerprint
{
  public:
    // Throws rsrefseg::Error when the file cannot be read.
    static std::string ofFile(const std::string &path);
    static std::string ofBytes(const std::string &bytes);
};

} // namespace rsrefseg
