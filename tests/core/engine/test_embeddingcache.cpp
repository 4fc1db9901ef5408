// EmbeddingCache: LRU within the memory budget, disk entries that survive a new cache object
// (a restart), damaged or foreign files treated as misses, text features per query, counters,
// and keys that change with everything the features depend on.
#include "common/error.h"
#include "engine/embeddingcache.h"
#include "engine/featuremap.h"

#include <torch/torch.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <thread>

using namespace rsrefseg;

namespace {

// A feature map of about `mb` megabytes whose values identify it.
FeaturesPtr features(float id, double mb = 1.0)
{
    auto f = std::make_shared<FeatureMap>();
    const int64_t n = static_cast<int64_t>(mb * 1024 * 1024 / 4);
    f->tensors["a"] = torch::full({n}, id);
    f->tensors["b"] = torch::full({2, 3}, id * 2, torch::kFloat32);
    return f;
}

} // namespace

class TestEmbeddingCache : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

  private slots:
    void initTestCase() { QVERIFY2(mDir.isValid(), "temporary folder"); }

    void lruWithinBudget()
    {
        EmbeddingCache cache({3, "", 4});
        for (int i = 0; i < 5; ++i)
            cache.storeImage("k" + std::to_string(i), features(float(i), 0.9));
        QCOMPARE(cache.memoryEntries(), size_t(3));
        QVERIFY(cache.memoryBytes() <= 3u * 1024 * 1024);
        QCOMPARE(cache.counters().evictions, uint64_t(2));
        QVERIFY(!cache.findImage("k0"));
        QVERIFY(!cache.findImage("k1"));
        EmbeddingCache::Source src = EmbeddingCache::Source::None;
        QVERIFY(cache.findImage("k2", &src));
        QCOMPARE(src, EmbeddingCache::Source::Memory);
        // k2 is now the most recent: the next insertion evicts k3.
        cache.storeImage("k5", features(5, 0.9));
        QVERIFY(cache.findImage("k2"));
        QVERIFY(!cache.findImage("k3"));
        const CacheCounters c = cache.counters();
        QCOMPARE(c.memoryHits, uint64_t(2));
        QCOMPARE(c.misses, uint64_t(3));
        // Larger than the whole budget: not kept.
        cache.storeImage("huge", features(9, 4.0));
        QVERIFY(!cache.findImage("huge"));
        // Budget 0: nothing in memory.
        EmbeddingCache none({0, "", 4});
        none.storeImage("x", features(1, 0.1));
        QVERIFY(!none.findImage("x"));
    }

    void diskSurvivesRestart()
    {
        const std::string dir = mDir.filePath("disk").toStdString();
        {
            EmbeddingCache cache({16, dir, 4});
            cache.storeImage("tile-key", features(3.5, 0.01));
            QCOMPARE(cache.counters().diskWrites, uint64_t(1));
        }
        QVERIFY(QFile::exists(QString::fromStdString(dir + "/" + EmbeddingCache::fileNameFor("tile-key"))));
        EmbeddingCache cache({16, dir, 4});
        EmbeddingCache::Source src = EmbeddingCache::Source::None;
        const FeaturesPtr f = cache.findImage("tile-key", &src);
        QVERIFY(f);
        QCOMPARE(src, EmbeddingCache::Source::Disk);
        QVERIFY(torch::equal(f->at("a"), features(3.5, 0.01)->at("a")));
        QVERIFY(torch::equal(f->at("b"), features(3.5, 0.01)->at("b")));
        // Now in memory too.
        cache.findImage("tile-key", &src);
        QCOMPARE(src, EmbeddingCache::Source::Memory);
        QCOMPARE(cache.counters().diskHits, uint64_t(1));
        QCOMPARE(cache.counters().memoryHits, uint64_t(1));
    }

    void damagedAndForeignFiles()
    {
        const std::string dir = mDir.filePath("damaged").toStdString();
        EmbeddingCache cache({16, dir, 4});
        cache.storeImage("good", features(1, 0.01));
        const std::string file = dir + "/" + EmbeddingCache::fileNameFor("good");
        // Truncated: a miss, counted, and replaced by the next store.
        std::filesystem::resize_file(file, 20);
        EmbeddingCache fresh({16, dir, 4});
        QVERIFY(!fresh.findImage("good"));
        QCOMPARE(fresh.counters().diskErrors, uint64_t(1));
        QCOMPARE(fresh.counters().misses, uint64_t(1));
        fresh.storeImage("good", features(1, 0.01));
        EmbeddingCache again({16, dir, 4});
        QVERIFY(again.findImage("good"));
        // A file for another key under this key's name (a hash collision): a miss.
        std::filesystem::copy_file(file, dir + "/" + EmbeddingCache::fileNameFor("other"),
                                   std::filesystem::copy_options::overwrite_existing);
        QVERIFY(!again.findImage("other"));
        QCOMPARE(again.counters().diskErrors, uint64_t(1));
        // An unwritable cache folder never fails the job: counted.
        EmbeddingCache ro({16, dir, 4});
        std::filesystem::remove_all(dir);
        std::ofstream(dir) << "now a file";
        ro.storeImage("z", features(1, 0.01));
        QCOMPARE(ro.counters().diskErrors, uint64_t(1));
        QVERIFY(ro.findImage("z")); // still served from memory
        QVERIFY_EXCEPTION_THROWN(EmbeddingCache({16, dir + "/sub", 4}), Error);
    }

    void textFeatures()
    {
        EmbeddingCache cache({16, "", 2});
        QVERIFY(!cache.findText("m|f32|ships"));
        cache.storeText("m|f32|ships", features(1, 0.001));
        cache.storeText("m|f32|tanks", features(2, 0.001));
        QVERIFY(cache.findText("m|f32|ships"));
        cache.storeText("m|f32|roads", features(3, 0.001)); // evicts tanks (least recent)
        QVERIFY(!cache.findText("m|f32|tanks"));
        QVERIFY(cache.findText("m|f32|ships"));
        QCOMPARE(cache.counters().textHits, uint64_t(2));
        QCOMPARE(cache.counters().textMisses, uint64_t(2));
    }

    void keys()
    {
        const QString p = mDir.filePath("r.bin");
        {
            QFile f(p);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("abc");
        }
        const std::string id1 = EmbeddingCache::rasterIdentity(p.toStdString());
        QVERIFY(id1.find("|3|") != std::string::npos);
        QCOMPARE(EmbeddingCache::rasterIdentity(p.toStdString()), id1);
        {
            QFile f(p);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.setFileTime(QDateTime::currentDateTime().addSecs(-3600), QFileDevice::FileModificationTime));
        }
        QVERIFY(EmbeddingCache::rasterIdentity(p.toStdString()) != id1);
        // The same file through another path: the same identity.
        QCOMPARE(EmbeddingCache::rasterIdentity((mDir.path() + "/./r.bin").toStdString()),
                 EmbeddingCache::rasterIdentity(p.toStdString()));

        ImageKey k;
        k.raster = "a|1|2";
        k.window = {0, 0, 10, 10};
        k.readWidth = k.readHeight = 10;
        k.bands = "1,2,3";
        k.stretch = "none";
        k.modelId = "m";
        k.dtype = "f32";
        k.inputSize = 1024;
        const std::string base = k.toString();
        std::vector<ImageKey> variants(8, k);
        variants[0].raster = "a|1|3";
        variants[1].window.x = 1;
        variants[2].readWidth = 5;
        variants[3].bands = "3,2,1";
        variants[4].stretch = "minmax:0/1";
        variants[5].modelId = "n";
        variants[6].dtype = "bf16";
        variants[7].inputSize = 512;
        for (const ImageKey &v : variants) {
            QVERIFY(v.toString() != base);
            QVERIFY(EmbeddingCache::fileNameFor(v.toString()) != EmbeddingCache::fileNameFor(base));
        }
    }

    void threadSafe()
    {
        EmbeddingCache cache({8, "", 16});
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&cache, t] {
                for (int i = 0; i < 200; ++i) {
                    const std::string key = "k" + std::to_string((i * 7 + t) % 50);
                    if (!cache.findImage(key))
                        cache.storeImage(key, features(float(i), 0.2));
                }
            });
        for (auto &th : threads)
            th.join();
        const CacheCounters c = cache.counters();
        QCOMPARE(c.memoryHits + c.misses, uint64_t(800));
        QVERIFY(cache.memoryBytes() <= 8u * 1024 * 1024);
    }
};

QTEST_GUILESS_MAIN(TestEmbeddingCache)
#include "test_embeddingcache.moc"
