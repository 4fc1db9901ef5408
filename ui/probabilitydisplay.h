// ProbabilityDisplay: the display grid of a result layer: the output grid (a window of the
// source raster) reduced by an integer factor so that its longer side stays within a limit,
// and the conversions from the engine's float probabilities to 8-bit display values
// (0..254 = p * 254, 255 = nodata). Used on the worker (conversion) and by the result layer.
//
//   ProbabilityDisplay d(window);                         // factor 1 up to 4096 px
//   int dy; cv::Mat rows = d.rows(y, prob, valid, &dy);   // display rows of grid rows y..
//   QRect r; cv::Mat t = d.tile(tileWindow, tileProb, &r);
#pragma once

#include "geo/pixelwindow.h"

#include <QRect>

#include <opencv2/core/mat.hpp>

namespace rsrefseg {

class ProbabilityDisplay
{
  public:
    static constexpr int kDefaultMaxSide = 4096;
    static constexpr unsigned char kNoData = 255;

    explicit ProbabilityDisplay(const PixelWindow &window, int maxSide = kDefaultMaxSide);
    ProbabilityDisplay(const PixelWindow &window, int factor, bool explicitFactor);

    const PixelWindow &window() const { return mWindow; }
    int factor() const { return mFactor; }
    int width() const { return mWidth; }
    int height() const { return mHeight; }

    // Output-grid rows [y, y + prob.rows) -> the display rows whose sample row falls inside
    // (nearest sampling: display row r samples grid row r * factor + factor / 2). Empty when
    // none does. `displayY` receives the first display row.
    cv::Mat rows(int y, const cv::Mat &prob, const cv::Mat &valid, int *displayY) const;
    // A tile's probability (any size, covering source pixels `tileWindow`) resized to the
    // display rectangle it covers.
    cv::Mat tile(const PixelWindow &tileWindow, const cv::Mat &prob, QRect *displayRect) const;
    // Source pixel window -> display rectangle (clipped to the display).
    QRect displayRect(const PixelWindow &sourceWindow) const;

    static unsigned char encode(float p);
    static float decode(unsigned char v) { return v == kNoData ? 0.0f : v / 254.0f; }
    // Probability (CV_32FC1, any size) -> CV_8UC1 thumbnail with longer side <= maxSide.
    static cv::Mat thumbnail(const cv::Mat &prob, int maxSide);

  private:
    PixelWindow mWindow;
    int mFactor = 1;
    int mWidth = 0;
    int mHeight = 0;
};

} // namespace rsrefseg
