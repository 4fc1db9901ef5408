#include "train/referringexpression.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <sstream>

namespace rsrefseg {

namespace {

constexpr SceneObjectClass kClasses[] = {SceneObjectClass::StorageTank, SceneObjectClass::Building,
                                         SceneObjectClass::Vehicle,     SceneObjectClass::Ship,
                                         SceneObjectClass::Plane,       SceneObjectClass::Court};
constexpr SceneColour kColours[] = {SceneColour::White, SceneColour::Grey,   SceneColour::Red,
                                    SceneColour::Blue,  SceneColour::Green,  SceneColour::Yellow,
                                    SceneColour::Black};

using Location = ReferringExpression::Location;
using Relation = ReferringExpression::Relation;
using Landmark = ReferringExpression::Landmark;
using Matching = ReferringExpression::Matching;

// Thresholds at 512 pixels; they scale with the scene.
constexpr double kLocationMargin = 20;
constexpr double kNearStrict = 10, kNearLoose = 30;
constexpr double kObjectNearStrict = 12, kObjectNearLoose = 36;
constexpr double kConeStrict = 0.7002075382097097; // tan(35 degrees)
constexpr double kConeLoose = 2.0;                 // tan(63.4 degrees)
constexpr double kDirectionReach = 0.4;            // strict: within 0.4 x scene size
constexpr double kSuperlativeRatio = 1.3;

const char *locationPhrase(Location l)
{
    switch (l) {
    case Location::TopLeft: return "at the top left";
    case Location::Top: return "at the top";
    case Location::TopRight: return "at the top right";
    case Location::Left: return "on the left";
    case Location::Center: return "in the center";
    case Location::Right: return "on the right";
    case Location::BottomLeft: return "at the bottom left";
    case Location::Bottom: return "at the bottom";
    case Location::BottomRight: return "at the bottom right";
    case Location::None: break;
    }
    return "";
}

// Gap between two boxes (0 when they touch or overlap).
double boxGap(const cv::Rect &a, const cv::Rect &b)
{
    const double dx = std::max({0, b.x - (a.x + a.width), a.x - (b.x + b.width)});
    const double dy = std::max({0, b.y - (a.y + a.height), a.y - (b.y + b.height)});
    return std::hypot(dx, dy);
}

// -1: below the low third boundary side, 0: middle, +1: beyond the high boundary; each test
// with the margin moved in (strict) or out (loose).
bool inLow(double v, double extent, double margin, Matching m)
{
    return m == Matching::Strict ? v < extent / 3 - margin : v < extent / 3 + margin;
}
bool inHigh(double v, double extent, double margin, Matching m)
{
    return m == Matching::Strict ? v > 2 * extent / 3 + margin : v > 2 * extent / 3 - margin;
}
bool inMiddle(double v, double extent, double margin, Matching m)
{
    return m == Matching::Strict ? v > extent / 3 + margin && v < 2 * extent / 3 - margin
                                 : v > extent / 3 - margin && v < 2 * extent / 3 + margin;
}

bool locationHolds(Location l, const cv::Point2d &c, const SyntheticScene &scene, double margin,
                   Matching m)
{
    const double w = scene.width, h = scene.height;
    switch (l) {
    case Location::TopLeft: return inLow(c.y, h, margin, m) && inLow(c.x, w, margin, m);
    case Location::Top: return inLow(c.y, h, margin, m);
    case Location::TopRight: return inLow(c.y, h, margin, m) && inHigh(c.x, w, margin, m);
    case Location::Left: return inLow(c.x, w, margin, m);
    case Location::Center: return inMiddle(c.x, w, margin, m) && inMiddle(c.y, h, margin, m);
    case Location::Right: return inHigh(c.x, w, margin, m);
    case Location::BottomLeft: return inHigh(c.y, h, margin, m) && inLow(c.x, w, margin, m);
    case Location::Bottom: return inHigh(c.y, h, margin, m);
    case Location::BottomRight: return inHigh(c.y, h, margin, m) && inHigh(c.x, w, margin, m);
    case Location::None: return true;
    }
    return false;
}

bool directionHolds(Relation r, const SceneObject &t, const SceneObject &ref, double sceneSize,
                    Matching m)
{
    const cv::Point2d v = t.centre() - ref.centre();
    // Along: how far in the named direction; across: the perpendicular offset.
    double along = 0, across = 0;
    bool separated = false;
    switch (r) {
    case Relation::LeftOf:
        along = -v.x;
        across = v.y;
        separated = t.box.x + t.box.width <= ref.box.x;
        break;
    case Relation::RightOf:
        along = v.x;
        across = v.y;
        separated = t.box.x >= ref.box.x + ref.box.width;
        break;
    case Relation::Above:
        along = -v.y;
        across = v.x;
        separated = t.box.y + t.box.height <= ref.box.y;
        break;
    case Relation::Below:
        along = v.y;
        across = v.x;
        separated = t.box.y >= ref.box.y + ref.box.height;
        break;
    default: return false;
    }
    if (along <= 0)
        return false;
    if (m == Matching::Loose)
        return std::fabs(across) <= kConeLoose * along;
    return separated && std::fabs(across) <= kConeStrict * along &&
           std::hypot(v.x, v.y) <= kDirectionReach * sceneSize;
}

std::vector<std::string> tokenize(const std::string &text)
{
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::istringstream in(lower);
    std::vector<std::string> tokens;
    for (std::string t; in >> t;)
        tokens.push_back(t);
    return tokens;
}

class TokenCursor
{
  public:
    explicit TokenCursor(std::vector<std::string> tokens)
        : mTokens(std::move(tokens))
    {
    }
    bool atEnd() const { return mPos >= mTokens.size(); }
    const std::string &peek(std::size_t ahead = 0) const
    {
        static const std::string empty;
        return mPos + ahead < mTokens.size() ? mTokens[mPos + ahead] : empty;
    }
    bool accept(const std::string &word)
    {
        if (peek() != word)
            return false;
        ++mPos;
        return true;
    }

