// ProcessMemory: this process's resident memory as Linux reports it in /proc/self/status, for
// the benchmarks' memory figures. residentMb() is VmRSS (now), peakMb() VmHWM (the high-water
// mark since start or since the last resetPeak()). Both return -1 where the figure is not
// available (not Linux). resetPeak() writes 5 to /proc/self/clear_refs (Linux >= 4.0), which
// sets the high-water mark back to the current resident size: `rsrefseg bench segment` resets
// it after loading the model so that its peak measures the segmentation alone.
//
//   ProcessMemory::resetPeak();
//   run();
//   double above = ProcessMemory::peakMb() - ProcessMemory::residentMb();
#pragma once

#include <cstring>
#include <fstream>
#include <string>

namespace rsrefseg {

class ProcessMemory
{
  public:
    static double residentMb() { return statusMb("VmRSS:"); }
    static double peakMb() { return statusMb("VmHWM:"); }
    static void resetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

    // A "<field> <n> kB" line of /proc/self/status in MB (1024 kB); -1 when absent.
    static double statusMb(const char *field)
    {
        std::ifstream in("/proc/self/status");
        std::string line;
        while (std::getline(in, line))
            if (line.rfind(field, 0) == 0)
                return std::stod(line.substr(std::strlen(field) + 1)) / 1024.0;
        return -1.0;
    }
};

} // namespace rsrefseg
