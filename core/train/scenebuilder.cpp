#include "train/scenebuilder.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace rsrefseg::synth {

namespace {

// How far (pixels at 512) road and water distances are measured; beyond it they are infinite.
// ReferringExpression's loose "next to"/"near" reach is 30.
constexpr double kMeasureReach = 40;

} // namespace

SceneBuilder::SceneBuilder(int size, std::uint64_t seed)
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

SyntheticScene SceneBuilder::build()
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

void SceneBuilder::drawGround()
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

void SceneBuilder::drawFields()
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

void SceneBuilder::drawWater()
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

void SceneBuilder::drawRoad()
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

std::vector<cv::Point2d> SceneBuilder::crossingLine(bool vertical, double lo, double hi, double step)
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

std::vector<cv::Point> SceneBuilder::toFixedLine(const std::vector<cv::Point2d> &line) const
{
    std::vector<cv::Point> pts;
    for (const auto &p : line)
        pts.push_back(toFixed(p, cv::Point2d(0, 0)));
    return pts;
}

void SceneBuilder::addNoise(int amplitude)
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

cv::Rect SceneBuilder::toPixelRect(const cv::Rect2d &r, int pad)
{
    const int x0 = static_cast<int>(std::floor(r.x)) - pad;
    const int y0 = static_cast<int>(std::floor(r.y)) - pad;
    const int x1 = static_cast<int>(std::ceil(r.x + r.width)) + pad + 1;
    const int y1 = static_cast<int>(std::ceil(r.y + r.height)) + pad + 1;
    return {x0, y0, x1 - x0, y1 - y0};
}

void SceneBuilder::placeObjects()
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
            ObjectDesign d;
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

int SceneBuilder::scaled(double v) const
{
    return std::max(1, static_cast<int>(std::floor(v * mK + 0.5)));
}

bool SceneBuilder::tryPlace(ObjectDesign d)
{
    const double margin = 6 * mK;
    const double reach = 0.5 * std::hypot(d.length, d.width);
    const int gap = scaled(3);
    for (int attempt = 0; attempt < 80; ++attempt) {
        d.pose.centre = {mRng.uniform(margin + reach, mSize - margin - reach),
                         mRng.uniform(margin + reach, mSize - margin - reach)};
        Placement p;
        if (!layout(d, gap, p) || clashes(d, p))
            continue;
        paint(d, p);

        SceneObject o;
        o.objectClass = d.objectClass;
        o.colour = d.colour;
        o.size = d.size;
        const cv::Rect local = cv::boundingRect(p.silhouette);
        if (local.empty())
            return false;
        o.box = local + cv::Point(p.roi.x, p.roi.y);
        o.mask = p.silhouette(local).clone();
        o.area = static_cast<std::uint64_t>(cv::countNonZero(o.mask));
        mScene.objects.push_back(std::move(o));
        return true;
    }
    return false;
}

bool SceneBuilder::layout(const ObjectDesign &d, int gap, Placement &p) const
{
    p.body = silhouette(d);
    const double sl = shadowLength(d, mK);
    const Shape shadow = p.body.shifted(mSun.x * sl, mSun.y * sl);
    const auto wakes = wakeLines(d);
    cv::Rect2d extent = p.body.bounds() | shadow.bounds();
    for (const auto &[a, b] : wakes)
        extent |= cv::Rect2d(std::min(a.x, b.x), std::min(a.y, b.y), std::fabs(a.x - b.x),
                             std::fabs(a.y - b.y));
    p.roi = toPixelRect(extent, gap + 1);
    if ((p.roi & imageRect()) != p.roi)
        return false;
    p.origin = cv::Point2d(p.roi.x, p.roi.y);
    p.silhouette = cv::Mat::zeros(p.roi.size(), CV_8UC1);
    fillShape(p.silhouette, p.body, p.origin, cv::Scalar(1));
    p.shadow = cv::Mat::zeros(p.roi.size(), CV_8UC1);
    if (sl > 0)
        fillShape(p.shadow, shadow, p.origin, cv::Scalar(1));
    p.wake = cv::Mat::zeros(p.roi.size(), CV_8UC1);
    const int wakeWidth = scaled(1);
    for (const auto &[a, b] : wakes)
        drawLine(p.wake, a, b, p.origin, cv::Scalar(1), wakeWidth);
    p.hasWakes = !wakes.empty();
    cv::bitwise_or(p.silhouette, p.shadow, p.footprint);
    cv::bitwise_or(p.footprint, p.wake, p.footprint);
    cv::dilate(p.footprint, p.footprint, cv::Mat(), cv::Point(-1, -1), gap);
    return true;
}

bool SceneBuilder::clashes(const ObjectDesign &d, const Placement &p) const
{
    // (All masks hold 0/1 except the comparison result, 0/255.)
    cv::Mat forbidden;
    cv::bitwise_or(mBlocked(p.roi), mRoad(p.roi), forbidden);
    if (d.objectClass == SceneObjectClass::Ship) {
        cv::Mat land;
        cv::compare(mWater(p.roi), 0, land, cv::CMP_EQ);
        cv::bitwise_or(forbidden, land, forbidden);
    } else {
        cv::bitwise_or(forbidden, mWater(p.roi), forbidden);
    }
    cv::Mat clash;
    cv::bitwise_and(p.footprint, forbidden, clash);
    return cv::countNonZero(clash) > 0;
}

void SceneBuilder::paint(const ObjectDesign &d, const Placement &p)
{
    cv::Mat view = mImage(p.roi);
    cv::Mat outside;
    cv::compare(p.silhouette, 0, outside, cv::CMP_EQ);
    // Shadow: darken what lies under it (never the object itself).
    cv::Mat shadowOnly;
    cv::bitwise_and(p.shadow, outside, shadowOnly);
    if (cv::countNonZero(shadowOnly) > 0) {
        cv::Mat darker;
        view.convertTo(darker, -1, 0.55, 0);
        darker.copyTo(view, shadowOnly);
    }
    if (p.hasWakes) {
        cv::Mat wakeOnly;
        cv::bitwise_and(p.wake, outside, wakeOnly);
        view.setTo(cv::Scalar(92, 124, 140), wakeOnly);
    }
    cv::Mat patch = view.clone();
    paintBody(patch, p.origin, d, p.body, mSun, mK);
    patch.copyTo(view, p.silhouette);
    cv::Mat blocked = mBlocked(p.roi);
    cv::bitwise_or(blocked, p.footprint, blocked);
}

void SceneBuilder::measureObjects()
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

double SceneBuilder::roadCross(double along, bool vertical) const
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

} // namespace rsrefseg::synth
