// Tests SafetensorsFile: golden files read back exactly; every malformed header is an Error that
// names the file (and tensor) and is detected before anything is allocated.
#include "common/error.h"
#include "model/weights/safetensorsfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include "testpaths.h"

using rsrefseg::SafetensorsFile;

namespace {

const std::string kGolden = rsrefseg::test::testDataDir() + "/golden/";

QByteArray u64le(uint64_t value)
{
    QByteArray bytes(8, '\0');
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
    }
    return bytes;
}

QByteArray readAllBytes(const std::string &path)
{
    QFile file(QString::fromStdString(path));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    return file.readAll();
}

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// A file from a JSON header and a data section; headerLength overrides the length field.
QByteArray makeFile(const QByteArray &json, const QByteArray &data, int64_t headerLength = -1)
{
    return u64le(headerLength < 0 ? static_cast<uint64_t>(json.size()) : static_cast<uint64_t>(headerLength)) +
           json + data;
}

// The message of the Error that opening `path` throws, or "" if it opens.
QString openError(const QString &path)
{
    try {
        SafetensorsFile::open(path.toStdString());
    } catch (const rsrefseg::Error &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestSafetensorsFile : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir mDir;
    QString path(const QString &name) const { return mDir.filePath(name); }

    // Writes a file and expects opening it to fail with a message naming the file and `needle`.
    void expectError(const QString &name, const QByteArray &bytes, const QString &needle)
    {
        QVERIFY(writeBytes(path(name), bytes));
        const QString message = openError(path(name));
        QVERIFY2(!message.isEmpty(), qPrintable(name + " opened without error"));
        QVERIFY2(message.contains(path(name)), qPrintable(message));
        QVERIFY2(message.contains(needle), qPrintable(message + " lacks: " + needle));
    }

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    void readsGoldenModel()
    {
        const auto file = SafetensorsFile::open(kGolden + "siglip_tiny/model.safetensors");
        QCOMPARE(file.names().size(), size_t(88));
        QCOMPARE(file.metadata().at("format"), std::string("pt"));
        QCOMPARE(file.names().front(), std::string("logit_bias"));
        QVERIFY(file.contains("logit_scale"));
        QVERIFY(!file.contains("nope"));

        const auto &info = file.info("text_model.embeddings.token_embedding.weight");
        QCOMPARE(info.dtype, std::string("F32"));
        QCOMPARE(info.shape, (std::vector<int64_t>{200, 64}));
        QCOMPARE(info.begin, uint64_t(16392));
        QCOMPARE(info.end, uint64_t(67592));

        // Values checked against Python's struct.unpack of the same bytes.
        const torch::Tensor bias = file.tensor("logit_bias");
        QCOMPARE(bias.scalar_type(), torch::kFloat32);
        QCOMPARE(bias.sizes().vec(), (std::vector<int64_t>{1}));
        QCOMPARE(bias.item<float>(), -0.6051496267318726f);
        QCOMPARE(file.tensor("logit_scale").item<float>(), 1.553693413734436f);
        const torch::Tensor emb = file.tensor("text_model.embeddings.token_embedding.weight");
        QCOMPARE(emb[0][0].item<float>(), 0.22990860044956207f);
        QCOMPARE(emb[0][3].item<float>(), 0.05761693790555f);

        // Converted copy.
        const torch::Tensor asDouble = file.tensor("logit_scale", torch::kFloat64);
        QCOMPARE(asDouble.scalar_type(), torch::kFloat64);
        QCOMPARE(asDouble.item<double>(), double(1.553693413734436f));

        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error, file.info("nope"));
        QVERIFY_THROWS_EXCEPTION(rsrefseg::Error, file.tensor("nope"));
    }

    void tensorOutlivesFile()
    {
        torch::Tensor emb;
        {
            const auto file = SafetensorsFile::open(kGolden + "siglip_tiny/model.safetensors");
            emb = file.tensor("text_model.embeddings.token_embedding.weight");
        }
        QCOMPARE(emb[0][1].item<float>(), 0.18356896936893463f);
    }

    void readsMixedDtypesUnaligned()
    {
        // io.safetensors has I64 tensors at odd offsets after U8 ones.
        const auto file = SafetensorsFile::open(kGolden + "rsrefseg_tiny/io.safetensors");
        QCOMPARE(file.metadata().at("model_size"), std::string("128"));
        const auto ids = file.tensor("input_ids");
        QCOMPARE(file.info("input_ids").begin % 8, uint64_t(4));
        QCOMPARE(ids.scalar_type(), torch::kInt64);
        QCOMPARE(ids.sizes().vec(), (std::vector<int64_t>{1, 23}));
        QCOMPARE(ids[0][0].item<int64_t>(), int64_t(3));
        QCOMPARE(ids[0][1].item<int64_t>(), int64_t(79));
        const auto text = file.tensor("text_utf8");
        QCOMPARE(text.scalar_type(), torch::kUInt8);
        const std::string decoded(reinterpret_cast<const char *>(text.data_ptr<uint8_t>()),
                                  static_cast<size_t>(text.numel()));
        QCOMPARE(decoded, file.metadata().at("text"));
        const auto rgb = file.tensor("image_rgb_u8");
        QCOMPARE(rgb.sizes().vec(), (std::vector<int64_t>{150, 130, 3}));
        QCOMPARE(rgb[0][0][0].item<uint8_t>(), uint8_t(0xab));
        QCOMPARE(rgb[0][0][2].item<uint8_t>(), uint8_t(0x46));
    }

    void readsAllGoldenFiles_data()
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

    void readsAllGoldenFiles()
    {
        QFETCH(QString, name);
        const auto file = SafetensorsFile::open(kGolden + name.toStdString());
        const auto all = file.tensors();
        QCOMPARE(all.size(), file.names().size());
        QVERIFY(!all.empty());
        for (const auto &entry : all) {
            const auto &info = file.info(entry.first);
            QCOMPARE(entry.second.sizes().vec(), info.shape);
            QCOMPARE(static_cast<uint64_t>(entry.second.nbytes()), info.end - info.begin);
        }
    }

    void allDtypes()
    {
        // One tensor of each dtype with known bytes.
        struct Case
        {
            const char *dtype;
            torch::ScalarType type;
            int itemSize;
        };
        const Case cases[] = {{"F64", torch::kFloat64, 8}, {"F32", torch::kFloat32, 4},
                              {"F16", torch::kFloat16, 2}, {"BF16", torch::kBFloat16, 2},
                              {"I64", torch::kInt64, 8},   {"I32", torch::kInt32, 4},
                              {"I16", torch::kInt16, 2},   {"I8", torch::kInt8, 1},
                              {"U8", torch::kUInt8, 1},    {"BOOL", torch::kBool, 1}};
        QByteArray json = "{";
        QByteArray data;
        std::vector<torch::Tensor> expected;
        for (const Case &c : cases) {
            // values 0, 1, 2 (bool: false, true, true) in each dtype
            torch::Tensor t = torch::tensor({0, 1, 2}, torch::kInt64).to(c.type);
            expected.push_back(t);
            const QByteArray bytes(static_cast<const char *>(t.data_ptr()), 3 * c.itemSize);
            if (json.size() > 1) {
                json += ",";
            }
            json += QByteArray("\"t_") + c.dtype + "\":{\"dtype\":\"" + c.dtype + "\",\"shape\":[3],\"data_offsets\":[" +
                    QByteArray::number(data.size()) + "," + QByteArray::number(data.size() + bytes.size()) + "]}";
            data += bytes;
        }
        json += ",\"__metadata__\":{\"k\":\"v\"}}";
        QVERIFY(writeBytes(path("dtypes.safetensors"), makeFile(json, data)));
        const auto file = SafetensorsFile::open(path("dtypes.safetensors").toStdString());
        QCOMPARE(file.metadata().size(), size_t(1));
        for (size_t i = 0; i < std::size(cases); ++i) {
            const auto t = file.tensor(std::string("t_") + cases[i].dtype);
            QCOMPARE(t.scalar_type(), cases[i].type);
            QVERIFY(torch::equal(t, expected[i]));
            QCOMPARE(SafetensorsFile::scalarType(cases[i].dtype), std::optional<torch::ScalarType>(cases[i].type));
            QCOMPARE(SafetensorsFile::dtypeName(cases[i].type), std::optional<std::string>(cases[i].dtype));
        }
        QVERIFY(!SafetensorsFile::scalarType("F8_E4M3"));
        QVERIFY(!SafetensorsFile::dtypeName(torch::kComplexFloat));
    }

    void boolBytesAreNormalised()
    {
        const QByteArray json = "{\"b\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}";
        QVERIFY(writeBytes(path("bool.safetensors"), makeFile(json, QByteArray("\x00\x07\x01", 3))));
        const auto t = SafetensorsFile::open(path("bool.safetensors").toStdString()).tensor("b");
        QVERIFY(torch::equal(t, torch::tensor({false, true, true})));
    }

    void scalarsAndEmptyTensors()
    {
        // 0-d tensor (shape []), empty tensors sharing an offset with others (no overlap).
        const QByteArray json = "{\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
                                "\"e\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[0,0]},"
                                "\"e2\":{\"dtype\":\"F32\",\"shape\":[4,0],\"data_offsets\":[4,4]}}";
        QVERIFY(writeBytes(path("scalar.safetensors"), makeFile(json, u64le(42))));
        const auto file = SafetensorsFile::open(path("scalar.safetensors").toStdString());
        const auto s = file.tensor("s");
        QCOMPARE(s.dim(), int64_t(0));
        QCOMPARE(s.item<int64_t>(), int64_t(42));
        QCOMPARE(file.tensor("e").sizes().vec(), (std::vector<int64_t>{0, 4}));
        QCOMPARE(file.tensor("e2").sizes().vec(), (std::vector<int64_t>{4, 0}));
    }

    void headerOnlyNoTensors()
    {
        QVERIFY(writeBytes(path("none.safetensors"), makeFile("{}      ", {})));
        const auto file = SafetensorsFile::open(path("none.safetensors").toStdString());
        QVERIFY(file.names().empty());
        QVERIFY(file.tensors().empty());
    }

    void missingFile()
    {
        const QString message = openError(path("does-not-exist.safetensors"));
        QVERIFY(message.contains("does-not-exist.safetensors"));
        QVERIFY(message.contains("cannot open"));
    }

    void directory()
    {
        const QString message = openError(mDir.path());
        QVERIFY(message.contains(mDir.path()));
        QVERIFY(message.contains("not a regular file"));
    }

    void emptyAndShortFiles()
    {
        expectError("empty.safetensors", {}, "too short");
        expectError("seven.safetensors", QByteArray(7, 'x'), "too short");
    }

    void truncatedGolden()
    {
        const QByteArray golden = readAllBytes(kGolden + "siglip_tiny/model.safetensors");
        QVERIFY(golden.size() > 100000);
        // Cut inside the data section: the last tensor runs past the end.
        expectError("cut-data.safetensors", golden.left(golden.size() - 100), "run past the data section");
        // Cut inside the header.
        expectError("cut-header.safetensors", golden.left(4000), "runs past the end of the file");
        // Only the length field.
        expectError("cut-8.safetensors", golden.left(8), "runs past the end of the file");
    }

    void headerLengths()
    {
        const QByteArray json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        expectError("long-header.safetensors", makeFile(json, QByteArray(4, '\0'), json.size() + 5),
                    "runs past the end of the file");
        // 10^15 bytes claimed: refused by the limit, before any allocation could be attempted.
        expectError("huge-header.safetensors", makeFile(json, QByteArray(4, '\0'), int64_t(1000000000000000)),
                    "exceeds the limit");
        expectError("max-header.safetensors", u64le(~uint64_t(0)) + json, "exceeds the limit");
        // Header length too short: the JSON is cut.
        expectError("short-header.safetensors", makeFile(json, QByteArray(4, '\0'), json.size() - 3),
                    "invalid JSON");
    }

    void notSafetensors()
    {
        // Text: "hello wo" read as a little-endian u64 is 8.0e18, far over the header limit.
        expectError("text.safetensors", QByteArray("hello world, this is just some text\n"),
                    "header length 8031924123371070824 exceeds the limit");
        // A zip: "PK\3\4" + zeros is 67,324,752 (0x04034b50) bytes of header in a 64-byte file.
        expectError("zip.safetensors", QByteArray("PK\x03\x04") + QByteArray(60, '\0'),
                    "header length 67324752 runs past the end of the file (64 bytes)");
        expectError("array.safetensors", makeFile("[1,2,3]", {}), "not a JSON object");
        expectError("badjson.safetensors", makeFile("{\"a\":{\"dtype\":\"F32\",", {}), "invalid JSON");
        expectError("badutf8.safetensors", makeFile("{\"\xff\xfe\":1}", {}), "invalid JSON");
    }

    void badTensors()
    {
        const QByteArray data(16, '\1');
        const auto entry = [](const char *name, const char *body) {
            return QByteArray("\"") + name + "\":{" + body + "}";
        };
        expectError("dtype.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]") + "}", data),
                    "tensor 'w': unsupported dtype 'F8_E4M3'");
        expectError("nodtype.safetensors", makeFile("{" + entry("w", "\"shape\":[4],\"data_offsets\":[0,16]") + "}", data),
                    "tensor 'w': missing or non-string dtype");
        expectError("noshape.safetensors", makeFile("{" + entry("w", "\"dtype\":\"F32\",\"data_offsets\":[0,16]") + "}", data),
                    "tensor 'w': missing or non-array shape");
        expectError("negshape.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"F32\",\"shape\":[-4],\"data_offsets\":[0,16]") + "}", data),
                    "tensor 'w': shape entries must be non-negative integers");
        expectError("floatshape.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"F32\",\"shape\":[4.0],\"data_offsets\":[0,16]") + "}", data),
                    "non-negative integers");
        expectError("hugeshape.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,16]") + "}", data),
                    "shape is too large");
        expectError("overflowbytes.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,16]") + "}", data),
                    "more than 2^64");
        expectError("numel.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]") + "}", data),
                    "tensor 'w': shape [3] of F32 needs 12 bytes, data_offsets give 16");
        expectError("range.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]") + "}", data),
                    "tensor 'w': data_offsets [8, 24] run past the data section (16 bytes)");
        expectError("reversed.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]") + "}", data),
                    "tensor 'w': data_offsets [8, 4] are reversed");
        expectError("hugeoffset.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[18446744073709551612,18446744073709551615]") + "}", data),
                    "run past the data section");
        expectError("negoffset.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[-4,0]") + "}", data),
                    "data_offsets must be two non-negative integers");
        expectError("threeoffsets.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4,8]") + "}", data),
                    "data_offsets must be two non-negative integers");
        expectError("field.safetensors",
                    makeFile("{" + entry("w", "\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4],\"x\":1") + "}", data),
                    "unknown field 'x'");
        expectError("notobject.safetensors", makeFile("{\"w\":[1,2]}", data), "tensor 'w': entry is not an object");
        expectError("overlap.safetensors",
                    makeFile("{" + entry("a", "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]") + "," +
                                 entry("b", "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]") + "}",
                             data),
                    "tensors 'a' and 'b' overlap");
        expectError("same.safetensors",
                    makeFile("{" + entry("a", "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]") + "," +
                                 entry("b", "\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]") + "}",
                             data),
                    "overlap");
        expectError("duplicate.safetensors",
                    makeFile("{" + entry("a", "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]") + "," +
                                 entry("a", "\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]") + "}",
                             data),
                    "tensor 'a' appears twice");
        expectError("metadata.safetensors", makeFile("{\"__metadata__\":{\"a\":1}}", data),
                    "__metadata__ entry 'a' is not a string");
        expectError("metadata2.safetensors", makeFile("{\"__metadata__\":[]}", data), "__metadata__ is not an object");
    }
};

QTEST_APPLESS_MAIN(TestSafetensorsFile)
#include "test_safetensorsfile.moc"
