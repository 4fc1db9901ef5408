// LayerTreeModel: ids, order (topmost first), visibility through the check state, renaming,
// moving, removal, and the signals the canvas relies on.
#include "ui/layertreemodel.h"
#include "ui/rasterlayer.h"
#include "ui/resultlayer.h"

#include <QSignalSpy>
#include <QTest>

using namespace rsrefseg;

namespace {

RasterInfo info(int w, int h)
{
    RasterInfo i;
    i.path = "/data/scene.tif";
    i.width = w;
    i.height = h;
    i.geoTransform = GeoTransform({1000.0, 2.0, 0.0, 5000.0, 0.0, -2.0});
    i.hasGeoTransform = true;
    BandInfo b;
    b.index = 1;
    b.dataType = "Byte";
    i.bands = {b};
    return i;
}

std::shared_ptr<RasterLayer> raster(int w = 100, int h = 50)
{
    const RasterInfo i = info(w, h);
    return std::make_shared<RasterLayer>(i, BandSelection::parse("1", i), ContrastStretch::identity(1));
}

} // namespace

class TestLayerTreeModel : public QObject
{
    Q_OBJECT
  private slots:
    void rasterExtentFollowsTheGeotransform()
    {
        const auto r = raster(100, 50);
        const MapBox e = r->extent();
        QCOMPARE(e.minX, 1000.0);
        QCOMPARE(e.maxX, 1200.0);
        QCOMPARE(e.minY, 4900.0);
        QCOMPARE(e.maxY, 5000.0);
        QCOMPARE(r->name(), QStringLiteral("scene"));
    }

    void addOrderAndIds()
    {
        LayerTreeModel m;
        QSignalSpy added(&m, &LayerTreeModel::layerAdded);
        const int a = m.addLayer(raster());
        const int b = m.addLayer(raster());
        QVERIFY(a != b);
        QCOMPARE(added.size(), 2);
        QCOMPARE(m.rowCount(), 2);
        QCOMPARE(m.idAt(m.index(0)), b); // newest on top
        QCOMPARE(m.layersBottomUp().front()->id(), a);
        const int c = m.addLayer(raster(), a); // just above a
        QCOMPARE(m.idAt(m.index(1)), c);
    }

    void checkStateIsVisibility()
    {
        LayerTreeModel m;
        const int a = m.addLayer(raster());
        QSignalSpy changed(&m, &LayerTreeModel::layerChanged);
        QVERIFY(m.setData(m.indexOf(a), Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(!m.layer(a)->isVisible());
        QCOMPARE(changed.size(), 1);
        QCOMPARE(m.data(m.indexOf(a), Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
        QVERIFY(!m.topRasterLayer() || m.topRasterLayer()->id() == a); // hidden rasters still count
    }

    void renameMoveRemove()
    {
        LayerTreeModel m;
        const int a = m.addLayer(raster());
        const int b = m.addLayer(raster());
        QVERIFY(m.setData(m.indexOf(a), QStringLiteral("  roofs  "), Qt::EditRole));
        QCOMPARE(m.layer(a)->name(), QStringLiteral("roofs"));
        QVERIFY(!m.setData(m.indexOf(a), QStringLiteral("   "), Qt::EditRole)); // empty names refused
        m.moveLayer(a, -1);
        QCOMPARE(m.idAt(m.index(0)), a);
        QCOMPARE(m.idAt(m.index(1)), b);
        QSignalSpy removed(&m, &LayerTreeModel::layerRemoved);
        m.removeLayer(a);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(m.count(), 1);
        QVERIFY(!m.layer(a));
    }

    void resultLayerKnowsItsTilesAndExtent()
    {
        LayerTreeModel m;
        SegmentationRequest req;
        req.settings.mode = SegmentationSettings::Mode::Tiled;
        req.settings.tileSize = 32;
        req.settings.overlap = 8;
        const RasterInfo i = info(100, 50);
        auto r = std::make_shared<ResultLayer>(QStringLiteral("ships"), i, req, PixelWindow{10, 0, 80, 50});
        const int id = m.addLayer(r);
        QCOMPARE(m.resultLayer(id)->query(), QStringLiteral("ships"));
        QVERIFY(!m.rasterLayer(id));
        const MapBox e = r->extent();
        QCOMPARE(e.minX, 1020.0);
        QCOMPARE(e.maxX, 1180.0);
        // 80 x 50 with 32 px tiles and 8 px overlap: starts 0,24,48 x 0,18 -> 3 x 2 tiles.
        QCOMPARE(int(r->tiles().size()), 6);
        QCOMPARE(r->tiles()[1].tile.valid.x, 10 + 24); // in source raster pixels
        QCOMPARE(r->reportedTiles(), 0);
        QCOMPARE(r->tileIndexAt(40, 10), -1); // nothing reported yet
        m.setResultColour(id, Qt::red);
        QCOMPARE(r->colour(), QColor(Qt::red));
    }
};

QTEST_MAIN(TestLayerTreeModel)
#include "test_layertreemodel.moc"
