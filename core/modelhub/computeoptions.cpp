#include "modelhub/computeoptions.h"

#include "model/common/torchthreads.h"

namespace rsrefseg {

int applyComputeThreads(int requested)
{
    return setTorchThreads(requested);
}

} // namespace rsrefseg
