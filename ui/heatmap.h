// HeatMap: colour-maps the global activation (SigLIP's per-patch "is it here" logits) for the
// tile inspector: sigmoid of the logits, then the perceptually ordered "turbo" colour map
// (blue = 0, red = 1), with an alpha for overlaying on the tile image.
//
//   QImage heat = HeatMap::fromLogits(update.activation, 160);    // 27 x 27 ARGB
//   painter.drawImage(target, heat);                              // scaled smoothly
#pragma once

#include <QColor>
#include <QImage>

#include <opencv2/core/mat.hpp>

namespace rsrefseg {

class HeatMap
{
  public:
    // t in [0, 1] -> turbo colour (Google's polynomial approximation).
    static QColor turbo(double t);
    // CV_32FC1 logits -> ARGB32 image of the same size, colour = turbo(sigmoid(logit)).
    static QImage fromLogits(const cv::Mat &logits, int alpha = 255);
    // A horizontal colour bar for a legend.
    static QImage colourBar(int width, int height);
};

} // namespace rsrefseg
