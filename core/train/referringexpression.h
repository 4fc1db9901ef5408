// ReferringExpression: the small grammar of sentences the synthetic scenes use, its parser and
// its meaning. A sentence is
//   the [largest|smallest|large|small] [colour] NOUN [LOCATION | RELATION]
//   LOCATION: at the top left | at the top right | at the bottom left | at the bottom right |
//             at the top | at the bottom | on the left | on the right | in the center
//   RELATION: (left of | right of | above | below | next to | near) the LANDMARK
//   LANDMARK: road | lake | river | [colour] NOUN      (an object that phrase names uniquely)
// A superlative (largest/smallest) takes no location or relation.
// e.g. "the largest white storage tank", "the small blue vehicle below the building",
// "the ship at the top right", "the red building left of the road".
//
//   auto e = ReferringExpression::parse("the red building left of the road");
//   std::vector<std::size_t> hits = e->resolve(scene, ReferringExpression::Matching::Strict);
//   bool ok = e->identifies(scene, targetIndex);   // the generator's unambiguity test
//
// Spatial words have two readings: Strict (clearly true: the target must satisfy it) and Loose
// (arguably true: no other object may satisfy it). identifies() requires both, so a sentence
// never hinges on a few pixels. Thresholds scale with the scene size (numbers below are for
// 512 pixels): location thirds with a 20 px margin, "next to"/"near" within 10 px (others must
// be beyond 30 px), directions relative to an object within 35 degrees of the axis, boxes
// apart and within 0.4 x the scene size (loose: within 63 degrees, any distance), superlatives
// need a 1.3x area ratio.
#pragma once

#include "train/syntheticscene.h"

#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

struct ReferringExpression
{
    enum class Superlative { None, Largest, Smallest };
    enum class Location
    {
        None, TopLeft, Top, TopRight, Left, Center, Right, BottomLeft, Bottom, BottomRight
    };
    enum class Relation { None, LeftOf, RightOf, Above, Below, NextTo };
    enum class Landmark { None, Road, Lake, River, Object };
    enum class Matching { Strict, Loose };

    SceneObjectClass objectClass = SceneObjectClass::Building;
    std::optional<SceneColour> colour;
    std::optional<SceneSize> size;          // exclusive with superlative
    Superlative superlative = Superlative::None;
    Location location = Location::None;     // exclusive with relation
    Relation relation = Relation::None;
    Landmark landmark = Landmark::None;
    SceneObjectClass landmarkClass = SceneObjectClass::Building; // when landmark == Object
    std::optional<SceneColour> landmarkColour;                   // when landmark == Object

    // The sentence (lower case, single spaces). "next to" is written "near" for water.
    std::string sentence() const;
    // nullopt when the text is not a sentence of the grammar (case and extra spaces ignored).
    static std::optional<ReferringExpression> parse(const std::string &text);

    // Indices of the scene objects the expression describes under the given reading. Empty when
    // a landmark does not exist or its phrase does not name exactly one object.
    std::vector<std::size_t> resolve(const SyntheticScene &scene, Matching matching) const;
    // True when the target alone satisfies the strict reading and nothing else the loose one.
    bool identifies(const SyntheticScene &scene, std::size_t target) const;

    // Every word sentence() can produce, sorted (for training a tokenizer on the synthetic set).
    static std::vector<std::string> vocabulary();

    bool operator==(const ReferringExpression &other) const;
};

} // namespace rsrefseg