  private:
    std::vector<std::string> mTokens;
    std::size_t mPos = 0;
};

std::optional<SceneColour> acceptColour(TokenCursor &cur)
{
    for (SceneColour c : kColours)
        if (cur.accept(sceneColourName(c)))
            return c;
    return std::nullopt;
}

std::optional<SceneObjectClass> acceptNoun(TokenCursor &cur)
{
    if (cur.peek() == "storage" && cur.peek(1) == "tank") {
        cur.accept("storage");
        cur.accept("tank");
        return SceneObjectClass::StorageTank;
    }
    for (SceneObjectClass c : kClasses)
        if (c != SceneObjectClass::StorageTank && cur.accept(sceneClassNoun(c)))
            return c;
    return std::nullopt;
}

} // namespace

std::string ReferringExpression::sentence() const
{
    std::string s = "the";
    if (superlative == Superlative::Largest)
        s += " largest";
    else if (superlative == Superlative::Smallest)
        s += " smallest";
    else if (size)
        s += " " + sceneSizeName(*size);
    if (colour)
        s += " " + sceneColourName(*colour);
    s += " " + sceneClassNoun(objectClass);
    if (location != Location::None) {
        s += std::string(" ") + locationPhrase(location);
    } else if (relation != Relation::None) {
        const bool water = landmark == Landmark::Lake || landmark == Landmark::River;
        switch (relation) {
        case Relation::LeftOf: s += " left of"; break;
        case Relation::RightOf: s += " right of"; break;
        case Relation::Above: s += " above"; break;
        case Relation::Below: s += " below"; break;
        case Relation::NextTo: s += water ? " near" : " next to"; break;
        case Relation::None: break;
        }
        s += " the";
        switch (landmark) {
        case Landmark::Road: s += " road"; break;
        case Landmark::Lake: s += " lake"; break;
        case Landmark::River: s += " river"; break;
        case Landmark::Object:
            if (landmarkColour)
                s += " " + sceneColourName(*landmarkColour);
            s += " " + sceneClassNoun(landmarkClass);
            break;
        case Landmark::None: break;
        }
    }
    return s;
}

std::optional<ReferringExpression> ReferringExpression::parse(const std::string &text)
{
    TokenCursor cur(tokenize(text));
    ReferringExpression e;
    if (!cur.accept("the"))
        return std::nullopt;
    if (cur.accept("largest"))
        e.superlative = Superlative::Largest;
    else if (cur.accept("smallest"))
        e.superlative = Superlative::Smallest;
    else if (cur.accept("large"))
        e.size = SceneSize::Large;
    else if (cur.accept("small"))
        e.size = SceneSize::Small;
    e.colour = acceptColour(cur);
    const auto noun = acceptNoun(cur);
    if (!noun)
        return std::nullopt;
    e.objectClass = *noun;
    if (cur.atEnd())
        return e;
    // A superlative takes no location or relation (its scope would be unclear).
    if (e.superlative != Superlative::None)
        return std::nullopt;

    if (cur.accept("at")) {
        if (!cur.accept("the"))
            return std::nullopt;
        const bool top = cur.accept("top");
        if (!top && !cur.accept("bottom"))
            return std::nullopt;
        if (cur.accept("left"))
            e.location = top ? Location::TopLeft : Location::BottomLeft;
        else if (cur.accept("right"))
            e.location = top ? Location::TopRight : Location::BottomRight;
        else
            e.location = top ? Location::Top : Location::Bottom;
    } else if (cur.accept("on")) {
        if (!cur.accept("the"))
            return std::nullopt;
        if (cur.accept("left"))
            e.location = Location::Left;
        else if (cur.accept("right"))
            e.location = Location::Right;
        else
            return std::nullopt;
    } else if (cur.accept("in")) {
        if (!cur.accept("the") || !cur.accept("center"))
            return std::nullopt;
        e.location = Location::Center;
    } else {
        if (cur.accept("left")) {
            if (!cur.accept("of"))
                return std::nullopt;
            e.relation = Relation::LeftOf;
        } else if (cur.accept("right")) {
            if (!cur.accept("of"))
                return std::nullopt;
            e.relation = Relation::RightOf;
        } else if (cur.accept("above")) {
            e.relation = Relation::Above;
        } else if (cur.accept("below")) {
            e.relation = Relation::Below;
        } else if (cur.accept("next")) {
            if (!cur.accept("to"))
                return std::nullopt;
            e.relation = Relation::NextTo;
        } else if (cur.accept("near")) {
            e.relation = Relation::NextTo;
        } else {
            return std::nullopt;
        }
        if (!cur.accept("the"))
            return std::nullopt;
        if (cur.accept("road")) {
            e.landmark = Landmark::Road;
        } else if (cur.accept("lake")) {
            e.landmark = Landmark::Lake;
        } else if (cur.accept("river")) {
            e.landmark = Landmark::River;
        } else {
            e.landmarkColour = acceptColour(cur);
            const auto ref = acceptNoun(cur);
            if (!ref)
                return std::nullopt;
            e.landmark = Landmark::Object;
            e.landmarkClass = *ref;
        }
    }
    if (!cur.atEnd())
        return std::nullopt;
    return e;
}

std::vector<std::size_t> ReferringExpression::resolve(const SyntheticScene &scene,
                                                      Matching matching) const
{
    const double sceneSize = std::max(scene.width, scene.height);
    if (superlative != Superlative::None &&
        (location != Location::None || relation != Relation::None))
        return {};
    if ((relation == Relation::None) != (landmark == Landmark::None) ||
        (location != Location::None && relation != Relation::None))
        return {};
    const double k = sceneSize / 512.0;

    // The landmark must exist and, for an object, its phrase must name exactly one object.
    std::optional<std::size_t> reference;
    switch (landmark) {
    case Landmark::None: break;
    case Landmark::Road:
        if (scene.road == SceneRoad::None)
            return {};
        break;
    case Landmark::Lake:
        if (scene.water != SceneWater::Lake)
            return {};
        break;
    case Landmark::River:
        if (scene.water != SceneWater::River)
            return {};
        break;
    case Landmark::Object: {
        std::size_t found = 0;
        for (std::size_t i = 0; i < scene.objects.size(); ++i) {
            const SceneObject &o = scene.objects[i];
            if (o.objectClass == landmarkClass && (!landmarkColour || o.colour == *landmarkColour)) {
                reference = i;
                ++found;
            }
        }
        if (found != 1)
            return {};
        break;
    }
    }

    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < scene.objects.size(); ++i) {
        const SceneObject &o = scene.objects[i];
        if (reference && *reference == i)
            continue;
        if (o.objectClass != objectClass || (colour && o.colour != *colour) ||
            (size && o.size != *size))
            continue;
        candidates.push_back(i);
    }

