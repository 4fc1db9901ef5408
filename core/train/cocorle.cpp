#include "train/cocorle.h"

#include "common/error.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace rsrefseg {

namespace {

constexpr std::uint64_t kMaxPixels = std::numeric_limits<std::uint32_t>::max();

void checkSize(int height, int width, const char *what)
{
    if (height < 0 || width < 0)
        throw Error(std::string(what) + ": negative mask size " + std::to_string(height) + "x" +
                    std::to_string(width));
    if (static_cast<std::uint64_t>(height) * static_cast<std::uint64_t>(width) > kMaxPixels)
        throw Error(std::string(what) + ": mask size " + std::to_string(height) + "x" +
                    std::to_string(width) + " has more than 2^32-1 pixels");
}

// Removes zero-length runs after the first (they join their neighbours) and a trailing zero,
// so that two encodings of one mask compare equal.
std::vector<std::uint32_t> canonical(const std::vector<std::uint32_t> &counts)
{
    std::vector<std::uint32_t> out;
    out.reserve(counts.size());
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (i > 0 && counts[i] == 0) {
            // A zero run between two runs of the same value: merge the next run into the last.
            if (i + 1 < counts.size()) {
                out.back() += counts[i + 1];
                ++i;
            }
            continue;
        }
        out.push_back(counts[i]);
    }
    if (out.empty())
        out.push_back(0);
    return out;
}

} // namespace

CocoRle::CocoRle(int height, int width, std::vector<std::uint32_t> counts)
    : mHeight(height)
    , mWidth(width)
    , mCounts(std::move(counts))
{
    checkSize(height, width, "COCO RLE");
    std::uint64_t sum = 0;
    for (std::uint32_t c : mCounts)
        sum += c;
    const std::uint64_t pixels = static_cast<std::uint64_t>(height) * width;
    if (sum != pixels)
        throw Error("COCO RLE: run counts add up to " + std::to_string(sum) + " pixels but size " +
                    std::to_string(height) + "x" + std::to_string(width) + " has " +
                    std::to_string(pixels));
    if (mCounts.empty())
        mCounts.push_back(0);
}

CocoRle CocoRle::encode(const cv::Mat &mask)
{
    // An empty mask keeps its size (OpenCV keeps e.g. 102 x 0), so that a zero-area RLE
    // round-trips (found by fuzz_cocorle: 102 x 0 came back as 0 x 0).
    if (mask.empty())
        return CocoRle(mask.rows, mask.cols, {0});
    if (mask.type() != CV_8UC1)
        throw Error("COCO RLE encode: mask must be CV_8UC1, got type " +
                    std::to_string(mask.type()));
    checkSize(mask.rows, mask.cols, "COCO RLE encode");
    // Column-major runs: transpose once so that the scan is a row-major walk in memory.
    cv::Mat t;
    cv::transpose(mask, t);
    std::vector<std::uint32_t> counts;
    std::uint8_t previous = 0;
    std::uint32_t run = 0;
    for (int r = 0; r < t.rows; ++r) {
        const std::uint8_t *row = t.ptr<std::uint8_t>(r);
        for (int c = 0; c < t.cols; ++c) {
            const std::uint8_t v = row[c] != 0 ? 1 : 0;
            if (v != previous) {
                counts.push_back(run);
                run = 0;
                previous = v;
            }
            ++run;
        }
    }
    counts.push_back(run);
    return CocoRle(mask.rows, mask.cols, std::move(counts));
}

std::string CocoRle::toString() const
{
    // pycocotools rleToString.
    std::string s;
    s.reserve(mCounts.size() * 2);
    for (std::size_t i = 0; i < mCounts.size(); ++i) {
        std::int64_t x = mCounts[i];
        if (i > 2)
            x -= static_cast<std::int64_t>(mCounts[i - 2]);
        bool more = true;
        while (more) {
            char c = static_cast<char>(x & 0x1f);
            x >>= 5; // arithmetic shift: C++20 defines it, every C++17 compiler we use does it
            more = (c & 0x10) ? x != -1 : x != 0;
            if (more)
                c |= 0x20;
            s.push_back(static_cast<char>(c + 48));
        }
    }
    return s;
}

