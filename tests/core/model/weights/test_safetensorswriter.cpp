// Tests SafetensorsWriter: round trip through SafetensorsFile, byte-identical re-writing of the
// golden files, and atomic writing (no file, and no temporary left behind, on failure).
#include "common/error.h"
#include "model/weights/safetensorsfile.h"
#include "model/weights/safetensorswriter.h"

#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>
#include "testpathsqt.h"

using rsrefseg::SafetensorsFile;
using rsrefseg::SafetensorsWriter;

namespace {

QByteArray readAllBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return file.readAll();
}

QString writeError(const std::string &path, const std::map<std::string, torch::Tensor> &tensors,
                   const std::map<std::string, std::string> &metadata = {})
{
    try {
        SafetensorsWriter::write(path, tensors, metadata);
    } catch (const rsrefseg::Error &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestSafetensorsWriter : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir mDir;
    std::string path(const QString &name) const { return mDir.filePath(name).toStdString(); }
    QStringList temporaries() const { return QDir(mDir.path()).entryList({"*.tmp-*"}, QDir::AllEntries | QDir::Hidden); }

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    void roundTrip()
    {
        torch::manual_seed(1);
        std::map<std::string, torch::Tensor> tensors = {
            {"f64", torch::randn({3}, torch::kFloat64)},
            {"f32", torch::randn({2, 3, 4})},
            {"f16", torch::randn({5}).to(torch::kFloat16)},
            {"bf16", torch::randn({5}).to(torch::kBFloat16)},
            {"i64", torch::tensor({int64_t(1) << 40, int64_t(-3)})},
            {"i32", torch::tensor({-7, 9}, torch::kInt32)},
            {"i16", torch::tensor({-300, 2}, torch::kInt16)},
            {"i8", torch::tensor({-5, 6}, torch::kInt8)},
            {"u8", torch::tensor({250, 6}, torch::kUInt8)},
            {"bool", torch::tensor({true, false, true})},
            {"scalar", torch::tensor(42, torch::kInt64)},
            {"empty", torch::zeros({0, 3})},
            {"transposed", torch::arange(12, torch::kFloat32).reshape({3, 4}).t()}, // non-contiguous
            {"Zupper", torch::ones({1})},
        };
        const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "ünïcode ✓ \"quoted\"\n"}};
        SafetensorsWriter::write(path("round.safetensors"), tensors, metadata);
        QVERIFY(temporaries().isEmpty());

        const auto file = SafetensorsFile::open(path("round.safetensors"));
        QCOMPARE(file.metadata(), metadata);
        QCOMPARE(file.names().size(), tensors.size());
        for (const auto &entry : tensors) {
            const auto t = file.tensor(entry.first);
            QCOMPARE(t.scalar_type(), entry.second.scalar_type());
            QCOMPARE(t.sizes().vec(), entry.second.sizes().vec());
            QVERIFY2(torch::equal(t, entry.second), entry.first.c_str());
        }
        // Data laid out in sorted name order ("Zupper" < "bf16" in bytes).
        std::vector<std::string> sorted;
        for (const auto &entry : tensors) {
            sorted.push_back(entry.first);
        }
        QCOMPARE(file.names(), sorted);

        const QByteArray bytes = readAllBytes(QString::fromStdString(path("round.safetensors")));
        uint64_t headerLength = 0;
        std::memcpy(&headerLength, bytes.constData(), 8);
        QCOMPARE(headerLength % 8, uint64_t(0));
        QVERIFY(bytes.mid(8, 3) == "{\"Z"); // keys sorted by bytes: "Zupper" < "__metadata__"
    }

    void rewritesGoldenByteIdentical_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *name : {"rsrefseg_tiny/io.safetensors", "rsrefseg_tiny/model.safetensors",
                                 "rsrefseg_tiny/model_merged.safetensors", "sam_tiny/io.safetensors",
                                 "sam_tiny/model.safetensors", "sam_tiny_w3/io.safetensors",
                                 "sam_tiny_w3/model.safetensors", "siglip_tiny/io_text.safetensors",
                                 "siglip_tiny/io_vision.safetensors", "siglip_tiny/model.safetensors"}) {
            QTest::newRow(name) << QString(name);
        }
    }

    void rewritesGoldenByteIdentical()
    {
        QFETCH(QString, name);
        const QString golden = rsrefseg::test::qTestDataDir() + "/golden/" + name;
        const auto file = SafetensorsFile::open(golden.toStdString());
        const std::string out = path("rewrite.safetensors");
        SafetensorsWriter::write(out, file.tensors(), file.metadata());
        const QByteArray expected = readAllBytes(golden);
        const QByteArray actual = readAllBytes(QString::fromStdString(out));
        QVERIFY(!expected.isEmpty());
        QCOMPARE(actual.size(), expected.size());
        QVERIFY(actual == expected);
        QCOMPARE(QByteArray::fromStdString(SafetensorsWriter::serialize(file.tensors(), file.metadata())), expected);
    }

    void replacesExistingFile()
    {
        const std::string target = path("replace.safetensors");
        SafetensorsWriter::write(target, {{"a", torch::ones({2})}});
        SafetensorsWriter::write(target, {{"b", torch::zeros({3})}});
        const auto file = SafetensorsFile::open(target);
        QCOMPARE(file.names(), std::vector<std::string>{"b"});
        QVERIFY(temporaries().isEmpty());
    }

    void invalidInputLeavesNoFile()
    {
        const std::string target = path("invalid.safetensors");
        QString error = writeError(target, {{"ok", torch::ones({1})}, {"c", torch::ones({2}, torch::kComplexFloat)}});
        QVERIFY2(error.contains(QString::fromStdString(target)) && error.contains("tensor 'c'"), qPrintable(error));
        QVERIFY(!QFile::exists(QString::fromStdString(target)));
        error = writeError(target, {{"__metadata__", torch::ones({1})}});
        QVERIFY(error.contains("'__metadata__' cannot be a tensor name"));
        error = writeError(target, {{"u", torch::Tensor()}});
        QVERIFY(error.contains("tensor 'u' is undefined"));
        error = writeError(target, {{std::string("bad\xff", 4), torch::ones({1})}});
        QVERIFY2(error.contains("UTF-8"), qPrintable(error));
        error = writeError(target, {{"a", torch::ones({1})}}, {{"k", std::string("\xc3", 1)}});
        QVERIFY2(error.contains("UTF-8"), qPrintable(error));
        QVERIFY(!QFile::exists(QString::fromStdString(target)));
        QVERIFY(temporaries().isEmpty());
    }

    void failedWriteRemovesTemporary()
    {
        // Missing folder: the temporary cannot even be created.
        const std::string missing = path("no/such/dir/x.safetensors");
        QString error = writeError(missing, {{"a", torch::ones({1})}});
        QVERIFY2(error.startsWith(QString::fromStdString(missing) + ": cannot create"), qPrintable(error));

        // The target is a non-empty folder: the rename fails after the temporary was written.
        QVERIFY(QDir(mDir.path()).mkpath("occupied.safetensors/inside"));
        const std::string occupied = path("occupied.safetensors");
        error = writeError(occupied, {{"a", torch::ones({1000})}});
        QVERIFY2(error.contains("cannot rename"), qPrintable(error));
        QVERIFY(temporaries().isEmpty());

        // Disk full: /dev/full accepts the open and fails the write (if the system has it).
        if (QFile::exists("/dev/full")) {
            // "<path>.tmp-<pid>" must be /dev/full: a symbolic link in a folder we own does it.
            const QString link = mDir.filePath(QString("full.safetensors.tmp-%1").arg(QCoreApplication::applicationPid()));
            QVERIFY(QFile::link("/dev/full", link));
            error = writeError(path("full.safetensors"), {{"a", torch::ones({1000})}});
            QVERIFY2(error.contains("cannot write") || error.contains("cannot flush"), qPrintable(error));
            QVERIFY(!QFileInfo::exists(link) && !QFileInfo(link).isSymLink());
            QVERIFY(!QFile::exists(mDir.filePath("full.safetensors")));
        }
    }
};

QTEST_APPLESS_MAIN(TestSafetensorsWriter)
#include "test_safetensorswriter.moc"
