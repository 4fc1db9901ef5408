// ComputeDevices: the devices this LibTorch build can run the model on, for choosers such as
// the desktop application's settings. No LibTorch types in this header, so Qt code (whose
// `slots` macro breaks LibTorch's headers) can include it.
//
//   for (const ComputeDevices::Device &d : ComputeDevices::available())
//       combo->addItem(d.label, d.name);          // "cpu", "cuda:0", ...
#pragma once

#include <string>
#include <vector>

namespace rsrefseg {

class ComputeDevices
{
  public:
    struct Device
    {
        std::string name;  // as --device and ModelBundle::parseDevice take it: cpu, cuda:N
        std::string label; // for people: "CPU", "CUDA GPU 0"
    };
    // The CPU first, then every CUDA device LibTorch sees (none with a CPU-only LibTorch).
    static std::vector<Device> available();
    static int cudaDeviceCount();
};

} // namespace rsrefseg
