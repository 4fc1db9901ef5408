// Helpers for the ui tests: synthetic GeoTIFFs, the untrained tiny golden model bundle, a
// slowed-down model for long-job tests, and waiting on the event loop.
#pragma once

#include "engine/colourtestmodel.h"
#include "ui/segmentationworker.h"

#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace uitest {

// A GeoTIFF (UTM 33N, 0.5 m pixels, origin 500000 / 5000000) of `size` x `size` RGB pixels:
// dark grey with one pure red square [x0, x0 + side) x [y0, y0 + side).
void writeRedSquareRaster(const QString &path, int size, int x0, int y0, int side, int epsg = 32633);

// Builds the untrained tiny golden model bundle (tests/data/golden) into `dir`.
void buildTinyBundle(const QString &dir);

// Forwards to a ColourTestModel, sleeping before every image encode and decode, so that a
// job lasts long enough to be cancelled or to measure the event loop.
class SlowModel : public rsrefseg::ColourTestModel
{
  public:
    SlowModel(int decodeMs, int encodeMs, int inputSize = 64);
    std::vector<rsrefseg::FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) override;
    rsrefseg::ModelOutput decode(const rsrefseg::FeaturesPtr &image, const rsrefseg::FeaturesPtr &text) override;
    std::atomic<int> decodeMs;
    std::atomic<int> encodeMs;
};

// A factory that hands out `model` (after sleeping `loadMs`, to mimic a model load).
rsrefseg::SegmentationWorker::ModelFactory fixedFactory(std::shared_ptr<rsrefseg::SegmentationModel> model,
                                                        int loadMs = 0);

// Runs the event loop until `done()` or the timeout; returns done().
bool waitFor(const std::function<bool()> &done, int timeoutMs);

} // namespace uitest
