#include "engine/bilinearresampler.h"

#include "common/error.h"

namespace rsrefseg {

std::vector<BilinearResampler::Tap> BilinearResampler::taps(int inSize, int outSize)
{
    // ATen's upsample_bilinear2d (align_corners=false): scale = in / out rounded to float,
    // src = scale * (dst + 0.5) - 0.5 in double, clamped at 0; the weights are the fraction
    // computed in double, then stored as float; i1 = i0 + 1 unless at the last pixel.
    std::vector<Tap> t(static_cast<size_t>(outSize));
    const float scale = static_cast<float>(inSize) / static_cast<float>(outSize);
    for (int d = 0; d < outSize; ++d) {
        double src = static_cast<double>(scale) * (static_cast<double>(d) + 0.5) - 0.5;
        if (src < 0.0)
            src = 0.0;
        Tap &tap = t[static_cast<size_t>(d)];
        tap.i0 = static_cast<int>(src);
        tap.i1 = tap.i0 < inSize - 1 ? tap.i0 + 1 : tap.i0;
        tap.w1 = static_cast<float>(src - static_cast<double>(tap.i0));
        tap.w0 = 1.0f - tap.w1;
    }
    return t;
}

BilinearResampler::BilinearResampler(const cv::Mat &source, int width, int height)
    : mSource(source)
    , mWidth(width)
    , mHeight(height)
{
    if (source.empty() || source.type() != CV_32FC1)
        throw Error("BilinearResampler: the source must be a non-empty CV_32FC1 image");
    if (width <= 0 || height <= 0)
        throw Error("BilinearResampler: invalid output size");
    mX = taps(source.cols, width);
    mY = taps(source.rows, height);
}

void BilinearResampler::rows(int y0, int count, cv::Mat &out) const
{
    if (y0 < 0 || count < 0 || y0 + count > mHeight)
        throw Error("BilinearResampler: rows out of range");
    out.create(count, mWidth, CV_32FC1);
    // Horizontal pass per source row is shared by neighbouring output rows; rows are few per
    // call, so interpolate the two source rows directly.
    for (int r = 0; r < count; ++r) {
        const Tap &ty = mY[static_cast<size_t>(y0 + r)];
        const float *a = mSource.ptr<float>(ty.i0);
        const float *b = mSource.ptr<float>(ty.i1);
        float *o = out.ptr<float>(r);
        for (int x = 0; x < mWidth; ++x) {
            const Tap &tx = mX[static_cast<size_t>(x)];
            const float top = tx.w0 * a[tx.i0] + tx.w1 * a[tx.i1];
            const float bottom = tx.w0 * b[tx.i0] + tx.w1 * b[tx.i1];
            o[x] = ty.w0 * top + ty.w1 * bottom;
        }
    }
}

cv::Mat BilinearResampler::resize(const cv::Mat &source, int width, int height)
{
    if (source.cols == width && source.rows == height)
        return source.clone();
    BilinearResampler r(source, width, height);
    cv::Mat out;
    r.rows(0, height, out);
    return out;
}

} // namespace rsrefseg
