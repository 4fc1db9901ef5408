// OpenMP wait policy for the programs. After each parallel region libgomp's worker threads spin
// for a while by default (OMP_WAIT_POLICY unset = active spinning). On a 2-core machine those
// spinning threads take the cores from OpenBLAS's own threads and from whatever else runs, so
// every small operator waits: measured with `rsrefseg bench model` while the other core was
// busy, bf16 encodeText took 2836 ms with the default policy and 161 ms with PASSIVE, decode
// 1696 -> 115 ms, encodeImage 21.3 -> 13.8 s (fp32 encodeText 1720 -> 316 ms).
//
// libgomp reads OMP_WAIT_POLICY once, when it is loaded, before main(). So each program calls
// useQuietOpenMpThreads(argv) first thing in main(): when the variable is unset it sets it to
// PASSIVE and re-executes itself (once; a user's own OMP_WAIT_POLICY is left as it is). If the
// re-execution fails the program simply goes on with the default policy.
#pragma once

#include <cstdlib>

#include <unistd.h>

namespace rsrefseg {

inline void useQuietOpenMpThreads(char **argv)
{
    if (std::getenv("OMP_WAIT_POLICY") != nullptr)
        return;
    if (setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0)
        return;
    execv("/proc/self/exe", argv); // returns only on failure
}

} // namespace rsrefseg
