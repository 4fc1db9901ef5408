// ComponentLabeller: connected components of a class image (0 background, 1 object, anything
// else nodata) streamed row by row in two passes, so that rasters of any height are labelled
// with memory proportional to the number of components, not pixels or runs: a run continues
// the label of the run above it, and a union-find joins labels that meet. 4-connectivity for
// every class, like GDALPolygonize's default, so that each object component becomes exactly
// one polygon.
//
// Pass 1 (addRow) measures each component: pixels, area (per-row pixel area: geodesic areas
// vary with latitude), whether it touches the image border or nodata (a background component
// that does not is a hole), and optional per-pixel statistics (probability, owning tile's
// relevance and IoU). Pass 2 (relabelRow) replays the same rows and names each run's component.
//
//   ComponentLabeller lab(width, height);
//   for (y...) lab.addRow(classes[y], pixelArea(y));
//   lab.finish();
//   for (y...) lab.relabelRow(classes[y], [&](int x0, int x1, int32_t c) {
//       if (lab.component(c).cls == 1 && lab.component(c).area < minArea) ...; });
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace rsrefseg {

class ComponentLabeller
{
  public:
    enum Class : uint8_t { Background = 0, Object = 1, NoData = 2 };

    struct Component
    {
        uint8_t cls = Background;
        bool touchesEdge = false; // image border, or (background only) a nodata pixel
        int64_t pixels = 0;
        double area = 0.0;        // sum of the rows' pixel areas
        double sumProbability = 0.0;
        double sumIou = 0.0;
        float maxRelevance = 0.0f;
        int32_t objectNumber = 0; // objects: 1..objectCount() in order of first pixel; else 0
    };

    // Optional per-pixel values accumulated into the components of pass 1.
    struct RowValues
    {
        const uint8_t *probability = nullptr; // 0..255 (stored as value / 255)
        const float *relevance = nullptr;     // max over the component
        const float *iou = nullptr;           // summed (mean = sumIou / pixels)
    };

    using RunSink = std::function<void(int x0, int x1, int32_t component)>;

    ComponentLabeller(int width, int height);

    void addRow(const uint8_t *classes, double pixelArea);
    void addRow(const uint8_t *classes, double pixelArea, const RowValues &values);
    void finish();
    void relabelRow(const uint8_t *classes, const RunSink &sink);

    int32_t componentCount() const { return static_cast<int32_t>(mComponents.size()); }
    const Component &component(int32_t index) const { return mComponents[static_cast<size_t>(index)]; }
    int32_t objectCount() const { return mObjects; }
    // Labels created by the first pass (components plus merges): what memory scales with.
    uint64_t labelCount() const { return mComponentOf.size(); }

    static uint8_t classOf(uint8_t value) { return value == 0 ? Background : value == 1 ? Object : NoData; }

  private:
    struct Run
    {
        int x0;
        int x1;
        uint8_t cls;
        uint32_t label;
    };
    static constexpr uint32_t kNone = 0xffffffffu;
    void extractRuns(const uint8_t *classes, std::vector<Run> &runs);
    void assignLabels(bool firstPass);
    uint32_t find(uint32_t x);
    void unite(uint32_t a, uint32_t b);
    void markEdge(uint32_t label);

    int mWidth;
    int mHeight;
    int mRow = 0;
    bool mFinished = false;
    std::vector<uint32_t> mParent;
    std::vector<Component> mStats; // per label (valid at roots)
    std::vector<Run> mPrev;
    std::vector<Run> mCur;
    // After finish(): label -> component index.
    std::vector<int32_t> mComponentOf;
    std::vector<Component> mComponents;
    int32_t mObjects = 0;
    uint32_t mNextLabel = 0;
    int mReplayRow = 0;
};

} // namespace rsrefseg
