#include "train/syntheticscenegenerator.h"

#include "common/error.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <random>

namespace rsrefseg {

namespace {

// ---------------------------------------------------------------------------------------------
// Randomness: std::mt19937_64 is specified bit for bit by the standard; its distributions are
// not, so the few we need are written out here.

std::uint64_t splitmix64(std::uint64_t &state)
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d)
{
    std::uint64_t state = a;
    std::uint64_t h = splitmix64(state);
    for (std::uint64_t v : {b, c, d}) {
        state = h ^ v;
        h = splitmix64(state);
    }
    return h;
}

class Random
{
  public:
    explicit Random(std::uint64_t seed)
        : mEngine(seed)
    {
    }
    std::uint64_t next() { return mEngine(); }
    // Uniform in [lo, hi] by rejection sampling.
    int uniformInt(int lo, int hi)
    {
        const std::uint64_t range = static_cast<std::uint64_t>(hi - lo) + 1;
        const std::uint64_t limit = (~std::uint64_t(0) / range) * range;
        std::uint64_t v;
        do {
            v = next();
        } while (v >= limit);
        return lo + static_cast<int>(v % range);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double a, double b) { return a + (b - a) * uniform(); }
    bool chance(double p) { return uniform() < p; }
    template <class T> const T &pick(const std::vector<T> &v)
    {
        return v[static_cast<std::size_t>(uniformInt(0, static_cast<int>(v.size()) - 1))];
    }
    template <class T> void shuffle(std::vector<T> &v)
    {
        for (std::size_t i = v.size(); i > 1; --i)
            std::swap(v[i - 1], v[static_cast<std::size_t>(uniformInt(0, static_cast<int>(i) - 1))]);
    }

  private:
    std::mt19937_64 mEngine;
};

// Integer per-pixel noise (xorshift64), 4 values per step.
class PixelNoise
{
  public:
    explicit PixelNoise(std::uint64_t seed)
        : mState(seed | 1)
    {
    }
    // Uniform-ish in [-amplitude, amplitude].
    int next(int amplitude)
    {
        if (mLeft == 0) {
            mState ^= mState << 13;
            mState ^= mState >> 7;
            mState ^= mState << 17;
            mBits = mState;
            mLeft = 4;
        }
        const int v = static_cast<int>(mBits & 0xffff);
        mBits >>= 16;
        --mLeft;
        return ((v * (2 * amplitude + 1)) >> 16) - amplitude;
    }

  private:
    std::uint64_t mState;
    std::uint64_t mBits = 0;
    int mLeft = 0;
};

// ---------------------------------------------------------------------------------------------
// Geometry. Directions come from a table (multiples of 15 degrees) so that no libm call decides
// an object's pixels.

struct Direction
{
    double c, s;
};

constexpr double kC15 = 0.96592582628906829, kS15 = 0.25881904510252074;
constexpr double kC30 = 0.86602540378443865, kC45 = 0.70710678118654752;
constexpr std::array<Direction, 12> kHalfTurn{{{1, 0},
                                               {kC15, kS15},
                                               {kC30, 0.5},
                                               {kC45, kC45},
                                               {0.5, kC30},
                                               {kS15, kC15},
                                               {0, 1},
                                               {-kS15, kC15},
                                               {-0.5, kC30},
                                               {-kC45, kC45},
                                               {-kC30, 0.5},
                                               {-kC15, kS15}}};

Direction direction(int index) // 0..23, full turn
{
    const Direction d = kHalfTurn[static_cast<std::size_t>(index % 12)];
    return index >= 12 ? Direction{-d.c, -d.s} : d;
}

struct Pose
{
    cv::Point2d centre;
    Direction dir;
    // (u along the object's length, v across it) -> image coordinates.
    cv::Point2d at(double u, double v) const
    {
        return {centre.x + u * dir.c - v * dir.s, centre.y + u * dir.s + v * dir.c};
    }
};

using Polygon = std::vector<cv::Point2d>;

constexpr int kShift = 4; // sub-pixel bits for OpenCV's rasterisers
constexpr double kOne = 1 << kShift;

int fixedPoint(double v)
{
    return static_cast<int>(std::floor(v * kOne + 0.5));
}

cv::Point toFixed(const cv::Point2d &p, const cv::Point2d &origin)
{
    return {fixedPoint(p.x - origin.x), fixedPoint(p.y - origin.y)};
}

// A silhouette: convex polygons and/or one disc, in image coordinates.
struct Shape
{
    std::vector<Polygon> polygons;
    bool disc = false;
    cv::Point2d discCentre;
    double discRadius = 0;

    cv::Rect2d bounds() const
    {
        double x0 = 1e18, y0 = 1e18, x1 = -1e18, y1 = -1e18;
        for (const auto &poly : polygons)
            for (const auto &p : poly) {
                x0 = std::min(x0, p.x);
                y0 = std::min(y0, p.y);
                x1 = std::max(x1, p.x);
                y1 = std::max(y1, p.y);
            }
        if (disc) {
            x0 = std::min(x0, discCentre.x - discRadius);
            y0 = std::min(y0, discCentre.y - discRadius);
            x1 = std::max(x1, discCentre.x + discRadius);
            y1 = std::max(y1, discCentre.y + discRadius);
        }
        return {x0, y0, x1 - x0, y1 - y0};
    }