    if (superlative != Superlative::None) {
        if (candidates.size() < 2)
            return matching == Matching::Loose ? candidates : std::vector<std::size_t>{};
        std::vector<std::size_t> out;
        const bool largest = superlative == Superlative::Largest;
        for (std::size_t i : candidates) {
            const double a = static_cast<double>(scene.objects[i].area);
            bool holds = true;
            for (std::size_t j : candidates) {
                if (j == i)
                    continue;
                const double b = static_cast<double>(scene.objects[j].area);
                // Strict: i beats every other by the ratio. Loose: no other beats i by it.
                if (matching == Matching::Strict)
                    holds = holds && (largest ? a >= kSuperlativeRatio * b
                                              : a * kSuperlativeRatio <= b);
                else
                    holds = holds && (largest ? a * kSuperlativeRatio > b
                                              : a < kSuperlativeRatio * b);
            }
            if (holds)
                out.push_back(i);
        }
        return out;
    }

    std::vector<std::size_t> out;
    for (std::size_t i : candidates) {
        const SceneObject &o = scene.objects[i];
        bool holds = true;
        if (location != Location::None)
            holds = locationHolds(location, o.centre(), scene, kLocationMargin * k, matching);
        if (holds && relation != Relation::None) {
            if (landmark == Landmark::Road) {
                switch (relation) {
                case Relation::LeftOf:
                case Relation::RightOf:
                    holds = scene.road == SceneRoad::Vertical &&
                            o.roadSide == (relation == Relation::LeftOf ? -1 : 1);
                    break;
                case Relation::Above:
                case Relation::Below:
                    holds = scene.road == SceneRoad::Horizontal &&
                            o.roadSide == (relation == Relation::Above ? -1 : 1);
                    break;
                case Relation::NextTo:
                    holds = o.roadDistance <=
                            (matching == Matching::Strict ? kNearStrict : kNearLoose) * k;
                    break;
                case Relation::None: break;
                }
            } else if (landmark == Landmark::Lake || landmark == Landmark::River) {
                holds = relation == Relation::NextTo &&
                        o.waterDistance <=
                            (matching == Matching::Strict ? kNearStrict : kNearLoose) * k;
            } else if (landmark == Landmark::Object && reference) {
                const SceneObject &ref = scene.objects[*reference];
                if (relation == Relation::NextTo)
                    holds = boxGap(o.box, ref.box) <=
                            (matching == Matching::Strict ? kObjectNearStrict : kObjectNearLoose) *
                                k;
                else
                    holds = directionHolds(relation, o, ref, sceneSize, matching);
            } else {
                holds = false;
            }
        }
        if (holds)
            out.push_back(i);
    }
    return out;
}

