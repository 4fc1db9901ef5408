// Value types that travel between the GUI and the SegmentationWorker: the job description,
// what the worker reports while it runs (tiles, finished rows, model state) and the outcome.
// They are copied through queued signals, so they hold only values and shared immutable data.
#pragma once

#include "engine/batchrunner.h"
#include "engine/segmentationrequest.h"
#include "engine/segmentationresult.h"
#include "engine/tilereport.h"
#include "geo/pixelwindow.h"

#include <QMetaType>
#include <QRect>
#include <QString>

#include <opencv2/core/mat.hpp>

#include <memory>

namespace rsrefseg {

struct SegmentationJob
{
    enum class Kind {
        Query,  // interactive: latest wins, rows and tiles reported for display
        Export, // the engine writes the outputs named in the request
        Batch   // BatchRunner over a folder
    };
    Kind kind = Kind::Query;
    SegmentationRequest request;  // Query and Export
    BatchRunner::Options batch;   // Batch
    // Query: source pixels of the output grid and the display down-sampling factor, so that
    // the worker hands over display-sized images, never full-resolution arrays.
    PixelWindow window;
    int displayFactor = 1;
    int thumbnailSize = 256; // tile inspector images (longer side)
};

struct ModelInfo
{
    QString bundleDir;
    QString name;
    QString modelId;
    QString device;
    QString dtype;
    bool trained = false;
    int inputSize = 0;
    double loadSeconds = 0.0;
};

// One tile of a query job, as the tile inspector and the progressive display need it.
struct TileUpdate
{
    TileReport report;   // with the activation map (the inspector's heat map)
    cv::Mat thumbnail;   // tile probability, CV_8UC1 (0..254 = p * 254), longer side <= thumbnailSize
    QRect displayRect;   // where the tile lies in the result's display image
    cv::Mat display;     // tile probability at displayRect's size, CV_8UC1 (empty: nothing to paint)
};

// Finished (blended) output rows of a query job at display resolution.
struct RowsUpdate
{
    int queryIndex = 0;
    int displayY = 0;
    cv::Mat rows; // CV_8UC1, display width; 0..254 = p * 254, 255 = nodata
};

struct JobOutcome
{
    enum class Status { Done, Cancelled, Failed, Superseded };
    Status status = Status::Done;
    QString error;   // one line (Failed)
    QString details; // more context (Failed)
    double seconds = 0.0;
    std::shared_ptr<const SegmentationResult> result;   // Query / Export when Done
    std::shared_ptr<const BatchRunner::Summary> batch;  // Batch when Done
};

} // namespace rsrefseg

Q_DECLARE_METATYPE(rsrefseg::ModelInfo)
Q_DECLARE_METATYPE(rsrefseg::TileUpdate)
Q_DECLARE_METATYPE(rsrefseg::RowsUpdate)
Q_DECLARE_METATYPE(rsrefseg::JobOutcome)
