#include "modelhub/computeoptions.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

namespace rsrefseg {

int applyComputeThreads(int requested)
{
    const int n = requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // Setting the same count again is not free in every LibTorch (it may rebuild the pool).
    if (at::get_num_threads() != n)
        at::set_num_threads(n);
    return n;
}

} // namespace rsrefseg