    Shape shifted(double dx, double dy) const
    {
        Shape s = *this;
        for (auto &poly : s.polygons)
            for (auto &p : poly)
                p += cv::Point2d(dx, dy);
        s.discCentre += cv::Point2d(dx, dy);
        return s;
    }
};

void fillPolygon(cv::Mat &dst, const Polygon &poly, const cv::Point2d &origin,
                 const cv::Scalar &value)
{
    std::vector<cv::Point> pts;
    pts.reserve(poly.size());
    for (const auto &p : poly)
        pts.push_back(toFixed(p, origin));
    cv::fillConvexPoly(dst, pts, value, cv::LINE_8, kShift);
}

void fillShape(cv::Mat &dst, const Shape &shape, const cv::Point2d &origin,
               const cv::Scalar &value)
{
    for (const auto &poly : shape.polygons)
        fillPolygon(dst, poly, origin, value);
    if (shape.disc)
        cv::circle(dst, toFixed(shape.discCentre, origin), fixedPoint(shape.discRadius), value,
                   cv::FILLED, cv::LINE_8, kShift);
}

void drawLine(cv::Mat &dst, const cv::Point2d &a, const cv::Point2d &b, const cv::Point2d &origin,
              const cv::Scalar &value, int thickness)
{
    cv::line(dst, toFixed(a, origin), toFixed(b, origin), value, thickness, cv::LINE_8, kShift);
}

Polygon rectangle(const Pose &pose, double u0, double u1, double v0, double v1)
{
    return {pose.at(u0, v0), pose.at(u1, v0), pose.at(u1, v1), pose.at(u0, v1)};
}

// ---------------------------------------------------------------------------------------------
// Colours (RGB).

cv::Scalar rgb(const cv::Vec3b &c)
{
    return {double(c[0]), double(c[1]), double(c[2])};
}

cv::Scalar shade(const cv::Vec3b &c, double factor)
{
    auto ch = [&](int i) { return std::min(255.0, std::floor(c[i] * factor + 0.5)); };
    return {ch(0), ch(1), ch(2)};
}

cv::Vec3b jitter(const cv::Vec3b &c, int delta)
{
    cv::Vec3b out;
    for (int i = 0; i < 3; ++i)
        out[i] = cv::saturate_cast<std::uint8_t>(int(c[i]) + delta);
    return out;
}

std::vector<SceneColour> classPalette(SceneObjectClass c)
{
    using C = SceneColour;
    switch (c) {
    case SceneObjectClass::StorageTank: return {C::White, C::Grey, C::Green};
    case SceneObjectClass::Building: return {C::Red, C::White, C::Grey, C::Blue};
    case SceneObjectClass::Vehicle: return {C::Red, C::White, C::Blue, C::Black, C::Yellow};
    case SceneObjectClass::Ship: return {C::White, C::Grey, C::Red};
    case SceneObjectClass::Plane: return {C::White, C::Grey};
    case SceneObjectClass::Court: return {C::Green, C::Blue, C::Red};
    }
    return {C::White};
}

// ---------------------------------------------------------------------------------------------
// Objects.

struct Design
{
    SceneObjectClass objectClass;
    SceneColour colour;
    SceneSize size;
    cv::Vec3b rgb;
    Pose pose;
    double length = 0; // tank: diameter
    double width = 0;
};

// Length and width in pixels at 512 (scaled by k), per class and size class. The size classes
// do not overlap in area (smallest large >= 1.6 x largest small).
void chooseDimensions(Design &d, Random &rng, double k)
{
    const bool large = d.size == SceneSize::Large;
    switch (d.objectClass) {
    case SceneObjectClass::StorageTank:
        d.length = 2 * (large ? rng.uniform(15, 21) : rng.uniform(7, 10)) * k;
        d.width = d.length;
        break;
    case SceneObjectClass::Building:
        d.length = (large ? rng.uniform(32, 46) : rng.uniform(14, 22)) * k;
        d.width = (large ? rng.uniform(24, d.length / k) : rng.uniform(12, d.length / k)) * k;
        break;
    case SceneObjectClass::Vehicle:
        d.length = (large ? rng.uniform(17, 22) : rng.uniform(9, 12)) * k;
        d.width = (large ? rng.uniform(6, 8) : rng.uniform(4, 5)) * k;
        break;
    case SceneObjectClass::Ship:
        d.length = (large ? rng.uniform(44, 60) : rng.uniform(22, 30)) * k;
        d.width = d.length * (large ? 0.22 : 0.26);
        break;
    case SceneObjectClass::Plane:
        d.length = (large ? rng.uniform(44, 58) : rng.uniform(24, 32)) * k;
        d.width = d.length * 0.96;
        break;
    case SceneObjectClass::Court:
        d.length = (large ? rng.uniform(46, 56) : rng.uniform(28, 34)) * k;
        d.width = d.length * 0.55;
        break;
    }
}

Shape silhouette(const Design &d)
{
    const Pose &p = d.pose;
    const double L = d.length, W = d.width;
    Shape s;
    switch (d.objectClass) {
    case SceneObjectClass::StorageTank:
        s.disc = true;
        s.discCentre = p.centre;
        s.discRadius = L / 2;
        break;
    case SceneObjectClass::Building:
    case SceneObjectClass::Vehicle:
    case SceneObjectClass::Court:
        s.polygons.push_back(rectangle(p, -L / 2, L / 2, -W / 2, W / 2));
        break;
    case SceneObjectClass::Ship:
        s.polygons.push_back({p.at(-L / 2, -W / 2), p.at(L * 0.22, -W / 2), p.at(L / 2, 0),
                              p.at(L * 0.22, W / 2), p.at(-L / 2, W / 2)});
        break;
    case SceneObjectClass::Plane: {
        const double f = L * 0.055; // fuselage half width
        s.polygons.push_back({p.at(L / 2, 0), p.at(L * 0.42, -f), p.at(-L / 2, -f * 0.7),
                              p.at(-L / 2, f * 0.7), p.at(L * 0.42, f)});
        for (double side : {-1.0, 1.0}) {
            const double span = W / 2;
            s.polygons.push_back({p.at(L * 0.12, 0), p.at(-L * 0.06, side * span),
                                  p.at(-L * 0.16, side * span), p.at(-L * 0.08, 0)});
            s.polygons.push_back({p.at(-L * 0.36, 0), p.at(-L * 0.44, side * L * 0.18),
                                  p.at(-L * 0.5, side * L * 0.18), p.at(-L * 0.48, 0)});
        }
        break;
    }
    }
    return s;
}

// Shadow offset in pixels (the sun is low in one diagonal direction per scene).
double shadowLength(const Design &d, double k)
{
    switch (d.objectClass) {
    case SceneObjectClass::StorageTank: return 0.22 * d.length;
    case SceneObjectClass::Building: return 0.2 * std::min(d.length, d.width) + 2 * k;
    case SceneObjectClass::Vehicle: return 1.5 * k;
    case SceneObjectClass::Plane: return 3.0 * k;
    case SceneObjectClass::Ship:
    case SceneObjectClass::Court: return 0;
    }
    return 0;
}

// Ship wakes: two diverging lines behind the stern (drawn on the water, not part of the ship).
std::vector<std::pair<cv::Point2d, cv::Point2d>> wakeLines(const Design &d)
{
    if (d.objectClass != SceneObjectClass::Ship)
        return {};
    const Pose &p = d.pose;
    const double L = d.length, W = d.width;
    return {{p.at(-L / 2, -W * 0.3), p.at(-L * 1.1, -W * 0.3 - L * 0.16)},
            {p.at(-L / 2, W * 0.3), p.at(-L * 1.1, W * 0.3 + L * 0.16)}};
}

// Paints the object's surface details onto `patch` (whose top-left is `origin` in the image);
// the caller copies only the silhouette's pixels back.
void paintBody(cv::Mat &patch, const cv::Point2d &origin, const Design &d, const Shape &body,
               const cv::Point2d &sun, double k)
{
    const Pose &p = d.pose;
    const double L = d.length, W = d.width;
    const int line = std::max(1, static_cast<int>(std::floor(k + 0.5)));
    fillShape(patch, body, origin, rgb(d.rgb));
    switch (d.objectClass) {
    case SceneObjectClass::StorageTank: {
        const double r = L / 2;
        Shape highlight;
        highlight.disc = true;
        highlight.discCentre = p.centre - sun * (0.22 * r);
        highlight.discRadius = 0.6 * r;
        fillShape(patch, highlight, origin, shade(d.rgb, 1.12));
        cv::circle(patch, toFixed(p.centre, origin), fixedPoint(r - 0.5 * line),
                   shade(d.rgb, 0.68), line, cv::LINE_8, kShift);
        Shape hub;
        hub.disc = true;
        hub.discCentre = p.centre;
        hub.discRadius = std::max(1.0, 0.12 * r);
        fillShape(patch, hub, origin, shade(d.rgb, 0.8));
        break;
    }
    case SceneObjectClass::Building: {
        // Gable roof: the ridge along the length, one slope in light and one in shade.
        // (mild shading: a white roof in shade must still read as white, not grey)
        fillPolygon(patch, rectangle(p, -L / 2, L / 2, -W / 2, 0), origin, shade(d.rgb, 1.06));
        fillPolygon(patch, rectangle(p, -L / 2, L / 2, 0, W / 2), origin, shade(d.rgb, 0.86));
        drawLine(patch, p.at(-L / 2, 0), p.at(L / 2, 0), origin, shade(d.rgb, 0.62), line);
        if (d.size == SceneSize::Large)
            fillPolygon(patch, rectangle(p, L * 0.15, L * 0.3, -W * 0.35, -W * 0.18), origin,
                        cv::Scalar(150, 150, 150));
        break;
    }
    case SceneObjectClass::Vehicle: {
        if (d.size == SceneSize::Large) // truck: cab and cargo box
            fillPolygon(patch, rectangle(p, -L / 2, L * 0.18, -W / 2, W / 2), origin,
                        shade(d.rgb, 0.92));
        fillPolygon(patch, rectangle(p, L * 0.18, L * 0.32, -W * 0.4, W * 0.4), origin,
                    cv::Scalar(40, 45, 55));
        break;
    }
    case SceneObjectClass::Ship: {
        const Polygon deck{p.at(-L * 0.44, -W * 0.32), p.at(L * 0.18, -W * 0.32),
                           p.at(L * 0.38, 0), p.at(L * 0.18, W * 0.32),
                           p.at(-L * 0.44, W * 0.32)};
        fillPolygon(patch, deck, origin, shade(d.rgb, 0.86));
        fillPolygon(patch, rectangle(p, -L * 0.42, -L * 0.2, -W * 0.28, W * 0.28), origin,
                    cv::Scalar(205, 205, 200));
        if (d.size == SceneSize::Large)
            for (int i = 0; i < 3; ++i)
                fillPolygon(patch,
                            rectangle(p, -L * 0.12 + i * L * 0.1, -L * 0.04 + i * L * 0.1,
                                      -W * 0.22, W * 0.22),
                            origin, i % 2 ? cv::Scalar(170, 70, 50) : cv::Scalar(60, 100, 150));
        break;
    }
    case SceneObjectClass::Plane: {
        drawLine(patch, p.at(L * 0.44, 0), p.at(-L * 0.46, 0), origin, shade(d.rgb, 0.85), line);
        for (double side : {-1.0, 1.0})
            fillPolygon(patch, rectangle(p, -L * 0.02, L * 0.06, side * W * 0.18,
                                         side * W * 0.18 + side * L * 0.04),
                        origin, cv::Scalar(70, 72, 78));
        fillPolygon(patch, rectangle(p, L * 0.4, L * 0.46, -L * 0.02, L * 0.02), origin,
                    cv::Scalar(40, 45, 60));
        break;
    }
    case SceneObjectClass::Court: {
        // Apron, playing surface, white lines.
        fillPolygon(patch, rectangle(p, -L / 2, L / 2, -W / 2, W / 2), origin, shade(d.rgb, 0.8));
        const double u = L * 0.42, v = W * 0.38;
        fillPolygon(patch, rectangle(p, -u, u, -v, v), origin, rgb(d.rgb));
        const cv::Scalar white(236, 236, 232);
        const Polygon outline = rectangle(p, -u, u, -v, v);
        for (std::size_t i = 0; i < outline.size(); ++i)
            drawLine(patch, outline[i], outline[(i + 1) % outline.size()], origin, white, line);
        drawLine(patch, p.at(0, -v), p.at(0, v), origin, white, line);
        for (double su : {-0.55, 0.55})
            drawLine(patch, p.at(su * u, -v), p.at(su * u, v), origin, white, line);
        drawLine(patch, p.at(-0.55 * u, 0), p.at(0.55 * u, 0), origin, white, line);
        break;
    }
    }
}

// ---------------------------------------------------------------------------------------------
// The scene builder.

// How far (pixels at 512) road and water distances are measured; beyond it they are infinite.
// ReferringExpression's loose "next to"/"near" reach is 30.
constexpr double kMeasureReach = 40;

class SceneBuilder
{
  public:
    SceneBuilder(int size, std::uint64_t seed)
        : mRng(seed)
        , mNoise(mixSeed(seed, 0x6e6f697365ull, 0, 0))
        , mSize(size)
        , mK(size / 512.0)
    {
        mScene.width = mScene.height = size;
        mImage = cv::Mat(size, size, CV_8UC3);
        mWater = cv::Mat::zeros(size, size, CV_8UC1);
        mRoad = cv::Mat::zeros(size, size, CV_8UC1);
        mBlocked = cv::Mat::zeros(size, size, CV_8UC1);
        static const cv::Point2d suns[] = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
        mSun = suns[mRng.uniformInt(0, 3)] * kC45;
    }