CocoRle CocoRle::fromString(std::string_view s, int height, int width)
{
    // pycocotools rleFrString, with the checks it lacks.
    checkSize(height, width, "COCO RLE counts");
    std::vector<std::uint32_t> counts;
    counts.reserve(s.size());
    std::size_t p = 0;
    while (p < s.size()) {
        std::uint64_t x = 0;
        int k = 0;
        bool more = true;
        while (more) {
            if (p >= s.size())
                throw Error("COCO RLE counts: string ends inside a number (run " +
                            std::to_string(counts.size()) + ")");
            const int ch = static_cast<unsigned char>(s[p]);
            if (ch < 48 || ch > 111)
                throw Error("COCO RLE counts: character '" + std::string(1, s[p]) +
                            "' at offset " + std::to_string(p) + " is outside '0'..'o'");
            if (k >= 12)
                throw Error("COCO RLE counts: number at offset " + std::to_string(p) +
                            " is longer than 12 characters");
            const int c = ch - 48;
            x |= static_cast<std::uint64_t>(c & 0x1f) << (5 * k);
            more = (c & 0x20) != 0;
            ++p;
            ++k;
            if (!more && (c & 0x10))
                x |= ~std::uint64_t(0) << (5 * k); // sign extension
        }
        std::int64_t value = static_cast<std::int64_t>(x);
        if (counts.size() > 2)
            value += counts[counts.size() - 2];
        if (value < 0 || value > static_cast<std::int64_t>(kMaxPixels))
            throw Error("COCO RLE counts: run " + std::to_string(counts.size()) +
                        " has the impossible length " + std::to_string(value));
        counts.push_back(static_cast<std::uint32_t>(value));
    }
    return CocoRle(height, width, std::move(counts));
}

CocoRle CocoRle::fromJson(const nlohmann::json &json)
{
    if (!json.is_object())
        throw Error("COCO RLE: expected an object with \"size\" and \"counts\"");
    const auto size = json.find("size");
    if (size == json.end() || !size->is_array() || size->size() != 2 ||
        !(*size)[0].is_number_integer() || !(*size)[1].is_number_integer())
        throw Error("COCO RLE: \"size\" must be [height, width] integers");
    const std::int64_t h = (*size)[0].get<std::int64_t>();
    const std::int64_t w = (*size)[1].get<std::int64_t>();
    if (h < 0 || w < 0 || h > std::numeric_limits<int>::max() ||
        w > std::numeric_limits<int>::max())
        throw Error("COCO RLE: \"size\" " + size->dump() + " is out of range");
    const auto counts = json.find("counts");
    if (counts == json.end())
        throw Error("COCO RLE: \"counts\" is missing");
    if (counts->is_string())
        return fromString(counts->get_ref<const std::string &>(), static_cast<int>(h),
                          static_cast<int>(w));
    if (counts->is_array()) {
        std::vector<std::uint32_t> runs;
        runs.reserve(counts->size());
        for (const auto &v : *counts) {
            if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
                v.get<std::int64_t>() > static_cast<std::int64_t>(kMaxPixels))
                throw Error("COCO RLE: uncompressed \"counts\" holds " + v.dump() +
                            ", not a run length");
            runs.push_back(static_cast<std::uint32_t>(v.get<std::int64_t>()));
        }
        return CocoRle(static_cast<int>(h), static_cast<int>(w), std::move(runs));
    }
    throw Error("COCO RLE: \"counts\" must be a string or an array of integers");
}

