// Helpers for the ui tests: synthetic GeoTIFFs, the untrained tiny golden model bundle, a
// slowed-down model for long-job tests, and waiting on the event loop.
#pragma once

#include "engine/colourtestmodel.h"
#include "ui/segmentationworker.h"

#include <QMutex>
#include <QSet>
#include <QSignalSpy>
#include <QString>
#include <QStringList>
#include <QWaitCondition>

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

// Forwards to a ColourTestModel, but every decode() waits at a gate the test opens: the test,
// not the clock, decides when a tile finishes (event-driven cancel tests, no wall-clock asserts).
//   model->allow(2);                   // two decodes may pass, the third waits
//   model->waitUntilDecoding(10000);   // a decode has started and is held
//   worker.cancel(id); model->open();  // cancel while it is held, then let everything through
class GatedModel : public rsrefseg::ColourTestModel
{
  public:
    explicit GatedModel(int inputSize = 64);
    std::vector<rsrefseg::FeaturesPtr> encodeImages(const std::vector<cv::Mat> &rgb) override;
    rsrefseg::ModelOutput decode(const rsrefseg::FeaturesPtr &image, const rsrefseg::FeaturesPtr &text) override;
    bool waitUntilDecoding(int timeoutMs); // true once a decode() waits at the closed gate
    void allow(int decodes);               // lets that many more decode() calls through
    void open();                           // lets every waiting and later decode() through
    bool ranOn(Qt::HANDLE thread) const;   // whether an encode or decode ran on that thread

  private:
    mutable QMutex mMutex;
    QWaitCondition mChanged;
    bool mOpen = false;
    int mPermits = 0;
    int mWaiting = 0;
    QSet<Qt::HANDLE> mThreads;
};

// A factory that hands out `model` (after sleeping `loadMs`, to mimic a model load).
rsrefseg::SegmentationWorker::ModelFactory fixedFactory(std::shared_ptr<rsrefseg::SegmentationModel> model,
                                                        int loadMs = 0);

// Everything under `dir`, recursively, hidden files and folders included (relative paths).
QStringList allEntries(const QString &dir);

// Runs the event loop until `done()` or the timeout; returns done().
bool waitFor(const std::function<bool()> &done, int timeoutMs);

// Waits until `spy` has recorded at least `count` signals. For signals emitted on another
// thread, QSignalSpy::wait() alone can miss one: the spy records it directly on the emitting
// thread, and a signal that arrives before wait() starts never ends the wait.
bool waitForSignals(const QSignalSpy &spy, int count, int timeoutMs);

} // namespace uitest
