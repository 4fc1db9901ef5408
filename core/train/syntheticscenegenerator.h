// SyntheticSceneGenerator: seeded, deterministic top-down "remote-sensing" scenes for training
// and testing referring segmentation without real data. A scene has textured ground, crop
// fields with row texture, optionally a lake or a river, optionally a road with lane marks, and
// objects of six classes (storage tanks, buildings, vehicles, ships on water, planes, sports
// courts) in several colours and two size classes, with shadows. Every described target has at
// least one distractor of its own class, and its sentence (see ReferringExpression) is checked
// against all generated objects: only the target satisfies it.
//
//   SyntheticSceneGenerator::Options options;   // size 512, 1 sentence per scene
//   options.expressionsPerScene = 3;             // 3 sentences with 3 different targets
//   SyntheticSceneGenerator generator(seed, options);
//   SyntheticSample s = generator.generate(7);   // scene number 7 of this seed
//   s.scene.image;                               // CV_8UC3 RGB
//   s.referrals[0].sentence;                     // "the small blue vehicle below the building"
//   s.scene.objectMask(s.referrals[0].objectIndex);
//
// Identical (seed, index, options) give identical scenes on every platform: randomness is
// std::mt19937_64 with hand-written distributions, drawing uses OpenCV's integer rasterisers,
// and the per-pixel noise is an integer generator. generate() is const and thread-safe.
// A 512 x 512 scene takes a few milliseconds.
#pragma once

#include "train/referringexpression.h"
#include "train/syntheticscene.h"

#include <cstdint>
#include <string>
#include <vector>

namespace rsrefseg {

struct SyntheticReferral
{
    std::size_t objectIndex = 0; // into scene.objects
    ReferringExpression expression;
    std::string sentence;        // expression.sentence()
};

struct SyntheticSample
{
    std::uint64_t index = 0;
    SyntheticScene scene;
    std::vector<SyntheticReferral> referrals; // distinct targets
};

class SyntheticSceneGenerator
{
  public:
    static constexpr int kMinSize = 256;
    static constexpr int kMaxSize = 4096;
    static constexpr int kMaxExpressionsPerScene = 6;

    struct Options
    {
        int size = 512;              // square scenes, kMinSize..kMaxSize pixels
        int expressionsPerScene = 1; // 1..kMaxExpressionsPerScene, each with its own target
    };

    // Throws rsrefseg::Error when an option is out of range.
    explicit SyntheticSceneGenerator(std::uint64_t seed);
    SyntheticSceneGenerator(std::uint64_t seed, const Options &options);

    // Scene number `index` with options.expressionsPerScene referrals to different objects.
    // Layouts that do not allow that many unambiguous sentences are redrawn (deterministically).
    SyntheticSample generate(std::uint64_t index) const;

    // One layout of scene `index` (attempt picks an alternative layout) without sentences.
    SyntheticScene generateScene(std::uint64_t index, std::uint32_t attempt = 0) const;
    // Up to `count` referrals with different targets for a scene; `stream` seeds the choice.
    std::vector<SyntheticReferral> describe(const SyntheticScene &scene, int count,
                                            std::uint64_t stream) const;

    std::uint64_t seed() const { return mSeed; }
    const Options &options() const { return mOptions; }

  private:
    std::uint64_t mSeed;
    Options mOptions;
};

} // namespace rsrefseg
