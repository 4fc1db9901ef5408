// SceneRandom: the random numbers of the synthetic scene generator (SyntheticSceneGenerator),
// identical on every platform: std::mt19937_64 is specified bit for bit by the standard, its
// distributions are not, so the few the generator needs are written out here. mixSeed()
// derives independent seeds from (seed, index, attempt, purpose).
//
//   SceneRandom rng(mixSeed(seed, index, attempt, 0x5CE4E));
//   int n = rng.uniformInt(2, 5);  double x = rng.uniform(0.0, 512.0);  if (rng.chance(0.7)) ...
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace rsrefseg::synth {

inline std::uint64_t splitmix64(std::uint64_t &state)
{
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

inline std::uint64_t mixSeed(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d)
{
    std::uint64_t state = a;
    std::uint64_t h = splitmix64(state);
    for (std::uint64_t v : {b, c, d}) {
        state = h ^ v;
        h = splitmix64(state);
    }
    return h;
}

class SceneRandom
{
  public:
    explicit SceneRandom(std::uint64_t seed)
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

} // namespace rsrefseg::synth
