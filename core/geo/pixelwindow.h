// PixelWindow: a rectangle in raster pixel coordinates (x to the right, y down), possibly
// reaching outside the raster (padded tiles).
#pragma once

#include <algorithm>

namespace rsrefseg {

struct PixelWindow
{
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;

    bool isEmpty() const { return width <= 0 || height <= 0; }
    int right() const { return x + width; }
    int bottom() const { return y + height; }

    PixelWindow intersected(const PixelWindow &other) const
    {
        const int l = std::max(x, other.x);
        const int t = std::max(y, other.y);
        const int r = std::min(right(), other.right());
        const int b = std::min(bottom(), other.bottom());
        if (r <= l || b <= t)
            return {l, t, 0, 0};
        return {l, t, r - l, b - t};
    }
    bool operator==(const PixelWindow &o) const
    {
        return x == o.x && y == o.y && width == o.width && height == o.height;
    }
    bool operator!=(const PixelWindow &o) const { return !(*this == o); }
};

} // namespace rsrefseg
