// DatasetChecker on a JSONL set with one line per defect (malformed JSON, missing field, missing
// image, unreadable image, mask of another size, bad RLE, empty mask, duplicate sentence) and
// good lines: every defect found on its line, counts per split and category of the usable
// lines, unusable() only when an unusable defect is present.
#include "core/data/benchmarkfixtures.h"
#include "data/datasetchecker.h"

#include "common/error.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace rsrefseg;
using Kind = DatasetDefect::Kind;
namespace fs = std::filesystem;

namespace {

nlohmann::json line(const std::string &file, const std::string &sent, const cv::Mat &mask, const std::string &split,
                    const std::string &category)
{
    return {{"file_name", file},
            {"sent", sent},
            {"segmentation", {CocoRle::encode(mask).toJson()}},
            {"split", split},
            {"category_name", category}};
}

const DatasetDefect *defectOn(const DatasetCheckReport &r, std::size_t lineNumber)
{
    for (const DatasetDefect &d : r.defects)
        if (d.line == lineNumber)
            return &d;
    return nullptr;
}

} // namespace

class TestDatasetChecker : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

    std::string images() const { return mDir.filePath("images").toStdString(); }

  private slots:
    void initTestCase()
    {
        benchfix::writeImage(fs::path(images()) / "a.png", 20, 10, 1);
        benchfix::writeImage(fs::path(images()) / "b.png", 20, 10, 2);
        benchfix::writeFile(fs::path(images()) / "broken.png", "not an image");
    }

    void findsEveryDefectOnItsLine()
    {
        cv::Mat object = cv::Mat::zeros(10, 20, CV_8UC1);
        object(cv::Rect(2, 2, 5, 4)).setTo(1);
        const cv::Mat empty = cv::Mat::zeros(10, 20, CV_8UC1);
        const cv::Mat wrongSize = cv::Mat::ones(12, 20, CV_8UC1);
        std::ostringstream text;
        text << line("a.png", "the red car", object, "train", "vehicle").dump() << "\n"        // 1 good
             << "{\"file_name\": \"a.png\", \n"                                              // 2 malformed
             << nlohmann::json({{"file_name", "a.png"}, {"segmentation", nullptr}}).dump() << "\n" // 3 no sent
             << line("missing.png", "a ship", object, "val", "ship").dump() << "\n"          // 4 missing image
             << line("broken.png", "a ship", object, "val", "ship").dump() << "\n"           // 5 unreadable
             << line("b.png", "the tall tower", wrongSize, "val", "tower").dump() << "\n"    // 6 size
             << nlohmann::json({{"file_name", "b.png"}, {"sent", "x"},
                                {"segmentation", {{"size", {10, 20}}, {"counts", "~~~"}}}}).dump() << "\n" // 7 bad RLE
             << "\n"                                                                          // 8 blank
             << line("b.png", "nothing here", empty, "test", "vehicle").dump() << "\n"       // 9 empty mask
             << line("a.png", "the red car", object, "train", "vehicle").dump() << "\n";     // 10 duplicate of 1
        const std::string path = mDir.filePath("set.jsonl").toStdString();
        benchfix::writeFile(path, text.str());

        const DatasetCheckReport r = DatasetChecker::check(path, images());
        QCOMPARE(r.lines, std::size_t(9));
        QCOMPARE(r.usable, std::size_t(3));
        QCOMPARE(r.images, std::size_t(2));
        QCOMPARE(r.perSplit.at("train"), std::size_t(2));
        QCOMPARE(r.perSplit.at("test"), std::size_t(1));
        QCOMPARE(r.perCategory.at("vehicle"), std::size_t(3));
        QCOMPARE(r.perSplit.count("val"), std::size_t(0));
        const std::vector<std::pair<std::size_t, Kind>> expected = {
            {2, Kind::Malformed},       {3, Kind::Malformed},       {4, Kind::MissingImage},
            {5, Kind::UnreadableImage}, {6, Kind::SizeMismatch},    {7, Kind::BadSegmentation},
            {9, Kind::EmptyMask},       {10, Kind::DuplicateSentence}};
        QCOMPARE(r.defects.size(), expected.size());
        for (const auto &[number, kind] : expected) {
            const DatasetDefect *d = defectOn(r, number);
            QVERIFY2(d, qPrintable(QString("no defect on line %1").arg(number)));
            QVERIFY2(d->kind == kind, qPrintable(QString("line %1: %2").arg(number).arg(DatasetDefect::name(d->kind))));
            QCOMPARE(r.count(kind), kind == Kind::Malformed ? std::size_t(2) : std::size_t(1));
        }
        QVERIFY(defectOn(r, 3)->message.find("\"sent\" is missing") != std::string::npos);
        QVERIFY(defectOn(r, 4)->message.find("missing.png does not exist") != std::string::npos);
        QVERIFY(defectOn(r, 6)->message.find("mask is 20x12 but image b.png is 20x10") != std::string::npos);
        QVERIFY(defectOn(r, 10)->message.find("also line 1") != std::string::npos);
        QVERIFY(r.unusable());

        const std::string text2 = r.toText();
        QVERIFY2(text2.find("line 4: missing_image:") != std::string::npos, text2.c_str());
        QVERIFY(text2.find("UNUSABLE") != std::string::npos);
        const nlohmann::json j = r.toJson();
        QCOMPARE(j["defect_counts"]["duplicate_sentence"].get<int>(), 1);
        QCOMPARE(j["defects"].size(), std::size_t(8));
        QCOMPARE(j["unusable"].get<bool>(), true);
    }

    void warningsAloneAreUsable()
    {
        const cv::Mat empty = cv::Mat::zeros(10, 20, CV_8UC1);
        const std::string path = mDir.filePath("warn.jsonl").toStdString();
        benchfix::writeFile(path, line("a.png", "x", empty, "train", "").dump() + "\n" +
                                      line("a.png", "x", empty, "train", "").dump() + "\n");
        const DatasetCheckReport r = DatasetChecker::check(path, images());
        QCOMPARE(r.usable, std::size_t(2));
        QCOMPARE(r.count(Kind::EmptyMask), std::size_t(2));
        QCOMPARE(r.count(Kind::DuplicateSentence), std::size_t(1));
        QVERIFY(!r.unusable());
        QVERIFY(r.toText().find("Result:   usable") != std::string::npos);
    }

    void missingFilesAreErrors()
    {
        QVERIFY_THROWS_EXCEPTION(Error, DatasetChecker::check(mDir.filePath("none.jsonl").toStdString(), images()));
        QVERIFY_THROWS_EXCEPTION(Error, DatasetChecker::check(mDir.filePath("warn.jsonl").toStdString(), "/nonexistent"));
    }
};

QTEST_GUILESS_MAIN(TestDatasetChecker)
#include "test_datasetchecker.moc"
