// QueryList: query files (comments, blanks, BOM), validation, stable file-name slugs and the
// per-query output names.
#include "common/error.h"
#include "engine/querylist.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace rsrefseg;

class TestQueryList : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

  private slots:
    void initTestCase() { QVERIFY2(mDir.isValid(), "temporary folder"); }

    void load()
    {
        const std::string p = mDir.filePath("q.txt").toStdString();
        std::ofstream(p) << "\xEF\xBB\xBF# storage tanks first\n  the white storage tank  \n\n# comment\nships\r\n";
        const std::vector<std::string> q = QueryList::load(p);
        QCOMPARE(q.size(), size_t(2));
        QCOMPARE(q[0], std::string("the white storage tank"));
        QCOMPARE(q[1], std::string("ships"));
        const std::string empty = mDir.filePath("e.txt").toStdString();
        std::ofstream(empty) << "# nothing\n\n";
        QVERIFY_EXCEPTION_THROWN(QueryList::load(empty), Error);
        QVERIFY_EXCEPTION_THROWN(QueryList::load(mDir.filePath("none.txt").toStdString()), Error);
    }

    void validate()
    {
        QueryList::validate({"a"});
        QVERIFY_EXCEPTION_THROWN(QueryList::validate({}), Error);
        try {
            QueryList::validate({"a", " \t"});
            QFAIL("accepted an empty query");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("query 2") != std::string::npos);
        }
    }

    void slugs()
    {
        const std::string s = QueryList::slug("The white storage-tank, left of the road!");
        QVERIFY(s.rfind("the-white-storage-tank-left-of-the-road-", 0) == 0);
        QCOMPARE(s.size(), std::string("the-white-storage-tank-left-of-the-road-").size() + 8);
        // Pinned: `--resume` finds earlier outputs by these names, so the suffix (32-bit FNV-1a of
        // the query's UTF-8 bytes) must never change. Expected values computed outside this code
        // (Python: h = 2166136261; for b in q.encode(): h = ((h ^ b) * 16777619) % 2**32).
        QCOMPARE(QueryList::slug("ships"), std::string("ships-58dd75e4"));
        QCOMPARE(QueryList::slug("Ships"), std::string("ships-fe9a7a84"));
        QCOMPARE(QueryList::slug("the white tank"), std::string("the-white-tank-f7346657"));
        QCOMPARE(QueryList::slug("港口"), std::string("query-0dbdd5a5"));
        QVERIFY(QueryList::slug("ships") != QueryList::slug("Ships"));  // distinct queries, distinct names
        QVERIFY(QueryList::slug("港口").rfind("query-", 0) == 0);
        QVERIFY(QueryList::slug(std::string(200, 'a')).size() <= 40 + 9);
    }

    void outputs()
    {
        const QueryOutputs base{"out/m.tif", "", "out/v.gpkg"};
        QCOMPARE(QueryList::outputsFor(base, "ships", 0, 1).mask, std::string("out/m.tif"));
        const QueryOutputs o = QueryList::outputsFor(base, "ships", 1, 2);
        QCOMPARE(o.mask, "out/m_" + QueryList::slug("ships") + ".tif");
        QCOMPARE(o.vector, "out/v_" + QueryList::slug("ships") + ".gpkg");
        QVERIFY(o.probability.empty());
    }
};

QTEST_APPLESS_MAIN(TestQueryList)
#include "test_querylist.moc"
