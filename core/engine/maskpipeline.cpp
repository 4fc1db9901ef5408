#include "engine/maskpipeline.h"

#include "common/error.h"
#include "engine/componentlabeller.h"
#include "geo/areacalculator.h"
#include "geo/blockrowreader.h"
#include "geo/geotiffwriter.h"
#include "geo/maskpolygonizer.h"
#include "geo/vectorwriter.h"

#include <ogr_geometry.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <system_error>

namespace rsrefseg {

namespace fs = std::filesystem;

namespace {

constexpr int kBlockRows = 256;

std::string lowerExtension(const std::string &path)
{
    std::string ext = fs::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    return ext;
}

GeoTiffWriter::Options scratchOptions(GeoTiffWriter::DataType type)
{
    GeoTiffWriter::Options o;
    o.type = type;
    o.atomic = false;
    o.overwrite = true;
    o.deflateLevel = 1;
    o.blockSize = kBlockRows;
    return o;
}

double secondsSince(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

nlohmann::json QueryOutputs::toJson() const
{
    nlohmann::json j = nlohmann::json::object();
    if (!mask.empty())
        j["mask"] = mask;
    if (!probability.empty())
        j["probability"] = probability;
    if (!vector.empty())
        j["vector"] = vector;
    return j;
}

nlohmann::json PolygonReport::toJson() const
{
    return {{"id", id},           {"score", score},     {"relevance", relevance},
            {"iou_pred", iou},    {"area_m2", areaM2}, {"area_px", areaPixels}};
}

void MaskPipeline::checkRasterExtension(const std::string &path)
{
    const std::string ext = lowerExtension(path);
    if (ext != ".tif" && ext != ".tiff")
        throw Error("'" + path + "': unknown raster output format '" + ext + "' (use .tif or .tiff)");
}

MaskPipeline::MaskPipeline(const Options &options)
    : mOptions(options)
{
    // Everything that can be refused is refused before a single pixel is computed.
    checkOptions(options);
    const bool areasInM2 = options.areaUnit == SegmentationSettings::AreaUnit::SquareMetres &&
                           (options.minObjectArea > 0.0 || options.maxHoleArea > 0.0);
    if (areasInM2) {
        mAreas = std::make_unique<AreaCalculator>(options.grid.crsWkt);
        if (mAreas->kind() == AreaCalculator::Kind::None)
            throw Error("areas in m2 need a raster with a CRS; '" + options.source +
                        "' has none (give the areas in pixels)");
        mPerRowArea = mAreas->isGeodesic() || !options.grid.transform.isNorthUp();
        mConstantPixelArea = mAreas->pixelArea(options.grid.transform, 0, 0);
    }
    mWantVector = !options.outputs.vector.empty();
    openOutputs();

    std::error_code ec;
    if (!fs::is_directory(options.workDir, ec))
        throw Error("work folder '" + options.workDir + "' does not exist");
    const RasterGrid &grid = options.grid;
    mRaw = std::make_unique<GeoTiffWriter>(scratch("raw.tif"), grid, scratchOptions(GeoTiffWriter::DataType::Byte));
    if (mWantVector) {
        mProb8 =
            std::make_unique<GeoTiffWriter>(scratch("prob8.tif"), grid, scratchOptions(GeoTiffWriter::DataType::Byte));
        mOwner =
            std::make_unique<GeoTiffWriter>(scratch("owner.tif"), grid, scratchOptions(GeoTiffWriter::DataType::Int32));
    }
}

// Output formats, distinct paths and the threshold.
void MaskPipeline::checkOptions(const Options &options)
{
    const QueryOutputs &out = options.outputs;
    if (!out.mask.empty())
        checkRasterExtension(out.mask);
    if (!out.probability.empty())
        checkRasterExtension(out.probability);
    if (!out.vector.empty())
        VectorWriter::driverForPath(out.vector);
    auto same = [](const std::string &a, const std::string &b) {
        std::error_code ec;
        return !a.empty() && !b.empty() && fs::weakly_canonical(fs::absolute(a), ec) == fs::weakly_canonical(fs::absolute(b), ec);
    };
    if (same(out.mask, out.probability) || same(out.mask, out.vector) || same(out.probability, out.vector))
        throw Error("two outputs of query '" + options.query + "' have the same path");
    if (!(options.threshold > 0.0 && options.threshold < 1.0))
        throw Error("threshold must lie strictly between 0 and 1");
}

// The user's outputs, opened now (an existing file without overwrite, an unwritable folder
// fail here); they appear at their paths in commit().
void MaskPipeline::openOutputs()
{
    const Options &options = mOptions;
    const QueryOutputs &out = options.outputs;
    const RasterGrid &grid = options.grid;
    if (!out.mask.empty()) {
        GeoTiffWriter::Options o;
        o.type = GeoTiffWriter::DataType::Byte;
        o.noData = 255;
        o.colors = GeoTiffWriter::maskColors();
        o.overwrite = options.overwrite;
        o.bandDescription = "mask";
        o.metadata = {{"RSREFSEG_QUERY", options.query},
                      {"RSREFSEG_MODEL", options.model},
                      {"RSREFSEG_SOURCE", options.source},
                      {"RSREFSEG_CREATED", options.created},
                      {"RSREFSEG_THRESHOLD", std::to_string(options.threshold)}};
        mMask = std::make_unique<GeoTiffWriter>(out.mask, grid, o);
    }
    if (!out.probability.empty()) {
        GeoTiffWriter::Options o;
        o.overwrite = options.overwrite;
        o.bandDescription = "probability";
        o.metadata = {{"RSREFSEG_QUERY", options.query},
                      {"RSREFSEG_MODEL", options.model},
                      {"RSREFSEG_SOURCE", options.source},
                      {"RSREFSEG_CREATED", options.created}};
        if (options.probabilityType == SegmentationSettings::ProbabilityType::UInt8) {
            // 0..255 = probability * 255: every value is used, so nodata is an internal mask.
            o.type = GeoTiffWriter::DataType::Byte;
            o.validityMask = true;
            o.metadata["RSREFSEG_SCALE"] = "probability = value / 255";
        } else {
            o.type = GeoTiffWriter::DataType::Float32;
            o.noData = -1.0;
        }
        mProb = std::make_unique<GeoTiffWriter>(out.probability, grid, o);
    }
    if (mWantVector)
        mVector = std::make_unique<VectorWriter>(out.vector, grid.crsWkt,
                                                 std::vector<VectorField>{{"id", VectorField::Integer},
                                                                          {"query", VectorField::String},
                                                                          {"score", VectorField::Real},
                                                                          {"relevance", VectorField::Real},
                                                                          {"iou_pred", VectorField::Real},
                                                                          {"area_m2", VectorField::Real},
                                                                          {"area_px", VectorField::Integer},
                                                                          {"source", VectorField::String},
                                                                          {"model", VectorField::String},
                                                                          {"created", VectorField::String}},
                                                 "rsrefseg", options.overwrite);
}

MaskPipeline::~MaskPipeline()
{
    mRaw.reset();
    mProb8.reset();
    mOwner.reset();
    std::error_code ec;
    for (const std::string &f : mScratchFiles)
        fs::remove(f, ec);
}

std::string MaskPipeline::scratch(const std::string &name)
{
    const std::string p = (fs::path(mOptions.workDir) / (mOptions.scratchPrefix + "_" + name)).string();
    if (std::find(mScratchFiles.begin(), mScratchFiles.end(), p) == mScratchFiles.end())
        mScratchFiles.push_back(p);
    return p;
}

double MaskPipeline::pixelArea(int y) const
{
    if (mOptions.areaUnit == SegmentationSettings::AreaUnit::Pixels)
        return 1.0;
    if (!mPerRowArea)
        return mConstantPixelArea;
    // Geodesic pixel areas depend on latitude: one value per row (north-up rasters; for rotated
    // grids the row's first pixel stands for the row).
    return mAreas->pixelArea(mOptions.grid.transform, 0, y);
}

void MaskPipeline::addRows(int y, const cv::Mat &prob, const cv::Mat &valid, const cv::Mat &owner)
{
    const int n = prob.rows;
    const int w = mOptions.grid.width;
    const float thr = static_cast<float>(mOptions.threshold);
    cv::Mat raw(n, w, CV_8UC1);
    cv::Mat prob8(n, w, CV_8UC1);
    for (int r = 0; r < n; ++r) {
        const float *p = prob.ptr<float>(r);
        const uint8_t *v = valid.ptr<uint8_t>(r);
        uint8_t *m = raw.ptr<uint8_t>(r);
        uint8_t *q = prob8.ptr<uint8_t>(r);
        for (int x = 0; x < w; ++x) {
            m[x] = v[x] ? (p[x] > thr ? 1 : 0) : 255;
            q[x] = v[x] ? static_cast<uint8_t>(std::lround(std::clamp(p[x], 0.0f, 1.0f) * 255.0f)) : 0;
        }
    }
    mRaw->writeRows(y, raw);
    if (mProb8)
        mProb8->writeRows(y, prob8);
    if (mOwner)
        mOwner->writeRows(y, owner);
    if (mProb) {
        if (mOptions.probabilityType == SegmentationSettings::ProbabilityType::UInt8) {
            mProb->writeRows(y, prob8, valid);
        } else {
            cv::Mat f = prob.clone();
            f.setTo(cv::Scalar::all(-1.0), valid == 0);
            mProb->writeRows(y, f);
        }
    }
}

std::string MaskPipeline::filterPass(const std::string &input, bool removeObjects, Feedback *feedback)
{
    const RasterGrid &grid = mOptions.grid;
    ComponentLabeller lab(grid.width, grid.height);
    cv::Mat rows;
    int y0 = 0;
    {
        BlockRowReader reader(input, 1, CV_8UC1, kBlockRows);
        while (reader.next(rows, y0)) {
            if (feedback)
                feedback->throwIfCancelled();
            for (int r = 0; r < rows.rows; ++r)
                lab.addRow(rows.ptr<uint8_t>(r), pixelArea(y0 + r));
        }
    }
    lab.finish();
    const std::string output = scratch(removeObjects ? "objects.tif" : "holes.tif");
    GeoTiffWriter writer(output, grid, scratchOptions(GeoTiffWriter::DataType::Byte));
    BlockRowReader reader(input, 1, CV_8UC1, kBlockRows);
    while (reader.next(rows, y0)) {
        if (feedback)
            feedback->throwIfCancelled();
        for (int r = 0; r < rows.rows; ++r) {
            uint8_t *row = rows.ptr<uint8_t>(r);
            lab.relabelRow(row, [&](int x0, int x1, int32_t c) {
                const ComponentLabeller::Component &comp = lab.component(c);
                if (removeObjects && comp.cls == ComponentLabeller::Object && comp.area < mOptions.minObjectArea)
                    std::fill(row + x0, row + x1, uint8_t(0));
                else if (!removeObjects && comp.cls == ComponentLabeller::Background && !comp.touchesEdge &&
                         comp.area < mOptions.maxHoleArea)
                    std::fill(row + x0, row + x1, uint8_t(1));
            });
        }
        writer.writeRows(y0, rows);
    }
    writer.commit();
    return output;
}

void MaskPipeline::countRow(const uint8_t *row)
{
    for (int x = 0; x < mOptions.grid.width; ++x) {
        mObjectPixels += row[x] == 1;
        mValidPixels += row[x] != 255;
    }
}

void MaskPipeline::finalPass(const std::string &input, const std::vector<TileValues> &tiles, Feedback *feedback,
                             const std::function<void(const std::string &, double)> &progress)
{
    if (!mWantVector) {
        maskPass(input, feedback);
        return;
    }
    ComponentLabeller lab(mOptions.grid.width, mOptions.grid.height);
    labelComponents(input, tiles, lab, feedback, progress);
    lab.finish();
    const std::string labelsPath = writeLabels(input, lab, feedback, progress);
    polygonize(labelsPath, lab, feedback, progress);
}

// Without polygons: count the pixels, and write the mask when one is wanted.
void MaskPipeline::maskPass(const std::string &input, Feedback *feedback)
{
    cv::Mat rows;
    int y0 = 0;
    BlockRowReader reader(input, 1, CV_8UC1, kBlockRows);
    if (!mMask) {
        while (reader.next(rows, y0))
            for (int r = 0; r < rows.rows; ++r)
                countRow(rows.ptr<uint8_t>(r));
        return;
    }
    while (reader.next(rows, y0)) {
        if (feedback)
            feedback->throwIfCancelled();
        for (int r = 0; r < rows.rows; ++r)
            countRow(rows.ptr<uint8_t>(r));
        mMask->writeRows(y0, rows);
    }
}

// Polygons, pass 1: components with their statistics (probability, owning tiles' values).
void MaskPipeline::labelComponents(const std::string &input, const std::vector<TileValues> &tiles,
                                   ComponentLabeller &lab, Feedback *feedback,
                                   const std::function<void(const std::string &, double)> &progress)
{
    const RasterGrid &grid = mOptions.grid;
    BlockRowReader mask(input, 1, CV_8UC1, kBlockRows);
    BlockRowReader prob(scratch("prob8.tif"), 1, CV_8UC1, kBlockRows);
    BlockRowReader owner(scratch("owner.tif"), 1, CV_32SC1, kBlockRows);
    cv::Mat rows;
    cv::Mat probRows;
    cv::Mat ownerRows;
    int y0 = 0;
    int py = 0;
    int oy = 0;
    std::vector<float> relevance(static_cast<size_t>(grid.width));
    std::vector<float> iou(static_cast<size_t>(grid.width));
    while (mask.next(rows, y0) && prob.next(probRows, py) && owner.next(ownerRows, oy)) {
        if (feedback)
            feedback->throwIfCancelled();
        for (int r = 0; r < rows.rows; ++r) {
            const int32_t *o = ownerRows.ptr<int32_t>(r);
            for (int x = 0; x < grid.width; ++x) {
                const bool known = o[x] >= 0 && static_cast<size_t>(o[x]) < tiles.size();
                relevance[static_cast<size_t>(x)] = known ? tiles[static_cast<size_t>(o[x])].relevance : 0.0f;
                iou[static_cast<size_t>(x)] = known ? tiles[static_cast<size_t>(o[x])].iou : 0.0f;
            }
            lab.addRow(rows.ptr<uint8_t>(r), pixelArea(y0 + r), {probRows.ptr<uint8_t>(r), relevance.data(), iou.data()});
        }
        if (progress)
            progress("components", 0.4 * (y0 + rows.rows) / grid.height);
    }
}

// Polygons, pass 2: the final mask and a label raster for the polygons; returns its path.
std::string MaskPipeline::writeLabels(const std::string &input, ComponentLabeller &lab, Feedback *feedback,
                                      const std::function<void(const std::string &, double)> &progress)
{
    const RasterGrid &grid = mOptions.grid;
    const std::string labelsPath = scratch("labels.tif");
    // Always with a geotransform: polygons of a raster without georeference then come out in
    // the pixel coordinates QGIS shows it in (GeoTransform::pixelCoordinates), not y down.
    RasterGrid labelGrid = grid;
    labelGrid.hasTransform = true;
    GeoTiffWriter labels(labelsPath, labelGrid, scratchOptions(GeoTiffWriter::DataType::Int32));
    BlockRowReader reader(input, 1, CV_8UC1, kBlockRows);
    cv::Mat rows;
    cv::Mat labelRows;
    int y0 = 0;
    while (reader.next(rows, y0)) {
        if (feedback)
            feedback->throwIfCancelled();
        labelRows.create(rows.rows, grid.width, CV_32SC1);
        for (int r = 0; r < rows.rows; ++r) {
            const uint8_t *row = rows.ptr<uint8_t>(r);
            countRow(row);
            int32_t *l = labelRows.ptr<int32_t>(r);
            lab.relabelRow(row, [&](int x0, int x1, int32_t c) {
                std::fill(l + x0, l + x1, lab.component(c).objectNumber);
            });
        }
        labels.writeRows(y0, labelRows);
        if (mMask)
            mMask->writeRows(y0, rows);
        if (progress)
            progress("components", 0.4 + 0.3 * (y0 + rows.rows) / grid.height);
    }
    labels.commit();
    return labelsPath;
}

// Polygons, streamed from GDALPolygonize straight into the vector output.
void MaskPipeline::polygonize(const std::string &labelsPath, const ComponentLabeller &lab, Feedback *feedback,
                              const std::function<void(const std::string &, double)> &progress)
{
    const RasterGrid &grid = mOptions.grid;
    std::vector<int32_t> componentOfObject(static_cast<size_t>(lab.objectCount()) + 1, -1);
    for (int32_t c = 0; c < lab.componentCount(); ++c)
        if (lab.component(c).cls == ComponentLabeller::Object)
            componentOfObject[static_cast<size_t>(lab.component(c).objectNumber)] = c;
    const AreaCalculator areas(grid.crsWkt);
    const double tolerance = mOptions.simplifyTolerance ? *mOptions.simplifyTolerance
                                                        : std::min(grid.transform.pixelWidth(), grid.transform.pixelHeight());
    MaskPolygonizer::run(
        labelsPath,
        [&](int64_t label, const OGRPolygon &polygon) {
            if (label <= 0 || label >= static_cast<int64_t>(componentOfObject.size()))
                throw Error("polygonize returned an unknown label " + std::to_string(label));
            const ComponentLabeller::Component &comp = lab.component(componentOfObject[static_cast<size_t>(label)]);
            std::unique_ptr<OGRGeometry> simplified;
            if (tolerance > 0.0) {
                simplified.reset(polygon.SimplifyPreserveTopology(tolerance));
                if (simplified && simplified->IsEmpty())
                    simplified.reset();
            }
            const OGRGeometry &g = simplified ? *simplified : static_cast<const OGRGeometry &>(polygon);
            PolygonReport rep;
            rep.id = label;
            rep.areaPixels = comp.pixels;
            rep.score = comp.pixels ? comp.sumProbability / static_cast<double>(comp.pixels) : 0.0;
            rep.relevance = comp.maxRelevance;
            rep.iou = comp.pixels ? comp.sumIou / static_cast<double>(comp.pixels) : 0.0;
            rep.areaM2 = areas.kind() == AreaCalculator::Kind::None ? -1.0 : areas.area(g);
            mVector->addGeometry(g, {rep.id, mOptions.query, rep.score, rep.relevance, rep.iou, rep.areaM2,
                                     rep.areaPixels, mOptions.source, mOptions.model, mOptions.created});
            ++mPolygonCount;
            if (mPolygons.size() < mOptions.maxPolygonReports)
                mPolygons.push_back(rep);
        },
        [&](double f) {
            if (progress)
                progress("polygons", 0.7 + 0.3 * std::clamp(f, 0.0, 1.0)); // GDAL overshoots 1 a little
            return !(feedback && feedback->isCancelled());
        });
    std::sort(mPolygons.begin(), mPolygons.end(),
              [](const PolygonReport &a, const PolygonReport &b) { return a.id < b.id; });
}

void MaskPipeline::finish(const std::vector<TileValues> &tiles, Feedback *feedback,
                          const std::function<void(const std::string &, double)> &progress)
{
    if (mFinished)
        return;
    const auto t0 = std::chrono::steady_clock::now();
    mRaw->commit();
    if (mProb8)
        mProb8->commit();
    if (mOwner)
        mOwner->commit();
    std::string current = scratch("raw.tif");
    if (mOptions.minObjectArea > 0.0) {
        if (progress)
            progress("small objects", 0.0);
        current = filterPass(current, true, feedback);
    }
    if (mOptions.maxHoleArea > 0.0) {
        if (progress)
            progress("holes", 0.0);
        current = filterPass(current, false, feedback);
    }
    finalPass(current, tiles, feedback, progress);
    // Close the outputs now (a full disk shows here), rename them in commit().
    if (mMask)
        mMask->close();
    if (mProb)
        mProb->close();
    mFinished = true;
    mPostSeconds = secondsSince(t0);
}

void MaskPipeline::commit()
{
    if (!mFinished)
        throw Error("MaskPipeline: finish() before commit()");
    // The vector output first: its close (GeoPackage transaction, flush) is the likeliest to fail.
    if (mVector)
        mVector->commit();
    if (mProb)
        mProb->commit();
    if (mMask)
        mMask->commit();
}

} // namespace rsrefseg