CocoRle CocoRle::fromPolygons(const std::vector<std::vector<double>> &polygons, int height,
                              int width)
{
    checkSize(height, width, "COCO polygon");
    if (polygons.empty())
        throw Error("COCO polygon: no polygon given");
    std::vector<CocoRle> parts;
    parts.reserve(polygons.size());
    const std::uint32_t h = static_cast<std::uint32_t>(height);
    const std::uint32_t w = static_cast<std::uint32_t>(width);
    for (std::size_t pi = 0; pi < polygons.size(); ++pi) {
        const auto &xy = polygons[pi];
        if (xy.size() < 6 || xy.size() % 2 != 0)
            throw Error("COCO polygon " + std::to_string(pi) + ": needs an even number (>= 6) "
                        "of coordinates, got " + std::to_string(xy.size()));
        for (double v : xy)
            if (!std::isfinite(v) || std::fabs(v) > 1e7)
                throw Error("COCO polygon " + std::to_string(pi) +
                            ": coordinate out of range or not finite");
        // pycocotools rleFrPoly: upsample by 5, walk the boundary densely, keep the points where
        // the boundary crosses a pixel column centre, downsample and turn them into runs.
        const std::size_t k = xy.size() / 2;
        const double scale = 5;
        std::vector<int> x(k + 1), y(k + 1);
        for (std::size_t j = 0; j < k; ++j) {
            x[j] = static_cast<int>(scale * xy[j * 2 + 0] + .5);
            y[j] = static_cast<int>(scale * xy[j * 2 + 1] + .5);
        }
        x[k] = x[0];
        y[k] = y[0];
        std::vector<int> u, v;
        for (std::size_t j = 0; j < k; ++j) {
            int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1];
            const int dx = std::abs(xe - xs), dy = std::abs(ys - ye);
            const bool flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) {
                std::swap(xs, xe);
                std::swap(ys, ye);
            }
            // pycocotools divides 0 by 0 for a repeated vertex (undefined); a slope of 0 draws
            // the single point it stands for.
            double s = 0;
            if (dx >= dy && dx > 0)
                s = static_cast<double>(ye - ys) / dx;
            else if (dx < dy)
                s = static_cast<double>(xe - xs) / dy;
            if (dx >= dy) {
                for (int d = 0; d <= dx; ++d) {
                    const int t = flip ? dx - d : d;
                    u.push_back(t + xs);
                    v.push_back(static_cast<int>(ys + s * t + .5));
                }
            } else {
                for (int d = 0; d <= dy; ++d) {
                    const int t = flip ? dy - d : d;
                    v.push_back(t + ys);
                    u.push_back(static_cast<int>(xs + s * t + .5));
                }
            }
        }
        std::vector<std::uint32_t> a;
        for (std::size_t j = 1; j < u.size(); ++j) {
            if (u[j] == u[j - 1])
                continue;
            double xd = static_cast<double>(u[j] < u[j - 1] ? u[j] : u[j] - 1);
            xd = (xd + .5) / scale - .5;
            if (std::floor(xd) != xd || xd < 0 || xd > width - 1)
                continue;
            double yd = static_cast<double>(v[j] < v[j - 1] ? v[j] : v[j - 1]);
            yd = (yd + .5) / scale - .5;
            if (yd < 0)
                yd = 0;
            else if (yd > height)
                yd = height;
            yd = std::ceil(yd);
            a.push_back(static_cast<std::uint32_t>(static_cast<int>(xd) * height +
                                                   static_cast<int>(yd)));
        }
        a.push_back(h * w);
        std::sort(a.begin(), a.end());
        std::uint32_t previous = 0;
        for (auto &value : a) {
            const std::uint32_t t = value;
            value -= previous;
            previous = t;
        }
        std::vector<std::uint32_t> b;
        std::size_t j = 0;
        b.push_back(a[j++]);
        while (j < a.size()) {
            if (a[j] > 0) {
                b.push_back(a[j++]);
            } else {
                ++j;
                if (j < a.size())
                    b.back() += a[j++];
            }
        }
        parts.emplace_back(height, width, std::move(b));
    }
    return unionOf(parts);
}

