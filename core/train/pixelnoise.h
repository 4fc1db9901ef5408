// PixelNoise: the synthetic scenes' per-pixel noise, an integer generator (xorshift64, 4 values
// per step) so that every platform draws the same pixels.
//
//   PixelNoise noise(seed);
//   int n = noise.next(6);   // in [-6, 6]
#pragma once

#include <cstdint>

namespace rsrefseg::synth {

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

} // namespace rsrefseg::synth