    SyntheticScene build()
    {
        drawGround();
        drawFields();
        drawWater();
        drawRoad();
        addNoise(6);
        placeObjects();
        addNoise(3);
        measureObjects();
        mScene.image = mImage;
        return std::move(mScene);
    }

  private:
    int scaled(double v) const { return std::max(1, static_cast<int>(std::floor(v * mK + 0.5))); }

    void drawGround()
    {
        static const cv::Vec3b grounds[] = {{128, 118, 88}, {100, 118, 70}, {160, 148, 112},
                                            {116, 104, 80}};
        const int a = mRng.uniformInt(0, 3);
        const int b = (a + mRng.uniformInt(1, 3)) % 4;
        const cv::Vec3b base = grounds[a], alt = grounds[b];
        cv::Mat coarse(9, 9, CV_8UC1), fine(33, 33, CV_8UC1);
        for (cv::Mat *m : {&coarse, &fine})
            for (int r = 0; r < m->rows; ++r)
                for (int c = 0; c < m->cols; ++c)
                    m->at<std::uint8_t>(r, c) = static_cast<std::uint8_t>(mRng.uniformInt(0, 255));
        cv::Mat l1, l2;
        cv::resize(coarse, l1, cv::Size(mSize, mSize), 0, 0, cv::INTER_LINEAR_EXACT);
        cv::resize(fine, l2, cv::Size(mSize, mSize), 0, 0, cv::INTER_LINEAR_EXACT);
        // Blend table: ground colour for each value of the coarse noise.
        std::array<cv::Vec3b, 256> blend;
        for (int t = 0; t < 256; ++t)
            for (int ch = 0; ch < 3; ++ch)
                blend[static_cast<std::size_t>(t)][ch] =
                    static_cast<std::uint8_t>((base[ch] * (255 - t) + alt[ch] * t) / 255);
        for (int r = 0; r < mSize; ++r) {
            const std::uint8_t *p1 = l1.ptr<std::uint8_t>(r);
            const std::uint8_t *p2 = l2.ptr<std::uint8_t>(r);
            cv::Vec3b *out = mImage.ptr<cv::Vec3b>(r);
            for (int c = 0; c < mSize; ++c) {
                const cv::Vec3b &g = blend[p1[c]];
                const int detail = (int(p2[c]) - 128) / 6;
                for (int ch = 0; ch < 3; ++ch)
                    out[c][ch] = cv::saturate_cast<std::uint8_t>(g[ch] + detail);
            }
        }
    }

