#include "model/rsrefseg/computedevices.h"

#include <torch/cuda.h>

namespace rsrefseg {

int ComputeDevices::cudaDeviceCount()
{
    return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
}

std::vector<ComputeDevices::Device> ComputeDevices::available()
{
    std::vector<Device> devices{{"cpu", "CPU"}};
    const int n = cudaDeviceCount();
    for (int i = 0; i < n; ++i)
        devices.push_back({"cuda:" + std::to_string(i), "CUDA GPU " + std::to_string(i)});
    return devices;
}

} // namespace rsrefseg
