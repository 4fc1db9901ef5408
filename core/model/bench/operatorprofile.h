// OperatorProfile: where the time of a piece of LibTorch code goes, per ATen operator (self
// time: an operator's time minus the operators it called), measured with LibTorch's CPU
// profiler. `rsrefseg bench model --profile` uses it to show what dominates encodeImage,
// encodeText and decode.
//
//   OperatorProfile p = OperatorProfile::measure([&] { model->encodeImage(image); });
//   std::cout << p.toText(12);            // the 12 most expensive operators
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rsrefseg {

class OperatorProfile
{
  public:
    struct Entry
    {
        std::string name;
        double selfMs = 0;  // time inside the operator itself, summed over calls
        double totalMs = 0; // including the operators it called (outermost calls only)
        int64_t calls = 0;
    };

    static OperatorProfile measure(const std::function<void()> &code);

    // Operators by self time, most expensive first.
    const std::vector<Entry> &entries() const { return mEntries; }
    double wallMs() const { return mWallMs; }
    double selfMsSum() const;
    nlohmann::json toJson(size_t top) const;
    std::string toText(size_t top) const;

  private:
    std::vector<Entry> mEntries;
    double mWallMs = 0;
};

} // namespace rsrefseg