    void drawFields()
    {
        static const cv::Vec3b crops[] = {{95, 130, 55},  {140, 150, 70}, {180, 165, 95},
                                          {120, 100, 70}, {80, 110, 50},  {150, 128, 80}};
        const int count = mRng.uniformInt(2, 5);
        for (int i = 0; i < count; ++i) {
            Pose pose{{mRng.uniform(0, mSize), mRng.uniform(0, mSize)},
                      direction(mRng.uniformInt(0, 11))};
            const double hl = mRng.uniform(40, 110) * mK, hw = mRng.uniform(30, 80) * mK;
            Polygon quad;
            static const int corners[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
            for (const auto &[su, sv] : corners)
                quad.push_back(pose.at(su * hl * mRng.uniform(0.88, 1.12),
                                       sv * hw * mRng.uniform(0.88, 1.12)));
            Shape shape;
            shape.polygons.push_back(quad);
            const cv::Rect roi = toPixelRect(shape.bounds(), 1) & imageRect();
            if (roi.empty())
                continue;
            const cv::Vec3b colour = jitter(crops[mRng.uniformInt(0, 5)], mRng.uniformInt(-8, 8));
            cv::Mat patch(roi.size(), CV_8UC3, rgb(colour));
            const cv::Point2d origin(roi.x, roi.y);
            if (mRng.chance(0.75)) {
                const double spacing = mRng.uniform(4, 7) * mK;
                const double reach = hl + hw;
                for (double v = -reach; v <= reach; v += spacing)
                    drawLine(patch, pose.at(-reach, v), pose.at(reach, v), origin,
                             shade(colour, 0.82), 1);
            }
            cv::Mat mask = cv::Mat::zeros(roi.size(), CV_8UC1);
            fillShape(mask, shape, origin, cv::Scalar(1));
            patch.copyTo(mImage(roi), mask);
        }
    }

    void drawWater()
    {
        if (!mRng.chance(0.6))
            return;
        const cv::Point2d origin(0, 0);
        if (mRng.chance(0.5)) {
            mScene.water = SceneWater::Lake;
            const cv::Point2d c(mRng.uniform(0.25, 0.75) * mSize, mRng.uniform(0.25, 0.75) * mSize);
            const double radius = mRng.uniform(0.12, 0.2) * mSize;
            constexpr int n = 32;
            std::array<double, n> r{};
            for (double &v : r)
                v = radius * mRng.uniform(0.8, 1.15);
            std::vector<cv::Point> pts;
            for (int i = 0; i < n; ++i) {
                const double smooth = (r[(i + n - 1) % n] + 2 * r[i] + r[(i + 1) % n]) / 4;
                // libm cos/sin: a last-bit difference between platforms would have to move a
                // vertex across a 1/16 pixel rounding boundary to change a pixel.
                const double angle = 2 * CV_PI * i / n;
                pts.push_back(toFixed(c + cv::Point2d(std::cos(angle), std::sin(angle)) * smooth,
                                      origin));
            }
            cv::fillPoly(mWater, std::vector<std::vector<cv::Point>>{pts}, cv::Scalar(1),
                         cv::LINE_8, kShift);
        } else {
            mScene.water = SceneWater::River;
            mRiverVertical = mRng.chance(0.5);
            const auto line = crossingLine(mRiverVertical, 0.2, 0.8, 0.06);
            const int width = scaled(mRng.uniform(26, 40));
            cv::polylines(mWater, std::vector<std::vector<cv::Point>>{toFixedLine(line)}, false,
                          cv::Scalar(1), width, cv::LINE_8, kShift);
        }
        // Sandy shore, then the water itself.
        cv::Mat shore;
        cv::dilate(mWater, shore, cv::Mat(), cv::Point(-1, -1), scaled(3));
        mImage.setTo(cv::Scalar(176, 164, 128), shore);
        mImage.setTo(cv::Scalar(38, 72, 98), mWater);
    }

    void drawRoad()
    {
        if (!mRng.chance(0.75))
            return;
        bool vertical = mRng.chance(0.5);
        if (mScene.water == SceneWater::River && mRng.chance(0.75))
            vertical = !mRiverVertical; // a bridge across the river
        const int width = scaled(mRng.uniform(14, 20));
        for (int attempt = 0; attempt < 12; ++attempt) {
            const auto line = crossingLine(vertical, 0.15, 0.85, 0.07);
            cv::Mat mask = cv::Mat::zeros(mSize, mSize, CV_8UC1);
            cv::polylines(mask, std::vector<std::vector<cv::Point>>{toFixedLine(line)}, false,
                          cv::Scalar(1), width, cv::LINE_8, kShift);
            // Roads go around lakes (rivers get a bridge).
            if (mScene.water == SceneWater::Lake) {
                cv::Mat overlap;
                cv::bitwise_and(mask, mWater, overlap);
                if (cv::countNonZero(overlap) > 0)
                    continue;
            }
            mRoad = mask;
            mRoadLine = line;
            mScene.road = vertical ? SceneRoad::Vertical : SceneRoad::Horizontal;
            break;
        }
        if (mScene.road == SceneRoad::None)
            return;
        const auto fixedLine = std::vector<std::vector<cv::Point>>{toFixedLine(mRoadLine)};
        cv::polylines(mImage, fixedLine, false, cv::Scalar(150, 150, 146), width, cv::LINE_8,
                      kShift);
        cv::polylines(mImage, fixedLine, false, cv::Scalar(108, 108, 106),
                      std::max(1, width - 2 * scaled(1)), cv::LINE_8, kShift);
        // Dashed centre line.
        const double dash = 8 * mK, gap = 10 * mK;
        const int thickness = scaled(1.2);
        double phase = 0;
        for (std::size_t i = 1; i < mRoadLine.size(); ++i) {
            const cv::Point2d a = mRoadLine[i - 1], b = mRoadLine[i];
            const double len = std::hypot(b.x - a.x, b.y - a.y);
            for (double t = 0; t < len;) {
                const double period = std::fmod(phase + t, dash + gap);
                const double step = period < dash ? dash - period : dash + gap - period;
                const double t1 = std::min(len, t + step);
                if (period < dash)
                    drawLine(mImage, a + (b - a) * (t / len), a + (b - a) * (t1 / len),
                             cv::Point2d(0, 0), cv::Scalar(228, 228, 220), thickness);
                t = t1;
            }
            phase += len;
        }
    }

    // A gently bending line crossing the scene along one axis: points ordered along the axis,
    // the cross coordinate a bounded random walk.
    std::vector<cv::Point2d> crossingLine(bool vertical, double lo, double hi, double step)
    {
        std::vector<cv::Point2d> pts;
        double cross = mRng.uniform(lo, hi) * mSize;
        constexpr int stations = 6;
        for (int i = 0; i < stations; ++i) {
            const double along = (-0.05 + 1.1 * i / (stations - 1)) * mSize;
            pts.push_back(vertical ? cv::Point2d(cross, along) : cv::Point2d(along, cross));
            cross = std::clamp(cross + mRng.uniform(-step, step) * mSize, lo * mSize, hi * mSize);
        }
        return pts;
    }

    std::vector<cv::Point> toFixedLine(const std::vector<cv::Point2d> &line) const
    {
        std::vector<cv::Point> pts;
        for (const auto &p : line)
            pts.push_back(toFixed(p, cv::Point2d(0, 0)));
        return pts;
    }

    void addNoise(int amplitude)
    {
        for (int r = 0; r < mSize; ++r) {
            cv::Vec3b *row = mImage.ptr<cv::Vec3b>(r);
            for (int c = 0; c < mSize; ++c) {
                const int n = mNoise.next(amplitude);
                for (int ch = 0; ch < 3; ++ch)
                    row[c][ch] = cv::saturate_cast<std::uint8_t>(row[c][ch] + n);
            }
        }
    }

    cv::Rect imageRect() const { return {0, 0, mSize, mSize}; }

    static cv::Rect toPixelRect(const cv::Rect2d &r, int pad)
    {
        const int x0 = static_cast<int>(std::floor(r.x)) - pad;
        const int y0 = static_cast<int>(std::floor(r.y)) - pad;
        const int x1 = static_cast<int>(std::ceil(r.x + r.width)) + pad + 1;
        const int y1 = static_cast<int>(std::ceil(r.y + r.height)) + pad + 1;
        return {x0, y0, x1 - x0, y1 - y0};
    }

    void placeObjects()
    {
        using C = SceneObjectClass;
        std::vector<C> pool{C::StorageTank, C::Building, C::Vehicle, C::Plane, C::Court};
        mRng.shuffle(pool);
        const bool ships = mScene.water != SceneWater::None;
        if (ships)
            pool.insert(pool.begin() + (mRng.chance(0.7) ? 0 : 2), C::Ship);
        const int multi = mRng.uniformInt(2, 3);
        const int single = mRng.uniformInt(1, 2);
        std::vector<std::pair<C, int>> plan;
        for (int i = 0; i < multi + single && i < static_cast<int>(pool.size()); ++i) {
            int n = 1;
            if (i < multi) {
                switch (pool[static_cast<std::size_t>(i)]) {
                case C::Vehicle: n = mRng.uniformInt(3, 6); break;
                case C::Plane: n = mRng.uniformInt(2, 3); break;
                default: n = mRng.uniformInt(2, 4); break;
                }
            }
            plan.emplace_back(pool[static_cast<std::size_t>(i)], n);
        }
        // Big things first, vehicles last (they fit in the gaps).
        auto rank = [](C c) {
            switch (c) {
            case C::Plane: return 0;
            case C::Court: return 1;
            case C::Building: return 2;
            case C::Ship: return 3;
            case C::StorageTank: return 4;
            case C::Vehicle: return 5;
            }
            return 6;
        };
        std::stable_sort(plan.begin(), plan.end(),
                         [&](const auto &a, const auto &b) { return rank(a.first) < rank(b.first); });

        const int grid = mRng.uniformInt(0, 11); // street grid orientation for buildings/courts
        for (const auto &[cls, n] : plan) {
            const auto palette = classPalette(cls);
            const SceneColour shared = mRng.pick(palette);
            for (int i = 0; i < n; ++i) {
                Design d;
                d.objectClass = cls;
                d.colour = mRng.chance(0.65) ? shared : mRng.pick(palette);
                d.size = mRng.chance(0.45) ? SceneSize::Large : SceneSize::Small;
                d.rgb = jitter(sceneColourRgb(d.colour), mRng.uniformInt(-10, 10));
                chooseDimensions(d, mRng, mK);
                const bool aligned = (cls == C::Building || cls == C::Court) && mRng.chance(0.7);
                const int dirIndex = aligned ? grid + 12 * mRng.uniformInt(0, 1) +
                                                   (mRng.chance(0.5) ? 6 : 0)
                                             : mRng.uniformInt(0, 23);
                d.pose.dir = direction(dirIndex % 24);
                tryPlace(d);
            }
        }
    }

    bool tryPlace(Design d)
    {
        const double margin = 6 * mK;
        const double reach = 0.5 * std::hypot(d.length, d.width);
        const int gap = scaled(3);
        for (int attempt = 0; attempt < 80; ++attempt) {
            d.pose.centre = {mRng.uniform(margin + reach, mSize - margin - reach),
                             mRng.uniform(margin + reach, mSize - margin - reach)};
            const Shape body = silhouette(d);
            const double sl = shadowLength(d, mK);
            const Shape shadow = body.shifted(mSun.x * sl, mSun.y * sl);
            const auto wakes = wakeLines(d);
            cv::Rect2d extent = body.bounds() | shadow.bounds();
            for (const auto &[a, b] : wakes)
                extent |= cv::Rect2d(std::min(a.x, b.x), std::min(a.y, b.y), std::fabs(a.x - b.x),
                                     std::fabs(a.y - b.y));
            const cv::Rect roi = toPixelRect(extent, gap + 1);
            if ((roi & imageRect()) != roi)
                continue;
            const cv::Point2d origin(roi.x, roi.y);
            cv::Mat silhouetteMask = cv::Mat::zeros(roi.size(), CV_8UC1);
            fillShape(silhouetteMask, body, origin, cv::Scalar(1));
            cv::Mat shadowMask = cv::Mat::zeros(roi.size(), CV_8UC1);
            if (sl > 0)
                fillShape(shadowMask, shadow, origin, cv::Scalar(1));
            cv::Mat wakeMask = cv::Mat::zeros(roi.size(), CV_8UC1);
            const int wakeWidth = scaled(1);
            for (const auto &[a, b] : wakes)
                drawLine(wakeMask, a, b, origin, cv::Scalar(1), wakeWidth);
            cv::Mat footprint;
            cv::bitwise_or(silhouetteMask, shadowMask, footprint);
            cv::bitwise_or(footprint, wakeMask, footprint);
            cv::dilate(footprint, footprint, cv::Mat(), cv::Point(-1, -1), gap);

            // Land objects keep off water and road; ships keep within water, off the bridge.
            // (All masks hold 0/1 except the comparison result, 0/255.)
            cv::Mat forbidden;
            cv::bitwise_or(mBlocked(roi), mRoad(roi), forbidden);
            if (d.objectClass == SceneObjectClass::Ship) {
                cv::Mat land;
                cv::compare(mWater(roi), 0, land, cv::CMP_EQ);
                cv::bitwise_or(forbidden, land, forbidden);
            } else {
                cv::bitwise_or(forbidden, mWater(roi), forbidden);
            }
            cv::Mat clash;
            cv::bitwise_and(footprint, forbidden, clash);
            if (cv::countNonZero(clash) > 0)
                continue;

            cv::Mat view = mImage(roi);
            cv::Mat outside;
            cv::compare(silhouetteMask, 0, outside, cv::CMP_EQ);
            // Shadow: darken what lies under it (never the object itself).
            cv::Mat shadowOnly;
            cv::bitwise_and(shadowMask, outside, shadowOnly);
            if (cv::countNonZero(shadowOnly) > 0) {
                cv::Mat darker;
                view.convertTo(darker, -1, 0.55, 0);
                darker.copyTo(view, shadowOnly);
            }
            if (!wakes.empty()) {
                cv::Mat wakeOnly;
                cv::bitwise_and(wakeMask, outside, wakeOnly);
                view.setTo(cv::Scalar(92, 124, 140), wakeOnly);
            }
            cv::Mat patch = view.clone();
            paintBody(patch, origin, d, body, mSun, mK);
            patch.copyTo(view, silhouetteMask);
            cv::Mat blocked = mBlocked(roi);
            cv::bitwise_or(blocked, footprint, blocked);

            SceneObject o;
            o.objectClass = d.objectClass;
            o.colour = d.colour;
            o.size = d.size;
            const cv::Rect local = cv::boundingRect(silhouetteMask);
            if (local.empty())
                return false;
            o.box = local + cv::Point(roi.x, roi.y);
            o.mask = silhouetteMask(local).clone();
            o.area = static_cast<std::uint64_t>(cv::countNonZero(o.mask));
            mScene.objects.push_back(std::move(o));
            return true;
        }
        return false;
    }

    void measureObjects()
    {
        // Distances are measured in a window around each object (the full-image transform was
        // a quarter of the scene's time); anything farther than the window reaches is "far".
        const int reach = scaled(kMeasureReach);
        auto distanceTo = [&](const cv::Mat &layer, const SceneObject &o) {
            const cv::Rect window =
                cv::Rect(o.box.x - reach, o.box.y - reach, o.box.width + 2 * reach,
                         o.box.height + 2 * reach) &
                imageRect();
            cv::Mat outside, distance;
            cv::compare(layer(window), 0, outside, cv::CMP_EQ);
            if (cv::countNonZero(outside) == window.area())
                return std::numeric_limits<double>::infinity();
            cv::distanceTransform(outside, distance, cv::DIST_L2, cv::DIST_MASK_3);
            double lo = 0;
            const cv::Rect local(o.box.x - window.x, o.box.y - window.y, o.box.width,
                                 o.box.height);
            cv::minMaxLoc(distance(local), &lo, nullptr, nullptr, nullptr, o.mask);
            return lo <= reach ? lo : std::numeric_limits<double>::infinity();
        };
        for (SceneObject &o : mScene.objects) {
            if (mScene.road != SceneRoad::None) {
                o.roadDistance = distanceTo(mRoad, o);
                const cv::Point2d c = o.centre();
                const bool vertical = mScene.road == SceneRoad::Vertical;
                const double along = vertical ? c.y : c.x, cross = vertical ? c.x : c.y;
                o.roadSide = cross < roadCross(along, vertical) ? -1 : 1;
            }
            if (mScene.water != SceneWater::None)
                o.waterDistance = distanceTo(mWater, o);
        }
    }

    // The road's centre line cross coordinate at `along` (piecewise linear).
    double roadCross(double along, bool vertical) const
    {
        auto a = [&](const cv::Point2d &p) { return vertical ? p.y : p.x; };
        auto x = [&](const cv::Point2d &p) { return vertical ? p.x : p.y; };
        for (std::size_t i = 1; i < mRoadLine.size(); ++i) {
            const cv::Point2d &p = mRoadLine[i - 1], &q = mRoadLine[i];
            if (along <= a(q) || i + 1 == mRoadLine.size()) {
                const double t = std::clamp((along - a(p)) / (a(q) - a(p)), 0.0, 1.0);
                return x(p) + (x(q) - x(p)) * t;
            }
        }
        return x(mRoadLine.front());
    }

    Random mRng;
    PixelNoise mNoise;
    int mSize;
    double mK;
    SyntheticScene mScene;
    cv::Mat mImage, mWater, mRoad, mBlocked;
    cv::Point2d mSun;
    bool mRiverVertical = false;
    std::vector<cv::Point2d> mRoadLine;
};

// ---------------------------------------------------------------------------------------------
// Sentences.

using Expr = ReferringExpression;

// Candidate descriptions of one target, grouped by style so that each style gets a fair chance
// whatever the number of variants it has.
std::vector<std::vector<Expr>> candidateStyles(const SyntheticScene &scene, std::size_t target)
{
    const SceneObject &t = scene.objects[target];
    Expr base;
    base.objectClass = t.objectClass;
    auto withAttributes = [&](Expr e, bool colour, bool size) {
        if (colour)
            e.colour = t.colour;
        if (size)
            e.size = t.size;
        return e;
    };
    std::vector<std::vector<Expr>> styles;

    // Attributes only.
    styles.push_back({withAttributes(base, true, false), withAttributes(base, false, true),
                      withAttributes(base, true, true)});
    // Superlatives.
    {
        std::vector<Expr> v;
        for (auto s : {Expr::Superlative::Largest, Expr::Superlative::Smallest})
            for (bool colour : {false, true}) {
                Expr e = withAttributes(base, colour, false);
                e.superlative = s;
                v.push_back(e);
            }
        styles.push_back(v);
    }
    // Locations in the image.
    {
        std::vector<Expr> v;
        for (int l = 1; l <= 9; ++l)
            for (bool colour : {false, true})
                for (bool size : {false, true}) {
                    Expr e = withAttributes(base, colour, size);
                    e.location = static_cast<Expr::Location>(l);
                    v.push_back(e);
                }
        styles.push_back(v);
    }
    const std::array<Expr::Relation, 5> relations{Expr::Relation::LeftOf, Expr::Relation::RightOf,
                                                  Expr::Relation::Above, Expr::Relation::Below,
                                                  Expr::Relation::NextTo};
    auto relationStyle = [&](auto setLandmark) {
        std::vector<Expr> v;
        for (auto r : relations)
            for (bool colour : {false, true})
                for (bool size : {false, true}) {
                    Expr e = withAttributes(base, colour, size);
                    e.relation = r;
                    setLandmark(e);
                    v.push_back(e);
                }
        return v;
    };
    if (scene.road != SceneRoad::None)
        styles.push_back(relationStyle([](Expr &e) { e.landmark = Expr::Landmark::Road; }));
    if (scene.water != SceneWater::None)
        styles.push_back(relationStyle([&](Expr &e) {
            e.landmark = scene.water == SceneWater::Lake ? Expr::Landmark::Lake
                                                         : Expr::Landmark::River;
        }));
    // Relations to another object named by its class, or by colour and class.
    {
        std::vector<Expr> v;
        std::vector<std::pair<SceneObjectClass, std::optional<SceneColour>>> phrases;
        for (const SceneObject &o : scene.objects) {
            if (o.objectClass == t.objectClass)
                continue;
            for (auto phrase : {std::pair{o.objectClass, std::optional<SceneColour>()},
                                std::pair{o.objectClass, std::optional<SceneColour>(o.colour)}})
                if (std::find(phrases.begin(), phrases.end(), phrase) == phrases.end())
                    phrases.push_back(phrase);
        }
        for (const auto &phrase : phrases) {
            // A plain reference, not a structured binding: C++17 lambdas cannot capture those.
            auto more = relationStyle([&](Expr &e) {
                e.landmark = Expr::Landmark::Object;
                e.landmarkClass = phrase.first;
                e.landmarkColour = phrase.second;
            });
            v.insert(v.end(), more.begin(), more.end());
        }
        if (!v.empty())
            styles.push_back(v);
    }
    return styles;
}

} // namespace

SyntheticSceneGenerator::SyntheticSceneGenerator(std::uint64_t seed)
    : SyntheticSceneGenerator(seed, Options())
{
}

SyntheticSceneGenerator::SyntheticSceneGenerator(std::uint64_t seed, const Options &options)
    : mSeed(seed)
    , mOptions(options)
{
    if (options.size < kMinSize || options.size > kMaxSize)
        throw Error("synthetic scenes: size " + std::to_string(options.size) +
                    " is outside " + std::to_string(kMinSize) + ".." + std::to_string(kMaxSize));
    if (options.expressionsPerScene < 1 || options.expressionsPerScene > kMaxExpressionsPerScene)
        throw Error("synthetic scenes: " + std::to_string(options.expressionsPerScene) +
                    " sentences per scene is outside 1.." +
                    std::to_string(kMaxExpressionsPerScene));
}

SyntheticScene SyntheticSceneGenerator::generateScene(std::uint64_t index,
                                                      std::uint32_t attempt) const
{
    SceneBuilder builder(mOptions.size, mixSeed(mSeed, index, attempt, 0x5CE4E));
    return builder.build();
}

std::vector<SyntheticReferral> SyntheticSceneGenerator::describe(const SyntheticScene &scene,
                                                                 int count,
                                                                 std::uint64_t stream) const
{
    Random rng(mixSeed(mSeed, stream, 0x5E47E4CE, 0));
    std::vector<std::size_t> targets;
    for (std::size_t i = 0; i < scene.objects.size(); ++i) {
        std::size_t same = 0;
        for (const SceneObject &o : scene.objects)
            same += o.objectClass == scene.objects[i].objectClass;
        if (same >= 2) // a same-class distractor exists
            targets.push_back(i);
    }
    rng.shuffle(targets);
    std::vector<SyntheticReferral> out;
    for (std::size_t target : targets) {
        if (static_cast<int>(out.size()) >= count)
            break;
        auto styles = candidateStyles(scene, target);
        // styles[0] is "attributes only"; it goes last half of the time, so that locations and
        // relations are used often even when a colour would do.
        if (rng.chance(0.5)) {
            auto attributes = std::move(styles.front());
            styles.erase(styles.begin());
            rng.shuffle(styles);
            styles.push_back(std::move(attributes));
        } else {
            rng.shuffle(styles);
        }
        std::optional<Expr> chosen;
        for (auto &variants : styles) {
            rng.shuffle(variants);
            for (Expr e : variants) {
                if (!e.identifies(scene, target))
                    continue;
                // The location, relation or superlative must be needed: without it the rest of
                // the sentence would not single the target out.
                Expr bare = e;
                bare.superlative = Expr::Superlative::None;
                bare.location = Expr::Location::None;
                bare.relation = Expr::Relation::None;
                bare.landmark = Expr::Landmark::None;
                bare.landmarkColour.reset();
                if (!(bare == e) && bare.identifies(scene, target))
                    continue;
                // Mostly drop attributes that are not needed either (some redundancy stays, as
                // in what people write).
                const bool colourFirst = rng.chance(0.5);
                for (int step = 0; step < 2; ++step) {
                    Expr lighter = e;
                    if ((step == 0) == colourFirst)
                        lighter.colour.reset();
                    else
                        lighter.size.reset();
                    if (!(lighter == e) && lighter.identifies(scene, target) && rng.chance(0.75))
                        e = lighter;
                }
                chosen = e;
                break;
            }
            if (chosen)
                break;
        }
        if (chosen)
            out.push_back({target, *chosen, chosen->sentence()});
    }
    return out;
}

SyntheticSample SyntheticSceneGenerator::generate(std::uint64_t index) const
{
    constexpr std::uint32_t kAttempts = 64;
    for (std::uint32_t attempt = 0; attempt < kAttempts; ++attempt) {
        SyntheticSample sample;
        sample.index = index;
        sample.scene = generateScene(index, attempt);
        sample.referrals = describe(sample.scene, mOptions.expressionsPerScene,
                                    mixSeed(index, attempt, 0xDE5C, 0));
        if (static_cast<int>(sample.referrals.size()) == mOptions.expressionsPerScene)
            return sample;
    }
    throw Error("synthetic scenes: scene " + std::to_string(index) + " of seed " +
                std::to_string(mSeed) + " found no layout with " +
                std::to_string(mOptions.expressionsPerScene) +
                " unambiguous sentences; ask for fewer sentences per scene");
}

} // namespace rsrefseg
