// MaskPipeline: everything that happens to one query's stitched probability after the model:
// threshold, nodata, optional removal of small objects and filling of small holes, the mask
// and probability GeoTIFFs, and polygons (GDALPolygonize of the labelled mask, topology-
// preserving simplification, attributes) — all streamed through scratch GeoTIFFs in a work
// folder so that memory stays one block row, whatever the raster size.
//
//   MaskPipeline p(options);                     // validates and opens every output now
//   p.addRows(y, prob, valid, owner);            // stitched rows, in order (ProbabilityStitcher)
//   p.finish(tileValues, feedback);              // post-processing, polygons (still temporary)
//   p.commit();                                  // all outputs appear at their paths
//
// Mask values: 1 object, 0 background, 255 nodata; nodata pixels never become object.
// Nothing appears at an output path before commit(); a pipeline destroyed earlier (error,
// cancel) leaves nothing behind.
#pragma once

#include "engine/feedback.h"
#include "engine/segmentationsettings.h"
#include "geo/rastergrid.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rsrefseg {

class AreaCalculator;
class ComponentLabeller;
class GeoTiffWriter;
class VectorWriter;

// Output paths of one query (empty: not written).
struct QueryOutputs
{
    std::string mask;        // .tif / .tiff
    std::string probability; // .tif / .tiff
    std::string vector;      // .gpkg .shp .geojson .json .fgb
    bool empty() const { return mask.empty() && probability.empty() && vector.empty(); }
    nlohmann::json toJson() const;
};

struct PolygonReport
{
    int64_t id = 0;
    double score = 0.0;     // mean probability over the component's pixels
    double relevance = 0.0; // max relevance of the tiles owning its pixels
    double iou = 0.0;       // mean IoU prediction of the tiles owning its pixels
    double areaM2 = 0.0;    // of the written (simplified) polygon; -1 without a CRS
    int64_t areaPixels = 0;
    nlohmann::json toJson() const;
};

class MaskPipeline
{
  public:
    struct Options
    {
        RasterGrid grid;
        QueryOutputs outputs;
        std::string workDir; // scratch files (must exist)
        std::string scratchPrefix = "q0";
        double threshold = 0.5;
        SegmentationSettings::ProbabilityType probabilityType = SegmentationSettings::ProbabilityType::UInt8;
        double minObjectArea = 0.0;
        double maxHoleArea = 0.0;
        SegmentationSettings::AreaUnit areaUnit = SegmentationSettings::AreaUnit::Pixels;
        std::optional<double> simplifyTolerance; // map units; empty: one pixel
        bool overwrite = false;
        // Polygon attributes.
        std::string query;
        std::string source;
        std::string model;
        std::string created; // ISO 8601
        size_t maxPolygonReports = 100000;
    };
    struct TileValues
    {
        float relevance = 0.0f;
        float iou = 0.0f;
    };

    // Throws rsrefseg::Error for an unknown extension, an existing output (without
    // overwrite), an unwritable folder, or m2 areas on a raster without CRS.
    explicit MaskPipeline(const Options &options);
    ~MaskPipeline();
    MaskPipeline(const MaskPipeline &) = delete;
    MaskPipeline &operator=(const MaskPipeline &) = delete;

    // prob CV_32FC1, valid CV_8UC1 (0 = nodata), owner CV_32SC1 (tile id or -1).
    void addRows(int y, const cv::Mat &prob, const cv::Mat &valid, const cv::Mat &owner);
    // tiles[id] for owner ids. `progress` gets 0..1 of the post-processing.
    void finish(const std::vector<TileValues> &tiles, Feedback *feedback,
                const std::function<void(const std::string &, double)> &progress = {});
    void commit();

    int64_t objectPixels() const { return mObjectPixels; }
    int64_t validPixels() const { return mValidPixels; }
    int64_t polygonCount() const { return mPolygonCount; }
    const std::vector<PolygonReport> &polygons() const { return mPolygons; }
    double postSeconds() const { return mPostSeconds; }

    // Checks an output path's extension; throws Error naming it.
    static void checkRasterExtension(const std::string &path);

  private:
    using Progress = std::function<void(const std::string &, double)>;
    static void checkOptions(const Options &options);
    void openOutputs();
    std::string scratch(const std::string &name);
    std::string filterPass(const std::string &input, bool removeObjects, Feedback *feedback);
    void finalPass(const std::string &input, const std::vector<TileValues> &tiles, Feedback *feedback,
                   const Progress &progress);
    void maskPass(const std::string &input, Feedback *feedback);
    void labelComponents(const std::string &input, const std::vector<TileValues> &tiles, ComponentLabeller &lab,
                         Feedback *feedback, const Progress &progress);
    std::string writeLabels(const std::string &input, ComponentLabeller &lab, Feedback *feedback,
                            const Progress &progress);
    void polygonize(const std::string &labelsPath, const ComponentLabeller &lab, Feedback *feedback,
                    const Progress &progress);
    void countRow(const uint8_t *row);
    double pixelArea(int y) const;

    Options mOptions;
    bool mWantVector = false;
    std::unique_ptr<GeoTiffWriter> mMask;     // user output (written in the final pass)
    std::unique_ptr<GeoTiffWriter> mProb;     // user output (written with the rows)
    std::unique_ptr<VectorWriter> mVector;    // user output
    std::unique_ptr<GeoTiffWriter> mRaw;      // scratch: thresholded mask
    std::unique_ptr<GeoTiffWriter> mProb8;    // scratch: probability 0..255 (polygon scores)
    std::unique_ptr<GeoTiffWriter> mOwner;    // scratch: owning tile per pixel
    std::vector<std::string> mScratchFiles;
    std::unique_ptr<AreaCalculator> mAreas; // for areas in m2 (per-row pixel areas)
    double mConstantPixelArea = 1.0;
    bool mPerRowArea = false;
    int64_t mObjectPixels = 0;
    int64_t mValidPixels = 0;
    int64_t mPolygonCount = 0;
    std::vector<PolygonReport> mPolygons;
    double mPostSeconds = 0.0;
    bool mFinished = false;
};

} // namespace rsrefseg
