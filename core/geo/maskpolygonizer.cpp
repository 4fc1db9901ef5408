#include "geo/maskpolygonizer.h"

#include "common/error.h"
#include "geo/gdalhandles.h"

#include <gdal_alg.h>
#include <ogrsf_frmts.h>

#include <exception>

namespace rsrefseg {

namespace {

// An OGR layer that only receives features and passes them on: GDALPolygonize streams into it.
class CallbackLayer : public OGRLayer
{
  public:
    explicit CallbackLayer(const MaskPolygonizer::Sink &sink)
        : mSink(sink)
        , mDefn(new OGRFeatureDefn("polygons"))
    {
        mDefn->Reference();
        mDefn->SetGeomType(wkbPolygon);
        OGRFieldDefn field("label", OFTInteger);
        mDefn->AddFieldDefn(&field);
        SetDescription("polygons");
    }
    ~CallbackLayer() override { mDefn->Release(); }

    OGRFeatureDefn *GetLayerDefn() override { return mDefn; }
    void ResetReading() override {}
    OGRFeature *GetNextFeature() override { return nullptr; }
    int TestCapability(const char *cap) override { return EQUAL(cap, OLCSequentialWrite); }

    std::exception_ptr error;

  protected:
    OGRErr ICreateFeature(OGRFeature *feature) override
    {
        if (error)
            return OGRERR_FAILURE;
        try {
            const OGRGeometry *g = feature->GetGeometryRef();
            if (g && wkbFlatten(g->getGeometryType()) == wkbPolygon)
                mSink(feature->GetFieldAsInteger64(0), *g->toPolygon());
        } catch (...) {
            error = std::current_exception();
            return OGRERR_FAILURE;
        }
        return OGRERR_NONE;
    }

  private:
    const MaskPolygonizer::Sink &mSink;
    OGRFeatureDefn *mDefn;
};

struct ProgressState
{
    const std::function<bool(double)> *progress = nullptr;
    GDALDataset *dataset = nullptr;
    int calls = 0;
    bool cancelled = false;
};

int CPL_STDCALL onProgress(double complete, const char *, void *arg)
{
    auto *state = static_cast<ProgressState *>(arg);
    // GDALPolygonize reads the raster line by line (twice) through GDAL's block cache, which
    // would otherwise keep the whole raster (up to GDAL_CACHEMAX, 5 % of RAM by default).
    // Between lines no block is in use: drop what has been read.
    if (++state->calls % 64 == 0)
        state->dataset->FlushCache(false);
    if (state->progress && *state->progress && !(*state->progress)(complete)) {
        state->cancelled = true;
        return FALSE;
    }
    return TRUE;
}

} // namespace

void MaskPolygonizer::run(const std::string &labelRasterPath, const Sink &sink,
                          const std::function<bool(double)> &progress)
{
    ensureGdalRegistered();
    GdalQuietErrors quiet;
    GdalDatasetPtr ds(GDALDataset::FromHandle(
        GDALOpenEx(labelRasterPath.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
    if (!ds)
        throw Error("cannot open '" + labelRasterPath + "': " + CPLGetLastErrorMsg());
    GDALRasterBand *band = ds->GetRasterBand(1);
    CallbackLayer layer(sink);
    ProgressState state{&progress, ds.get(), 0, false};
    // The label band is its own mask: GDAL reads it as bytes (saturating), so every label > 0
    // is included and 0 is left out.
    const CPLErr err = GDALPolygonize(GDALRasterBand::ToHandle(band), GDALRasterBand::ToHandle(band),
                                      OGRLayer::ToHandle(&layer), 0, nullptr, onProgress, &state);
    if (layer.error)
        std::rethrow_exception(layer.error);
    if (state.cancelled)
        throw CancelledError();
    if (err != CE_None)
        throw Error("cannot polygonize '" + labelRasterPath + "': " + CPLGetLastErrorMsg());
}

} // namespace rsrefseg
