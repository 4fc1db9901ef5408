// PhraseListConverter on RefSegRS and RISBench sets written here in their distributed layouts
// (benchmarkfixtures.h): every line against the phrase lists and the mask images; a missing
// mask, a mask of another size and a line without sentence named by file and line, nothing written.
#include "core/data/benchmarkfixtures.h"
#include "data/phraselistconverter.h"
#include "train/rsrefsegdataset.h"

#include "common/error.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace rsrefseg;
namespace fs = std::filesystem;

namespace {

std::vector<nlohmann::json> readLines(const std::string &path)
{
    std::ifstream in(path);
    std::vector<nlohmann::json> lines;
    std::string line;
    while (std::getline(in, line))
        lines.push_back(nlohmann::json::parse(line));
    return lines;
}

QString errorOf(const PhraseListConverter &converter)
{
    try {
        converter.run();
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return QString();
}

} // namespace

class TestPhraseListConverter : public QObject
{
    Q_OBJECT

    QTemporaryDir mDir;

    void convertLayout(bool risbench)
    {
        const fs::path root = mDir.filePath(risbench ? "RISBench" : "RefSegRS").toStdString();
        const benchfix::PhraseList raw = benchfix::writePhraseList(root, risbench);
        PhraseListConverter::Options o;
        o.root = root.string();
        o.out = (root / "out.jsonl").string();
        const auto layout = risbench ? PhraseListConverter::risBench() : PhraseListConverter::refSegRs();
        const ConversionSummary s = PhraseListConverter(layout, o).run();
        QCOMPARE(s.lines, std::size_t(4));
        QCOMPARE(s.images, std::size_t(3));
        QCOMPARE(s.linesPerSplit.at("train"), std::size_t(2));

        const auto lines = readLines(o.out);
        QCOMPARE(lines.size(), std::size_t(4));
        const std::vector<std::string> ids = risbench ? std::vector<std::string>{"a1.png", "a1.png", "b2.png", "c3.png"}
                                                      : std::vector<std::string>{"11", "11", "12", "13"};
        const std::vector<std::string> sents = {"the red roof on the left", "two  spaces kept", "a road", "the building"};
        const std::vector<std::string> splits = {"train", "train", "val", "test"};
        const std::vector<int> maskIndex = {0, 0, 1, 2};
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const nlohmann::json &l = lines[i];
            QCOMPARE(l["image_id"].get<std::string>(), ids[i]);
            QCOMPARE(l["file_name"].get<std::string>(), risbench ? ids[i] : ids[i] + ".tif");
            QCOMPARE(l["sent"].get<std::string>(), sents[i]);
            QCOMPARE(l["split"].get<std::string>(), splits[i]);
            QVERIFY(l["segmentation"].is_array() && l["segmentation"].size() == 1);
            const CocoRle mask = RSRefSegDataset::parseSegmentation(l["segmentation"], std::nullopt);
            QVERIFY(mask == CocoRle::encode(raw.masks[static_cast<std::size_t>(maskIndex[i])]));
            QCOMPARE(mask.area(), std::uint64_t(30));
        }
        const std::string images = (root / (risbench ? "img_rgb" : "images")).string();
        QCOMPARE(RSRefSegDataset::load(o.out, images).size(), std::size_t(4));
    }

  private slots:
    void refSegRs() { convertLayout(false); }
    void risBench() { convertLayout(true); }

    void badInputNamedNothingWritten()
    {
        const fs::path root = mDir.filePath("broken").toStdString();
        benchfix::writePhraseList(root, false);
        PhraseListConverter::Options o;
        o.root = root.string();
        o.out = (root / "out.jsonl").string();
        const PhraseListConverter converter(PhraseListConverter::refSegRs(), o);

        fs::remove(root / "masks" / "12.tif");
        QVERIFY2(errorOf(converter).contains("output_phrase_val.txt line 2: mask ") &&
                     errorOf(converter).contains("12.tif does not exist"),
                 qPrintable(errorOf(converter)));
        QVERIFY(!fs::exists(o.out));

        cv::imwrite((root / "masks" / "12.tif").string(), cv::Mat::zeros(10, 24, CV_8UC1));
        QVERIFY2(errorOf(converter).contains("line 2: mask 12.tif is 24x10 but the image is 24x16"),
                 qPrintable(errorOf(converter)));
        QVERIFY(!fs::exists(o.out));

        fs::remove(root / "images" / "13.tif");
        cv::imwrite((root / "masks" / "12.tif").string(), cv::Mat::zeros(16, 24, CV_8UC1));
        QVERIFY2(errorOf(converter).contains("output_phrase_test.txt line 1: image ") &&
                     errorOf(converter).contains("13.tif does not exist"),
                 qPrintable(errorOf(converter)));

        benchfix::writeFile(root / "output_phrase_test.txt", "13 the building\n14\n");
        QVERIFY2(errorOf(converter).contains("output_phrase_test.txt line 2: no sentence after the image id \"14\""),
                 qPrintable(errorOf(converter)));
        fs::remove(root / "output_phrase_test.txt");
        QVERIFY2(errorOf(converter).contains("output_phrase_test.txt does not exist"), qPrintable(errorOf(converter)));
        QVERIFY(!fs::exists(o.out));
    }
};

QTEST_GUILESS_MAIN(TestPhraseListConverter)
#include "test_phraselistconverter.moc"
