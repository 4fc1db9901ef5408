#include "ui/probabilitydisplay.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace rsrefseg {

ProbabilityDisplay::ProbabilityDisplay(const PixelWindow &window, int maxSide)
    : ProbabilityDisplay(window,
                         std::max(1, static_cast<int>(std::ceil(std::max(window.width, window.height) /
                                                                static_cast<double>(std::max(1, maxSide))))),
                         true)
{
}

ProbabilityDisplay::ProbabilityDisplay(const PixelWindow &window, int factor, bool)
    : mWindow(window)
    , mFactor(std::max(1, factor))
{
    mWidth = std::max(1, (window.width + mFactor - 1) / mFactor);
    mHeight = std::max(1, (window.height + mFactor - 1) / mFactor);
}

unsigned char ProbabilityDisplay::encode(float p)
{
    if (!(p > 0.0f))
        return 0;
    if (p >= 1.0f)
        return 254;
    return static_cast<unsigned char>(std::lround(p * 254.0f));
}

cv::Mat ProbabilityDisplay::rows(int y, const cv::Mat &prob, const cv::Mat &valid, int *displayY) const
{
    // Display rows r with y <= r * f + f / 2 < y + n (clamped to the last grid row).
    const int n = prob.rows;
    const int half = mFactor / 2;
    auto sampleRow = [&](int r) { return std::min(r * mFactor + half, mWindow.height - 1); };
    int r0 = std::max(0, (y - half + mFactor - 1) / mFactor);
    while (r0 > 0 && sampleRow(r0 - 1) >= y)
        --r0;
    while (r0 < mHeight && sampleRow(r0) < y)
        ++r0;
    int r1 = r0;
    while (r1 < mHeight && sampleRow(r1) < y + n)
        ++r1;
    if (displayY)
        *displayY = r0;
    if (r1 <= r0)
        return cv::Mat();
    cv::Mat out(r1 - r0, mWidth, CV_8UC1);
    for (int r = r0; r < r1; ++r) {
        const int sy = sampleRow(r) - y;
        const float *p = prob.ptr<float>(sy);
        const unsigned char *v = valid.empty() ? nullptr : valid.ptr<unsigned char>(sy);
        unsigned char *o = out.ptr<unsigned char>(r - r0);
        for (int c = 0; c < mWidth; ++c) {
            const int sx = std::min(c * mFactor + half, prob.cols - 1);
            o[c] = (v && !v[sx]) ? kNoData : encode(p[sx]);
        }
    }
    return out;
}

QRect ProbabilityDisplay::displayRect(const PixelWindow &w) const
{
    const int x0 = (w.x - mWindow.x) / mFactor;
    const int y0 = (w.y - mWindow.y) / mFactor;
    const int x1 = (w.right() - mWindow.x + mFactor - 1) / mFactor;
    const int y1 = (w.bottom() - mWindow.y + mFactor - 1) / mFactor;
    const QRect r(QPoint(x0, y0), QPoint(x1 - 1, y1 - 1));
    return r.intersected(QRect(0, 0, mWidth, mHeight));
}

cv::Mat ProbabilityDisplay::tile(const PixelWindow &tileWindow, const cv::Mat &prob, QRect *displayRect) const
{
    const QRect r = this->displayRect(tileWindow);
    if (displayRect)
        *displayRect = r;
    if (r.isEmpty() || prob.empty())
        return cv::Mat();
    // The full (unclipped) display size of the tile, then crop to the clipped rectangle.
    const int x0 = (tileWindow.x - mWindow.x) / mFactor;
    const int y0 = (tileWindow.y - mWindow.y) / mFactor;
    const int fw = std::max(1, (tileWindow.right() - mWindow.x + mFactor - 1) / mFactor - x0);
    const int fh = std::max(1, (tileWindow.bottom() - mWindow.y + mFactor - 1) / mFactor - y0);
    cv::Mat resized;
    cv::resize(prob, resized, cv::Size(fw, fh), 0, 0, fw < prob.cols ? cv::INTER_AREA : cv::INTER_LINEAR);
    const cv::Rect crop(r.x() - x0, r.y() - y0, r.width(), r.height());
    cv::Mat out(r.height(), r.width(), CV_8UC1);
    for (int yy = 0; yy < r.height(); ++yy) {
        const float *p = resized.ptr<float>(crop.y + yy);
        unsigned char *o = out.ptr<unsigned char>(yy);
        for (int xx = 0; xx < r.width(); ++xx)
            o[xx] = encode(p[crop.x + xx]);
    }
    return out;
}

cv::Mat ProbabilityDisplay::thumbnail(const cv::Mat &prob, int maxSide)
{
    if (prob.empty())
        return cv::Mat();
    const double scale = std::min(1.0, maxSide / static_cast<double>(std::max(prob.cols, prob.rows)));
    cv::Mat small;
    if (scale < 1.0)
        cv::resize(prob, small, cv::Size(std::max(1, static_cast<int>(std::lround(prob.cols * scale))),
                                         std::max(1, static_cast<int>(std::lround(prob.rows * scale)))),
                   0, 0, cv::INTER_AREA);
    else
        small = prob;
    cv::Mat out(small.rows, small.cols, CV_8UC1);
    for (int y = 0; y < small.rows; ++y) {
        const float *p = small.ptr<float>(y);
        unsigned char *o = out.ptr<unsigned char>(y);
        for (int x = 0; x < small.cols; ++x)
            o[x] = encode(p[x]);
    }
    return out;
}

} // namespace rsrefseg
