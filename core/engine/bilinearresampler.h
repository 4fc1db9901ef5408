// BilinearResampler: resizes a float image (mask logits) exactly like
// torch.nn.functional.interpolate(mode="bilinear", align_corners=False) — upstream's
// post-processing — but produces any band of output rows on demand, so that a model-sized
// logit map can be brought to a huge region's native resolution block by block.
//
//   BilinearResampler r(logits, regionWidth, regionHeight);   // logits: CV_32FC1
//   cv::Mat rows;  r.rows(y0, 256, rows);                      // output rows y0 .. y0+255
//   cv::Mat whole = BilinearResampler::resize(logits, w, h);
#pragma once

#include <opencv2/core/mat.hpp>

#include <vector>

namespace rsrefseg {

class BilinearResampler
{
  public:
    BilinearResampler(const cv::Mat &source, int width, int height);

    int width() const { return mWidth; }
    int height() const { return mHeight; }
    // Output rows [y0, y0 + count) into `out` (count x width, CV_32FC1).
    void rows(int y0, int count, cv::Mat &out) const;

    static cv::Mat resize(const cv::Mat &source, int width, int height);

  private:
    struct Tap
    {
        int i0 = 0;
        int i1 = 0;
        float w0 = 1.0f;
        float w1 = 0.0f;
    };
    static std::vector<Tap> taps(int inSize, int outSize);

    cv::Mat mSource;
    int mWidth;
    int mHeight;
    std::vector<Tap> mX;
    std::vector<Tap> mY;
};

} // namespace rsrefseg
