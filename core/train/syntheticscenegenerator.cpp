#include "train/syntheticscenegenerator.h"

#include "common/error.h"
#include "train/scenebuilder.h"
#include "train/scenerandom.h"

#include <algorithm>
#include <array>
#include <optional>

namespace rsrefseg {

namespace {

// ---------------------------------------------------------------------------------------------
// Sentences.

using Expr = ReferringExpression;

Expr withAttributes(const SceneObject &t, Expr e, bool colour, bool size)
{
    if (colour)
        e.colour = t.colour;
    if (size)
        e.size = t.size;
    return e;
}

std::vector<Expr> superlativeStyle(const SceneObject &t, const Expr &base)
{
    std::vector<Expr> v;
    for (auto s : {Expr::Superlative::Largest, Expr::Superlative::Smallest})
        for (bool colour : {false, true}) {
            Expr e = withAttributes(t, base, colour, false);
            e.superlative = s;
            v.push_back(e);
        }
    return v;
}

std::vector<Expr> locationStyle(const SceneObject &t, const Expr &base)
{
    std::vector<Expr> v;
    for (int l = 1; l <= 9; ++l)
        for (bool colour : {false, true})
            for (bool size : {false, true}) {
                Expr e = withAttributes(t, base, colour, size);
                e.location = static_cast<Expr::Location>(l);
                v.push_back(e);
            }
    return v;
}

// Every relation to the landmark that setLandmark() sets, with and without colour and size.
template <class SetLandmark>
std::vector<Expr> relationStyle(const SceneObject &t, const Expr &base, SetLandmark setLandmark)
{
    const std::array<Expr::Relation, 5> relations{Expr::Relation::LeftOf, Expr::Relation::RightOf,
                                                  Expr::Relation::Above, Expr::Relation::Below,
                                                  Expr::Relation::NextTo};
    std::vector<Expr> v;
    for (auto r : relations)
        for (bool colour : {false, true})
            for (bool size : {false, true}) {
                Expr e = withAttributes(t, base, colour, size);
                e.relation = r;
                setLandmark(e);
                v.push_back(e);
            }
    return v;
}

// Relations to another object named by its class, or by colour and class.
std::vector<Expr> objectRelationStyle(const SyntheticScene &scene, const SceneObject &t, const Expr &base)
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
        auto more = relationStyle(t, base, [&](Expr &e) {
            e.landmark = Expr::Landmark::Object;
            e.landmarkClass = phrase.first;
            e.landmarkColour = phrase.second;
        });
        v.insert(v.end(), more.begin(), more.end());
    }
    return v;
}

// Candidate descriptions of one target, grouped by style so that each style gets a fair chance
// whatever the number of variants it has.
std::vector<std::vector<Expr>> candidateStyles(const SyntheticScene &scene, std::size_t target)
{
    const SceneObject &t = scene.objects[target];
    Expr base;
    base.objectClass = t.objectClass;
    std::vector<std::vector<Expr>> styles;
    // Attributes only.
    styles.push_back({withAttributes(t, base, true, false), withAttributes(t, base, false, true),
                      withAttributes(t, base, true, true)});
    styles.push_back(superlativeStyle(t, base));
    styles.push_back(locationStyle(t, base)); // locations in the image
    if (scene.road != SceneRoad::None)
        styles.push_back(relationStyle(t, base, [](Expr &e) { e.landmark = Expr::Landmark::Road; }));
    if (scene.water != SceneWater::None)
        styles.push_back(relationStyle(t, base, [&](Expr &e) {
            e.landmark = scene.water == SceneWater::Lake ? Expr::Landmark::Lake
                                                         : Expr::Landmark::River;
        }));
    std::vector<Expr> objects = objectRelationStyle(scene, t, base);
    if (!objects.empty())
        styles.push_back(std::move(objects));
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
    synth::SceneBuilder builder(mOptions.size, synth::mixSeed(mSeed, index, attempt, 0x5CE4E));
    return builder.build();
}

std::vector<SyntheticReferral> SyntheticSceneGenerator::describe(const SyntheticScene &scene,
                                                                 int count,
                                                                 std::uint64_t stream) const
{
    synth::SceneRandom rng(synth::mixSeed(mSeed, stream, 0x5E47E4CE, 0));
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
                                    synth::mixSeed(index, attempt, 0xDE5C, 0));
        if (static_cast<int>(sample.referrals.size()) == mOptions.expressionsPerScene)
            return sample;
    }
    throw Error("synthetic scenes: scene " + std::to_string(index) + " of seed " +
                std::to_string(mSeed) + " found no layout with " +
                std::to_string(mOptions.expressionsPerScene) +
                " unambiguous sentences; ask for fewer sentences per scene");
}

} // namespace rsrefseg