CocoRle CocoRle::unionOf(const std::vector<CocoRle> &masks)
{
    if (masks.empty())
        throw Error("COCO RLE union: no mask given");
    for (std::size_t i = 1; i < masks.size(); ++i)
        if (masks[i].height() != masks[0].height() || masks[i].width() != masks[0].width())
            throw Error("COCO RLE union: mask " + std::to_string(i) + " is " +
                        std::to_string(masks[i].height()) + "x" + std::to_string(masks[i].width()) +
                        ", mask 0 is " + std::to_string(masks[0].height()) + "x" +
                        std::to_string(masks[0].width()));
    // pycocotools rleMerge (intersect = 0), run by run: no mask is decoded, so a large declared
    // size costs no memory.
    std::vector<std::uint32_t> merged = masks[0].counts();
    for (std::size_t i = 1; i < masks.size(); ++i) {
        const std::vector<std::uint32_t> &a = merged;
        const std::vector<std::uint32_t> &b = masks[i].counts();
        std::vector<std::uint32_t> out;
        out.reserve(a.size() + b.size());
        std::uint32_t ca = a[0], cb = b[0], cc = 0;
        bool va = false, vb = false, v = false;
        std::size_t ai = 1, bi = 1;
        std::uint64_t ct = 1;
        while (ct > 0) {
            const std::uint32_t c = std::min(ca, cb);
            cc += c;
            ct = 0;
            ca -= c;
            if (!ca && ai < a.size()) {
                ca = a[ai++];
                va = !va;
            }
            ct += ca;
            cb -= c;
            if (!cb && bi < b.size()) {
                cb = b[bi++];
                vb = !vb;
            }
            ct += cb;
            const bool vp = v;
            v = va || vb;
            if (v != vp || ct == 0) {
                out.push_back(cc);
                cc = 0;
            }
        }
        merged = std::move(out);
    }
    return CocoRle(masks[0].height(), masks[0].width(), std::move(merged));
}

nlohmann::json CocoRle::toJson() const
{
    return nlohmann::json{{"size", {mHeight, mWidth}}, {"counts", toString()}};
}

cv::Mat CocoRle::decode() const
{
    // Fill the transposed mask linearly (column-major runs), then transpose back.
    cv::Mat t(mWidth, mHeight, CV_8UC1);
    if (t.empty())
        return cv::Mat(mHeight, mWidth, CV_8UC1);
    std::uint8_t *out = t.ptr<std::uint8_t>(0);
    std::uint8_t value = 0;
    for (std::uint32_t c : mCounts) {
        std::fill(out, out + c, value);
        out += c;
        value = value ? 0 : 1;
    }
    cv::Mat mask;
    cv::transpose(t, mask);
    return mask;
}

std::uint64_t CocoRle::area() const
{
    std::uint64_t a = 0;
    for (std::size_t j = 1; j < mCounts.size(); j += 2)
        a += mCounts[j];
    return a;
}

std::array<double, 4> CocoRle::boundingBox() const
{
    // Walk the runs of ones; a run that continues into the next column covers the bottom of
    // one column and the top of the next, so it spans every row (as pycocotools' rleToBbox).
    if (mHeight == 0 || mWidth == 0)
        return {0, 0, 0, 0};
    const std::uint64_t h = static_cast<std::uint64_t>(mHeight);
    std::uint64_t xs = mWidth, ys = mHeight, xe = 0, ye = 0;
    bool any = false;
    std::uint64_t position = 0;
    for (std::size_t j = 0; j < mCounts.size(); ++j) {
        const std::uint64_t start = position;
        position += mCounts[j];
        if (j % 2 == 0 || mCounts[j] == 0)
            continue;
        any = true;
        const std::uint64_t end = position - 1;
        const std::uint64_t x0 = start / h, y0 = start % h, x1 = end / h, y1 = end % h;
        xs = std::min(xs, x0);
        xe = std::max(xe, x1);
        if (x0 != x1) {
            ys = 0;
            ye = h - 1;
        } else {
            ys = std::min(ys, y0);
            ye = std::max(ye, y1);
        }
    }
    if (!any)
        return {0, 0, 0, 0};
    return {static_cast<double>(xs), static_cast<double>(ys), static_cast<double>(xe - xs + 1),
            static_cast<double>(ye - ys + 1)};
}

bool CocoRle::operator==(const CocoRle &other) const
{
    return mHeight == other.mHeight && mWidth == other.mWidth &&
           canonical(mCounts) == canonical(other.mCounts);
}

} // namespace rsrefseg
