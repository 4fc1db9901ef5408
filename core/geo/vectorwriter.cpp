#include "geo/vectorwriter.h"

#include "common/error.h"

#include <cpl_error.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace rsrefseg {

std::string VectorWriter::driverForPath(const std::string &path)
{
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".gpkg")
        return "GPKG";
    if (ext == ".shp")
        return "ESRI Shapefile";
    if (ext == ".geojson" || ext == ".json")
        return "GeoJSON";
    if (ext == ".fgb")
        return "FlatGeobuf";
    throw Error("'" + path + "': unknown vector format '" + ext + "' (use .gpkg, .shp, .geojson or .fgb)");
}

VectorWriter::VectorWriter(const std::string &path, const std::string &crsWkt, const std::vector<VectorField> &fields,
                           const std::string &layerName, bool overwrite)
    : mFields(fields)
    , mPath(path)
{
    const std::string driverName = driverForPath(path);
    ensureGdalRegistered();
    mOutput = std::make_unique<AtomicOutput>(path, overwrite);
    GdalQuietErrors quiet;
    GDALDriver *driver = GetGDALDriverManager()->GetDriverByName(driverName.c_str());
    if (!driver)
        throw Error("'" + path + "': GDAL has no " + driverName + " driver");
    mDataset.reset(driver->Create(mOutput->tempPath().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!mDataset)
        throw Error("cannot create '" + path + "': " + CPLGetLastErrorMsg());

    OgrSpatialReferencePtr srs;
    if (!crsWkt.empty()) {
        srs.reset(new OGRSpatialReference());
        srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (srs->importFromWkt(crsWkt.c_str()) != OGRERR_NONE)
            throw Error("cannot create '" + path + "': the CRS cannot be parsed");
    }
    char **options = nullptr;
    if (driverName == "GeoJSON")
        options = CSLSetNameValue(options, "WRITE_NAME", "NO");
    mLayer = mDataset->CreateLayer(layerName.c_str(), srs.get(), wkbPolygon, options);
    CSLDestroy(options);
    if (!mLayer)
        throw Error("cannot create layer in '" + path + "': " + CPLGetLastErrorMsg());
    for (const VectorField &f : fields) {
        const OGRFieldType type = f.type == VectorField::Integer ? OFTInteger64
                                  : f.type == VectorField::Real  ? OFTReal
                                                                 : OFTString;
        OGRFieldDefn defn(f.name.c_str(), type);
        if (mLayer->CreateField(&defn) != OGRERR_NONE)
            throw Error("cannot create field '" + f.name + "' in '" + path + "': " + CPLGetLastErrorMsg());
    }
    if (driverName == "GPKG" && mLayer->StartTransaction() != OGRERR_NONE)
        throw Error("cannot write '" + path + "': " + CPLGetLastErrorMsg());
}

VectorWriter::~VectorWriter()
{
    mDataset.reset(); // close before AtomicOutput removes the temporary files
}

void VectorWriter::addPolygon(const std::vector<Ring> &rings, const std::vector<VectorValue> &values)
{
    OGRPolygon polygon;
    for (const Ring &ring : rings) {
        OGRLinearRing r;
        for (const auto &p : ring)
            r.addPoint(p.first, p.second);
        r.closeRings();
        polygon.addRing(&r);
    }
    addGeometry(polygon, values);
}

void VectorWriter::addGeometry(const OGRGeometry &geometry, const std::vector<VectorValue> &values)
{
    if (values.size() != mFields.size())
        throw Error("VectorWriter: " + std::to_string(values.size()) + " values for " + std::to_string(mFields.size()) +
                    " fields");
    GdalQuietErrors quiet;
    OGRFeature feature(mLayer->GetLayerDefn());
    for (size_t i = 0; i < values.size(); ++i) {
        const int idx = static_cast<int>(i);
        if (const auto *v = std::get_if<int64_t>(&values[i]))
            feature.SetField(idx, static_cast<GIntBig>(*v));
        else if (const auto *d = std::get_if<double>(&values[i]))
            feature.SetField(idx, *d);
        else
            feature.SetField(idx, std::get<std::string>(values[i]).c_str());
    }
    feature.SetGeometry(&geometry);
    if (mLayer->CreateFeature(&feature) != OGRERR_NONE)
        throw Error("cannot write a feature to '" + mPath + "': " + CPLGetLastErrorMsg());
    ++mCount;
}

void VectorWriter::commit()
{
    GdalQuietErrors quiet;
    if (mLayer && driverForPath(mPath) == "GPKG" && mLayer->CommitTransaction() != OGRERR_NONE)
        throw Error("cannot write '" + mPath + "': " + CPLGetLastErrorMsg());
    mLayer = nullptr;
    // Closing flushes; errors at close (e.g. disk full) must not leave a file behind.
    GDALDataset *ds = mDataset.release();
    CPLErrorReset();
    GDALClose(GDALDataset::ToHandle(ds));
    if (CPLGetLastErrorType() >= CE_Failure)
        throw Error("cannot write '" + mPath + "': " + CPLGetLastErrorMsg());
    mOutput->commit();
}

} // namespace rsrefseg
