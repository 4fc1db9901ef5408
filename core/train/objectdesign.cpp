#include "train/objectdesign.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace rsrefseg::synth {

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

void chooseDimensions(ObjectDesign &d, SceneRandom &rng, double k)
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

Shape silhouette(const ObjectDesign &d)
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

double shadowLength(const ObjectDesign &d, double k)
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

std::vector<std::pair<cv::Point2d, cv::Point2d>> wakeLines(const ObjectDesign &d)
{
    if (d.objectClass != SceneObjectClass::Ship)
        return {};
    const Pose &p = d.pose;
    const double L = d.length, W = d.width;
    return {{p.at(-L / 2, -W * 0.3), p.at(-L * 1.1, -W * 0.3 - L * 0.16)},
            {p.at(-L / 2, W * 0.3), p.at(-L * 1.1, W * 0.3 + L * 0.16)}};
}

namespace {

// Surface details per class; `line` is the width of painted lines in pixels.
void paintStorageTank(cv::Mat &patch, const cv::Point2d &origin, const ObjectDesign &d, const cv::Point2d &sun,
                      int line)
{
    const Pose &p = d.pose;
    const double r = d.length / 2;
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
}

void paintBuilding(cv::Mat &patch, const cv::Point2d &origin, const ObjectDesign &d, int line)
{
    const Pose &p = d.pose;
    const double L = d.length, W = d.width;
    // Gable roof: the ridge along the length, one slope in light and one in shade.
    // (mild shading: a white roof in shade must still read as white, not grey)
    fillPolygon(patch, rectangle(p, -L / 2, L / 2, -W / 2, 0), origin, shade(d.rgb, 1.06));
    fillPolygon(patch, rectangle(p, -L / 2, L / 2, 0, W / 2), origin, shade(d.rgb, 0.86));
    drawLine(patch, p.at(-L / 2, 0), p.at(L / 2, 0), origin, shade(d.rgb, 0.62), line);
    if (d.size == SceneSize::Large)
        fillPolygon(patch, rectangle(p, L * 0.15, L * 0.3, -W * 0.35, -W * 0.18), origin,
                    cv::Scalar(150, 150, 150));
}

void paintVehicle(cv::Mat &patch, const cv::Point2d &origin, const ObjectDesign &d)
{
    const Pose &p = d.pose;
    const double L = d.length, W = d.width;
    if (d.size == SceneSize::Large) // truck: cab and cargo box
        fillPolygon(patch, rectangle(p, -L / 2, L * 0.18, -W / 2, W / 2), origin,
                    shade(d.rgb, 0.92));
    fillPolygon(patch, rectangle(p, L * 0.18, L * 0.32, -W * 0.4, W * 0.4), origin,
                cv::Scalar(40, 45, 55));
}

void paintShip(cv::Mat &patch, const cv::Point2d &origin, const ObjectDesign &d)
{
    const Pose &p = d.pose;
    const double L = d.length, W = d.width;
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
}

void paintPlane(cv::Mat &patch, const cv::Point2d &origin, const ObjectDesign &d, int line)
{
    const Pose &p = d.pose;
    const double L = d.length, W = d.width;
    drawLine(patch, p.at(L * 0.44, 0), p.at(-L * 0.46, 0), origin, shade(d.rgb, 0.85), line);
    for (double side : {-1.0, 1.0})
        fillPolygon(patch, rectangle(p, -L * 0.02, L * 0.06, side * W * 0.18,
                                     side * W * 0.18 + side * L * 0.04),
                    origin, cv::Scalar(70, 72, 78));
    fillPolygon(patch, rectangle(p, L * 0.4, L * 0.46, -L * 0.02, L * 0.02), origin,
                cv::Scalar(40, 45, 60));
}

void paintCourt(cv::Mat &patch, const cv::Point2d &origin, const ObjectDesign &d, int line)
{
    const Pose &p = d.pose;
    const double L = d.length, W = d.width;
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
}

} // namespace

void paintBody(cv::Mat &patch, const cv::Point2d &origin, const ObjectDesign &d, const Shape &body,
               const cv::Point2d &sun, double k)
{
    const int line = std::max(1, static_cast<int>(std::floor(k + 0.5)));
    fillShape(patch, body, origin, rgb(d.rgb));
    switch (d.objectClass) {
    case SceneObjectClass::StorageTank: paintStorageTank(patch, origin, d, sun, line); break;
    case SceneObjectClass::Building: paintBuilding(patch, origin, d, line); break;
    case SceneObjectClass::Vehicle: paintVehicle(patch, origin, d); break;
    case SceneObjectClass::Ship: paintShip(patch, origin, d); break;
    case SceneObjectClass::Plane: paintPlane(patch, origin, d, line); break;
    case SceneObjectClass::Court: paintCourt(patch, origin, d, line); break;
    }
}

} // namespace rsrefseg::synth
