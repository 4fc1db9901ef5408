// Tests of SyntheticDatasetWriter: the files it writes read back through RSRefSegDataset with
// the generator's masks and images; GeoTIFF output is georeferenced and compressed.
#include "common/error.h"
#include "train/rsrefsegdataset.h"
#include "train/syntheticdatasetwriter.h"
#include "train/syntheticscenegenerator.h"

#include <QtTest/QtTest>

#include <gdal.h>
#include <nlohmann/json.hpp>
#include <ogr_srs_api.h>
#include <opencv2/core.hpp>

#include <fstream>

using namespace rsrefseg;

namespace {

bool sameImage(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    return cv::countNonZero(diff.reshape(1)) == 0;
}

std::vector<nlohmann::json> readLines(const QString &path)
{
    std::ifstream in(path.toStdString());
    std::vector<nlohmann::json> lines;
    for (std::string line; std::getline(in, line);)
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

QStringList leftovers(const QString &dir)
{
    QStringList found;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString f = it.next();
        if (f.endsWith(".part"))
            found << f;
    }
    return found;
}

} // namespace

class TestSyntheticDatasetWriter : public QObject
{
    Q_OBJECT

  private slots:
    void initTestCase() { GDALAllRegister(); }

    void pngDataSetReadsBack()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        SyntheticDatasetWriter::Options o;
        o.outDir = dir.path().toStdString();
        o.count = 4;
        o.seed = 31;
        o.perScene = 2;
        o.split = "val";
        const auto summary = SyntheticDatasetWriter(o).write();
        QCOMPARE(summary.scenes, std::uint64_t(4));
        QCOMPARE(summary.sentences, std::uint64_t(8));
        QCOMPARE(QString::fromStdString(summary.jsonlPath), dir.filePath("val.jsonl"));
        for (int i = 0; i < 4; ++i)
            QVERIFY(QFile::exists(dir.filePath(QString("images/val_%1.png").arg(i, 6, 10, QChar('0')))));
        QVERIFY(leftovers(dir.path()).isEmpty());

        const auto lines = readLines(dir.filePath("val.jsonl"));
        QCOMPARE(lines.size(), std::size_t(8));
        QCOMPARE(lines[3].at("file_name").get<std::string>(), std::string("val_000001.png"));
        QCOMPARE(lines[3].at("image_id").get<int>(), 1);
        QCOMPARE(lines[3].at("ann_id").get<int>(), 3);
        QCOMPARE(lines[3].at("split").get<std::string>(), std::string("val"));
        QVERIFY(lines[3].at("segmentation").is_array());
        QCOMPARE(lines[3].at("segmentation").size(), std::size_t(1));
        QVERIFY(lines[3].at("segmentation")[0].at("counts").is_string());
        QCOMPARE(lines[3].at("bbox").size(), std::size_t(4));

        const RSRefSegDataset data = RSRefSegDataset::load(summary.jsonlPath, summary.imageDir);
        QCOMPARE(data.size(), std::size_t(8));
        QCOMPARE(data.warnings().size(), std::size_t(0));
        SyntheticSceneGenerator::Options g;
        g.expressionsPerScene = 2;
        const SyntheticSceneGenerator generator(31, g);
        for (std::uint64_t i = 0; i < 4; ++i) {
            const SyntheticSample s = generator.generate(i);
            for (std::size_t j = 0; j < 2; ++j) {
                const std::size_t k = i * 2 + j;
                const SyntheticReferral &r = s.referrals[j];
                const SceneObject &object = s.scene.objects[r.objectIndex];
                QCOMPARE(data.sample(k).sentence, r.sentence);
                QCOMPARE(data.sample(k).categoryName, sceneCategoryName(object.objectClass));
                QVERIFY(sameImage(data.loadMask(k), s.scene.objectMask(r.objectIndex)));
                QVERIFY(sameImage(data.loadImage(k), s.scene.image));
                const auto bbox = lines[k].at("bbox").get<std::vector<double>>();
                QCOMPARE(bbox, (std::vector<double>{double(object.box.x), double(object.box.y),
                                                    double(object.box.width),
                                                    double(object.box.height)}));
                QCOMPARE(lines[k].at("area").get<std::uint64_t>(), object.area);
            }
        }

