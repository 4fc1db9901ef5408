#include "ui/heatmap.h"

#include <algorithm>
#include <cmath>

namespace rsrefseg {

QColor HeatMap::turbo(double t)
{
    t = std::clamp(t, 0.0, 1.0);
    // Polynomial fit of the turbo colour map (Mikhailov, Google AI, 2019).
    const double r = 0.13572138 + t * (4.61539260 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
    const double g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
    const double b = 0.10667330 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
    auto c = [](double v) { return static_cast<int>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); };
    return QColor(c(r), c(g), c(b));
}

QImage HeatMap::fromLogits(const cv::Mat &logits, int alpha)
{
    if (logits.empty() || logits.type() != CV_32FC1)
        return QImage();
    QImage img(logits.cols, logits.rows, QImage::Format_ARGB32);
    for (int y = 0; y < logits.rows; ++y) {
        const float *l = logits.ptr<float>(y);
        QRgb *o = reinterpret_cast<QRgb *>(img.scanLine(y));
        for (int x = 0; x < logits.cols; ++x) {
            const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(l[x])));
            const QColor c = turbo(p);
            o[x] = qRgba(c.red(), c.green(), c.blue(), alpha);
        }
    }
    return img;
}

QImage HeatMap::colourBar(int width, int height)
{
    QImage img(std::max(1, width), std::max(1, height), QImage::Format_RGB32);
    for (int x = 0; x < img.width(); ++x) {
        const QRgb c = turbo(img.width() > 1 ? x / double(img.width() - 1) : 0.0).rgb();
        for (int y = 0; y < img.height(); ++y)
            img.setPixel(x, y, c);
    }
    return img;
}

} // namespace rsrefseg
