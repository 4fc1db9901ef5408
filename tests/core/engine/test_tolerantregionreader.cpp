// TolerantRegionReader: an intact region comes back whole; a corrupt block costs only the
// output pieces over it (black and invalid, named in `failed` with their source window) while
// every other pixel equals the scene; a region that cannot be read at all is refused, or comes
// back entirely invalid when allowed. The scene's pixel values are known (enginetestsupport.h).
#include "common/error.h"
#include "engine/tolerantregionreader.h"

#include "enginetestsupport.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace rsrefseg;
using namespace rsrefseg::test;

namespace {

constexpr int kSide = 256;
constexpr int kBlock = 64;
const std::vector<SceneBox> kBoxes = {{20, 30, 90, 60, 0}, {150, 140, 70, 80, 2}};

struct Read
{
    RgbImage image;
    std::vector<FailedTile> failed;
};

Read readAll(const std::string &path, bool allowUnreadable = false)
{
    const Raster raster = Raster::open(path);
    Read r;
    r.image = TolerantRegionReader::read(raster, {0, 0, kSide, kSide}, kSide, kSide,
                                         BandSelection::automatic(raster.info()), ContrastStretch::identity(3),
                                         Raster::Resampling::Nearest, r.failed, allowUnreadable);
    return r;
}

// Pixels that differ from the scene (among those expected valid) or have the wrong validity;
// `bad` is the source rectangle expected black and invalid.
int wrongPixels(const RgbImage &img, const cv::Rect &bad)
{
    int wrong = 0;
    for (int y = 0; y < kSide; ++y)
        for (int x = 0; x < kSide; ++x) {
            const bool inBad = bad.contains(cv::Point(x, y));
            const cv::Vec3b v = img.rgb.at<cv::Vec3b>(y, x);
            const auto s = sceneRgb(kBoxes, x, y);
            const cv::Vec3b expected = inBad ? cv::Vec3b(0, 0, 0) : cv::Vec3b(s[0], s[1], s[2]);
            wrong += v != expected || (img.valid.at<uint8_t>(y, x) != 0) == inBad;
        }
    return wrong;
}

} // namespace

class TestTolerantRegionReader : public QObject
{
    Q_OBJECT
  private:
    QTemporaryDir mDir;

    std::string path(const QString &name) const { return mDir.filePath(name).toStdString(); }

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    void intactRegionIsReadWhole()
    {
        const std::string p = corruptTiledRaster(path("intact.tif"), sceneSpec(kSide, kSide, kBoxes), kBlock, {});
        QVERIFY(!p.empty());
        const Read r = readAll(p);
        QVERIFY(r.failed.empty());
        QCOMPARE(wrongPixels(r.image, cv::Rect()), 0);
    }

    // Block (column 2, row 1) corrupt: at 1:1 the pieces halve 256 -> 128 -> 64, so exactly
    // the 64 x 64 output piece over it is lost.
    void corruptBlockCostsOnlyItsPiece()
    {
        const std::string p = corruptTiledRaster(path("one-bad.tif"), sceneSpec(kSide, kSide, kBoxes), kBlock, {{2, 1}});
        QVERIFY(!p.empty());
        const Read r = readAll(p);
        QCOMPARE(r.failed.size(), size_t(1));
        const FailedTile &f = r.failed.front();
        QCOMPARE(f.window.x, 128);
        QCOMPARE(f.window.y, 64);
        QCOMPARE(f.window.width, 64);
        QCOMPARE(f.window.height, 64);
        QCOMPARE(f.column, 2);
        QCOMPARE(f.row, 1);
        QVERIFY(!f.error.empty());
        QCOMPARE(wrongPixels(r.image, cv::Rect(128, 64, 64, 64)), 0);
    }

    void unreadableRegionIsRefusedUnlessAllowed()
    {
        std::vector<std::pair<int, int>> all;
        for (int y = 0; y < kSide / kBlock; ++y)
            for (int x = 0; x < kSide / kBlock; ++x)
                all.push_back({x, y});
        const std::string p = corruptTiledRaster(path("all-bad.tif"), sceneSpec(kSide, kSide, kBoxes), kBlock, all);
        QVERIFY(!p.empty());
        try {
            readAll(p);
            QFAIL("no exception");
        } catch (const Error &e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("no part of the region could be read")), e.what());
        }
        const Read r = readAll(p, true);
        QCOMPARE(r.failed.size(), size_t(16));
        QCOMPARE(cv::countNonZero(r.image.valid), 0);
        QCOMPARE(wrongPixels(r.image, cv::Rect(0, 0, kSide, kSide)), 0);
    }
};

QTEST_GUILESS_MAIN(TestTolerantRegionReader)
#include "test_tolerantregionreader.moc"
