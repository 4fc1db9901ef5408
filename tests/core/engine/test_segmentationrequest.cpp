// SegmentationRequest::validate: the one check of a request that the CLI, the desktop and the
// engine share: settings first, then the queries (at least one, none blank), then one set of
// outputs per query (or none). The engine refuses an invalid request with the same words
// before it opens the raster.
#include "common/error.h"
#include "engine/colourtestmodel.h"
#include "engine/segmentationengine.h"
#include "engine/segmentationrequest.h"

#include <QtTest>

#include <functional>

using namespace rsrefseg;

namespace {

QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

SegmentationRequest valid()
{
    SegmentationRequest r;
    r.raster = "/no/such/raster.tif";
    r.queries = {"the red roofs", "  pools  "};
    return r;
}

} // namespace

class TestSegmentationRequest : public QObject
{
    Q_OBJECT

  private slots:
    void acceptsAValidRequest()
    {
        SegmentationRequest r = valid();
        r.validate();
        r.outputs = {{"a.tif", "", ""}, {"", "", "b.gpkg"}};
        r.validate();
    }

    void refusesWithOneClearError_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("no query") << 0 << "no query given";
        QTest::newRow("blank query") << 1 << "query 2 is empty";
        QTest::newRow("outputs for some queries") << 2 << "one set of outputs per query is needed (1 for 2 queries)";
        QTest::newRow("bad setting") << 3 << "tile size must be at least 16 pixels, got 8";
        QTest::newRow("bad region") << 4 << "region must satisfy minx < maxx and miny < maxy";
        QTest::newRow("settings before queries") << 5 << "gate threshold must lie in [0, 1)";
    }

    void refusesWithOneClearError()
    {
        QFETCH(int, kind);
        QFETCH(QString, message);
        SegmentationRequest r = valid();
        switch (kind) {
        case 0: r.queries.clear(); break;
        case 1: r.queries[1] = " \t"; break;
        case 2: r.outputs = {{"a.tif", "", ""}}; break;
        case 3: r.settings.tileSize = 8; break;
        case 4: r.settings.region = MapBox{10, 0, 5, 10}; break;
        case 5:
            r.settings.gateThreshold = 1.0;
            r.queries.clear();
            break;
        }
        QCOMPARE(errorOf([&] { r.validate(); }), message);
        // The engine says the same, before it looks for the raster (which does not exist).
        SegmentationEngine engine(std::make_shared<ColourTestModel>());
        QCOMPARE(errorOf([&] { engine.run(r); }), message);
    }
};

QTEST_GUILESS_MAIN(TestSegmentationRequest)
#include "test_segmentationrequest.moc"
