#include "train/categorymetrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace rsrefseg {

namespace {

nlohmann::json numberOrNull(double value)
{
    return std::isnan(value) ? nlohmann::json(nullptr) : nlohmann::json(value);
}

std::string percent(double value)
{
    if (std::isnan(value))
        return "-";
    std::ostringstream s;
    s << std::fixed << std::setprecision(2) << 100.0 * value;
    return s.str();
}

} // namespace

void CategoryMetrics::add(const std::string &category, const SampleIoU &sample)
{
    Sums &sums = mSums[category.empty() ? std::string(kNoCategory) : category];
    ++sums.samples;
    sums.intersection += sample.intersection;
    sums.unionArea += sample.unionArea;
    if (sample.unionArea > 0) {
        ++sums.scored;
        sums.iouSum += static_cast<double>(sample.intersection) / static_cast<double>(sample.unionArea);
    }
}

CategoryReport CategoryMetrics::report() const
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CategoryReport r;
    double sum = 0;
    std::size_t counted = 0;
    for (const auto &[name, s] : mSums) {
        CategoryScore c;
        c.category = name;
        c.samples = s.samples;
        c.scoredSamples = s.scored;
        c.mIoU = s.scored > 0 ? s.iouSum / static_cast<double>(s.scored) : nan;
        c.oIoU = s.unionArea > 0 ? static_cast<double>(s.intersection) / static_cast<double>(s.unionArea) : 0.0;
        if (s.scored > 0) {
            sum += c.mIoU;
            ++counted;
        }
        r.categories.push_back(c);
    }
    r.meanCategoryMIoU = counted > 0 ? sum / static_cast<double>(counted) : nan;
    return r;
}

nlohmann::json CategoryReport::toJson() const
{
    nlohmann::json perCategory = nlohmann::json::object();
    for (const CategoryScore &c : categories)
        perCategory[c.category] = {{"samples", c.samples},
                                   {"scored_samples", c.scoredSamples},
                                   {"mIoU", numberOrNull(c.mIoU)},
                                   {"oIoU", c.oIoU}};
    return {{"categories", perCategory}, {"mean_category_mIoU", numberOrNull(meanCategoryMIoU)}};
}

std::string CategoryReport::table() const
{
    std::size_t width = 8;
    for (const CategoryScore &c : categories)
        width = std::max(width, c.category.size() + 2);
    std::ostringstream s;
    s << std::left << std::setw(static_cast<int>(width)) << "category" << std::right << std::setw(8) << "samples"
      << std::setw(8) << "mIoU" << std::setw(8) << "oIoU" << "\n";
    for (const CategoryScore &c : categories)
        s << std::left << std::setw(static_cast<int>(width)) << c.category << std::right << std::setw(8) << c.samples
          << std::setw(8) << percent(c.mIoU) << std::setw(8) << percent(c.oIoU) << "\n";
    s << std::left << std::setw(static_cast<int>(width)) << "mean" << std::right << std::setw(8) << ""
      << std::setw(8) << percent(meanCategoryMIoU) << "\n";
    return s.str();
}

} // namespace rsrefseg
