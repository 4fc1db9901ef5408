#include "engine/componentlabeller.h"

#include "common/error.h"

#include <algorithm>
#include <limits>

namespace rsrefseg {

ComponentLabeller::ComponentLabeller(int width, int height)
    : mWidth(width)
    , mHeight(height)
{
    if (width <= 0 || height <= 0)
        throw Error("ComponentLabeller: empty image");
}

void ComponentLabeller::extractRuns(const uint8_t *classes, std::vector<Run> &runs)
{
    runs.clear();
    int x = 0;
    while (x < mWidth) {
        const uint8_t c = classOf(classes[x]);
        int e = x + 1;
        while (e < mWidth && classOf(classes[e]) == c)
            ++e;
        runs.push_back({x, e, c, 0});
        x = e;
    }
}

uint32_t ComponentLabeller::find(uint32_t x)
{
    while (mParent[x] != x) {
        mParent[x] = mParent[mParent[x]];
        x = mParent[x];
    }
    return x;
}

void ComponentLabeller::unite(uint32_t a, uint32_t b)
{
    a = find(a);
    b = find(b);
    if (a == b)
        return;
    // Keep the smaller label as root: the component's first run stays its root, which
    // numbers objects in raster order of their first pixel.
    if (b < a)
        std::swap(a, b);
    mParent[b] = a;
    Component &ra = mStats[a];
    const Component &rb = mStats[b];
    ra.touchesEdge = ra.touchesEdge || rb.touchesEdge;
    ra.pixels += rb.pixels;
    ra.area += rb.area;
    ra.sumProbability += rb.sumProbability;
    ra.sumIou += rb.sumIou;
    ra.maxRelevance = std::max(ra.maxRelevance, rb.maxRelevance);
}

void ComponentLabeller::markEdge(uint32_t label)
{
    mStats[find(label)].touchesEdge = true;
}

void ComponentLabeller::addRow(const uint8_t *classes, double pixelArea)
{
    addRow(classes, pixelArea, RowValues());
}

void ComponentLabeller::assignLabels(bool firstPass)
{
    // A run continues the label of the first same-class run above it that it touches; only a
    // run touching none starts a new label. Labels therefore number component "births" (about
    // the components), not runs: memory stays small on huge rasters. Both passes apply the
    // same rule to the same rows, so they assign the same labels.
    size_t i = 0;
    for (Run &c : mCur) {
        while (i < mPrev.size() && mPrev[i].x1 <= c.x0)
            ++i;
        c.label = kNone;
        for (size_t k = i; k < mPrev.size() && mPrev[k].x0 < c.x1; ++k) {
            const Run &p = mPrev[k];
            if (p.cls != c.cls)
                continue;
            if (c.label == kNone)
                c.label = p.label;
            else if (firstPass)
                unite(p.label, c.label);
        }
        if (c.label == kNone) {
            if (mNextLabel == kNone)
                throw Error("ComponentLabeller: too many components");
            c.label = mNextLabel++;
            if (firstPass) {
                mParent.push_back(c.label);
                Component comp;
                comp.cls = c.cls;
                mStats.push_back(comp);
            }
        }
    }
}

void ComponentLabeller::addRow(const uint8_t *classes, double pixelArea, const RowValues &values)
{
    if (mFinished || mRow >= mHeight)
        throw Error("ComponentLabeller: more rows than the image has");
    extractRuns(classes, mCur);
    assignLabels(true);
    const bool borderRow = mRow == 0 || mRow == mHeight - 1;
    for (const Run &r : mCur) {
        Component &c = mStats[find(r.label)];
        if (borderRow || r.x0 == 0 || r.x1 == mWidth)
            c.touchesEdge = true;
        c.pixels += r.x1 - r.x0;
        c.area += static_cast<double>(r.x1 - r.x0) * pixelArea;
        if (r.cls == Object) {
            for (int x = r.x0; x < r.x1; ++x) {
                if (values.probability)
                    c.sumProbability += values.probability[x] / 255.0;
                if (values.iou)
                    c.sumIou += values.iou[x];
                if (values.relevance)
                    c.maxRelevance = std::max(c.maxRelevance, values.relevance[x]);
            }
        }
    }
    // Background next to nodata (in the row, or above/below) is not a hole.
    for (size_t i = 0; i + 1 < mCur.size(); ++i) {
        const Run &a = mCur[i];
        const Run &b = mCur[i + 1];
        if (a.cls == Background && b.cls == NoData)
            markEdge(a.label);
        else if (a.cls == NoData && b.cls == Background)
            markEdge(b.label);
    }
    size_t i = 0;
    size_t j = 0;
    while (i < mPrev.size() && j < mCur.size()) {
        const Run &p = mPrev[i];
        const Run &c = mCur[j];
        if (p.x0 < c.x1 && c.x0 < p.x1) {
            if (p.cls == Background && c.cls == NoData)
                markEdge(p.label);
            else if (p.cls == NoData && c.cls == Background)
                markEdge(c.label);
        }
        if (p.x1 < c.x1)
            ++i;
        else
            ++j;
    }
    std::swap(mPrev, mCur);
    ++mRow;
}

void ComponentLabeller::finish()
{
    if (mFinished)
        return;
    if (mRow != mHeight)
        throw Error("ComponentLabeller: " + std::to_string(mRow) + " of " + std::to_string(mHeight) + " rows given");
    mFinished = true;
    mComponentOf.assign(mParent.size(), -1);
    mPrev.clear();
    mNextLabel = 0;
    for (uint32_t l = 0; l < mParent.size(); ++l) {
        const uint32_t r = find(l);
        if (r == l) {
            mComponentOf[l] = static_cast<int32_t>(mComponents.size());
            Component c = mStats[l];
            if (c.cls == Object)
                c.objectNumber = ++mObjects;
            mComponents.push_back(c);
        }
    }
    for (uint32_t l = 0; l < mParent.size(); ++l)
        mComponentOf[l] = mComponentOf[find(l)];
    // Only the label -> component map is needed from here on.
    std::vector<uint32_t>().swap(mParent);
    std::vector<Component>().swap(mStats);
}

void ComponentLabeller::relabelRow(const uint8_t *classes, const RunSink &sink)
{
    if (!mFinished)
        throw Error("ComponentLabeller: finish() the first pass before relabelling");
    if (mReplayRow >= mHeight)
        throw Error("ComponentLabeller: more rows than the image has");
    extractRuns(classes, mCur);
    assignLabels(false);
    for (const Run &r : mCur) {
        if (r.label >= mComponentOf.size())
            throw Error("ComponentLabeller: the second pass differs from the first");
        const int32_t c = mComponentOf[r.label];
        if (mComponents[static_cast<size_t>(c)].cls != r.cls)
            throw Error("ComponentLabeller: the second pass differs from the first");
        sink(r.x0, r.x1, c);
    }
    std::swap(mPrev, mCur);
    ++mReplayRow;
}

} // namespace rsrefseg