        // Writing again replaces the JSONL as a whole.
        o.count = 1;
        SyntheticDatasetWriter(o).write();
        QCOMPARE(readLines(dir.filePath("val.jsonl")).size(), std::size_t(2));
    }

    void geoTiffIsGeoreferencedAndCompressed()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        SyntheticDatasetWriter::Options o;
        o.outDir = dir.path().toStdString();
        o.count = 2;
        o.seed = 5;
        o.geotiff = true;
        o.size = 256;
        const auto summary = SyntheticDatasetWriter(o).write();
        const QString tif = dir.filePath("images/train_000001.tif");
        QVERIFY(QFile::exists(tif));
        GDALDatasetH ds = GDALOpen(tif.toUtf8().constData(), GA_ReadOnly);
        QVERIFY(ds);
        QCOMPARE(GDALGetRasterCount(ds), 3);
        QCOMPARE(GDALGetRasterXSize(ds), 256);
        double gt[6];
        QCOMPARE(GDALGetGeoTransform(ds, gt), CE_None);
        QCOMPARE(gt[0], 390300.0); // scene 1: one 300 m step east
        QCOMPARE(gt[3], 5820000.0);
        QCOMPARE(gt[1], 1.0); // 256 m over 256 px
        QCOMPARE(gt[5], -1.0);
        OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
        QVERIFY(srs);
        QCOMPARE(QString(OSRGetAuthorityCode(srs, nullptr)), QString("32633"));
        OSRDestroySpatialReference(srs);
        QCOMPARE(QString(GDALGetMetadataItem(ds, "COMPRESSION", "IMAGE_STRUCTURE")),
                 QString("DEFLATE"));
        GDALClose(ds);

        const RSRefSegDataset data = RSRefSegDataset::load(summary.jsonlPath, summary.imageDir);
        QCOMPARE(data.size(), std::size_t(2));
        SyntheticSceneGenerator::Options g;
        g.size = 256;
        const SyntheticSample s = SyntheticSceneGenerator(5, g).generate(1);
        QVERIFY(sameImage(data.loadImage(1), s.scene.image));
        QVERIFY(sameImage(data.loadMask(1), s.scene.objectMask(s.referrals[0].objectIndex)));
    }

    void badOptions()
    {
        auto options = [] {
            SyntheticDatasetWriter::Options o;
            o.outDir = "somewhere";
            o.count = 1;
            return o;
        };
        auto o = options();
        o.count = 0;
        QVERIFY_THROWS_EXCEPTION(Error, SyntheticDatasetWriter{o});
        o = options();
        o.outDir.clear();
        QVERIFY_THROWS_EXCEPTION(Error, SyntheticDatasetWriter{o});
        o = options();
        o.split = "../x";
        QVERIFY_THROWS_EXCEPTION(Error, SyntheticDatasetWriter{o});
        o = options();
        o.size = 100;
        QVERIFY_THROWS_EXCEPTION(Error, SyntheticDatasetWriter{o});
        o = options();
        o.perScene = 0;
        QVERIFY_THROWS_EXCEPTION(Error, SyntheticDatasetWriter{o});
        o = options();
        SyntheticDatasetWriter ok(o); // valid
        QCOMPARE(ok.options().count, std::uint64_t(1));
    }

    void cancelLeavesNoJsonl()
    {
        QTemporaryDir dir;
        SyntheticDatasetWriter::Options o;
        o.outDir = dir.path().toStdString();
        o.count = 5;
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(CancelledError,
                                 SyntheticDatasetWriter(o).write([&](std::uint64_t done,
                                                                     std::uint64_t total) {
                                     ++calls;
                                     return !(done == 2 && total == 5);
                                 }));
        QCOMPARE(calls, 2);
        QVERIFY(!QFile::exists(dir.filePath("train.jsonl")));
        QVERIFY(leftovers(dir.path()).isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestSyntheticDatasetWriter)
#include "test_syntheticdatasetwriter.moc"