bool ReferringExpression::identifies(const SyntheticScene &scene, std::size_t target) const
{
    const auto strict = resolve(scene, Matching::Strict);
    const auto loose = resolve(scene, Matching::Loose);
    return strict.size() == 1 && strict.front() == target && loose.size() == 1 &&
           loose.front() == target;
}

std::vector<std::string> ReferringExpression::vocabulary()
{
    std::set<std::string> words{"the",   "largest", "smallest", "large", "small", "at",
                                "on",    "in",      "top",      "bottom", "left", "right",
                                "center", "of",     "above",    "below", "next",  "to",
                                "near",  "road",    "lake",     "river"};
    for (SceneColour c : kColours)
        words.insert(sceneColourName(c));
    for (SceneObjectClass c : kClasses) {
        std::istringstream in(sceneClassNoun(c));
        for (std::string w; in >> w;)
            words.insert(w);
    }
    return {words.begin(), words.end()};
}

bool ReferringExpression::operator==(const ReferringExpression &o) const
{
    const bool sameLandmarkObject =
        landmark != Landmark::Object ||
        (landmarkClass == o.landmarkClass && landmarkColour == o.landmarkColour);
    return objectClass == o.objectClass && colour == o.colour && size == o.size &&
           superlative == o.superlative && location == o.location && relation == o.relation &&
           landmark == o.landmark && sameLandmarkObject;
}

} // namespace rsrefseg
