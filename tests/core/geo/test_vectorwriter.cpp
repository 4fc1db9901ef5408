// VectorWriter: every format reopens with the right features, attributes and CRS, and
// nothing is left behind on failure.
#include "crswkt.h"
#include "common/error.h"
#include "geo/vectorwriter.h"

#include <ogrsf_frmts.h>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace rsrefseg;

class TestVectorWriter : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

    static std::string utmWkt() { return rsrefseg::test::wktOfEpsg(32633); }

    void writeSquare(const std::string &p)
    {
        VectorWriter w(p, utmWkt(), {{"id", VectorField::Integer}, {"score", VectorField::Real}, {"query", VectorField::String}},
                       "result", false);
        w.addPolygon({{{500000, 5000000}, {500010, 5000000}, {500010, 4999990}, {500000, 4999990}},
                      {{500002, 4999998}, {500004, 4999998}, {500004, 4999996}, {500002, 4999996}}},
                     {int64_t(7), 0.75, std::string("the white tank")});
        QCOMPARE(w.featureCount(), 1);
        w.commit();
    }

  private slots:
    void formats_data()
    {
        QTest::addColumn<QString>("name");
        QTest::newRow("geojson") << "out.geojson";
        QTest::newRow("gpkg") << "out.gpkg";
        QTest::newRow("shp") << "out.shp";
        QTest::newRow("fgb") << "out.fgb";
    }

    void formats()
    {
        QFETCH(QString, name);
        const std::string p = mDir.filePath(name).toStdString();
        writeSquare(p);
        GDALDataset *ds = GDALDataset::FromHandle(GDALOpenEx(p.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
        QVERIFY(ds);
        OGRLayer *layer = ds->GetLayer(0);
        QCOMPARE(layer->GetFeatureCount(), GIntBig(1));
        OGRSpatialReference *srs = layer->GetSpatialRef();
        QVERIFY(srs);
        srs->AutoIdentifyEPSG();
        QCOMPARE(QString(srs->GetAuthorityCode(nullptr)), QString("32633"));
        OGRFeature *f = layer->GetNextFeature();
        QCOMPARE(f->GetFieldAsInteger64("id"), GIntBig(7));
        QCOMPARE(f->GetFieldAsDouble("score"), 0.75);
        QCOMPARE(QString(f->GetFieldAsString("query")), QString("the white tank"));
        const OGRGeometry *g = f->GetGeometryRef();
        QCOMPARE(wkbFlatten(g->getGeometryType()), wkbPolygon);
        QCOMPARE(g->toPolygon()->get_Area(), 100.0 - 4.0); // outer 10x10 minus a 2x2 hole
        OGRFeature::DestroyFeature(f);
        GDALClose(ds);
        // No temporary folder left next to the output.
        const QStringList hidden = QDir(mDir.path()).entryList(QStringList() << ".*tmp*", QDir::Hidden | QDir::AllEntries);
        QVERIFY2(hidden.isEmpty(), qPrintable(hidden.join(",")));
    }

    void refusesToOverwrite()
    {
        const std::string p = mDir.filePath("twice.geojson").toStdString();
        writeSquare(p);
        QVERIFY_THROWS_EXCEPTION(Error, writeSquare(p));
        VectorWriter again(p, "", {}, "x", true); // allowed with overwrite
        again.commit();
    }

    void unknownExtension()
    {
        QVERIFY_THROWS_EXCEPTION(Error, VectorWriter::driverForPath("out.kml"));
        QVERIFY_THROWS_EXCEPTION(Error, VectorWriter(mDir.filePath("x.txt").toStdString(), "", {}, "x", false));
        QVERIFY(!QFile::exists(mDir.filePath("x.txt")));
    }

    void missingFolder()
    {
        QVERIFY_THROWS_EXCEPTION(Error, VectorWriter(mDir.filePath("nope/x.gpkg").toStdString(), "", {}, "x", false));
    }

    void abandonedWriteLeavesNothing()
    {
        const std::string p = mDir.filePath("abandoned.gpkg").toStdString();
        {
            VectorWriter w(p, utmWkt(), {{"id", VectorField::Integer}}, "x", false);
            w.addPolygon({{{0, 0}, {1, 0}, {1, 1}}}, {int64_t(1)});
            // destroyed without commit, as when an exception unwinds
        }
        QVERIFY(!QFile::exists(QString::fromStdString(p)));
        const QStringList all = QDir(mDir.path()).entryList(QStringList() << "*abandoned*", QDir::Hidden | QDir::AllEntries);
        QVERIFY2(all.isEmpty(), qPrintable(all.join(",")));
    }
};

QTEST_GUILESS_MAIN(TestVectorWriter)
#include "test_vectorwriter.moc"
