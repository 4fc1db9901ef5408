// rsrefseg::Error: the one exception type that crosses layer boundaries inside a thread.
// Every message names what is at fault (file, tensor, field, option) so that an executable can
// print it as one line and exit non-zero. Catch it at job and thread boundaries; never let it
// cross a thread.
#pragma once

#include <stdexcept>
#include <string>

namespace rsrefseg {

class Error : public std::runtime_error
{
  public:
    explicit Error(const std::string &message)
        : std::runtime_error(message)
    {
    }
};

// Thrown when a job notices that its feedback object was cancelled.
class CancelledError : public Error
{
  public:
    CancelledError()
        : Error("cancelled")
    {
    }
};

} // namespace rsrefseg
