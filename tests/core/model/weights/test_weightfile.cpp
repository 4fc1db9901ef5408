// Tests WeightFile: content-based dispatch (safetensors / torch.save zip / folder) and Hugging
// Face folders, including a sharded index made by splitting a golden file, and every way an
// index can be wrong (missing shard, escaping path, duplicates, disagreements).
#include "common/error.h"
#include "model/weights/safetensorsfile.h"
#include "model/weights/safetensorswriter.h"
#include "model/weights/weightfile.h"

#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include "testpathsqt.h"

using rsrefseg::SafetensorsFile;
using rsrefseg::SafetensorsWriter;
using rsrefseg::WeightFile;

namespace {

const QString kGolden = rsrefseg::test::qTestDataDir() + "/golden/";

bool sameTensors(const std::map<std::string, torch::Tensor> &a, const std::map<std::string, torch::Tensor> &b)
{
    if (a.size() != b.size()) {
        return false;
    }
    for (const auto &entry : a) {
        const auto it = b.find(entry.first);
        if (it == b.end() || it->second.scalar_type() != entry.second.scalar_type() ||
            !torch::equal(it->second, entry.second)) {
            return false;
        }
    }
    return true;
}

QString readError(const QString &path, bool folder)
{
    try {
        if (folder) {
            WeightFile::readHfFolder(path.toStdString());
        } else {
            WeightFile::readAll(path.toStdString());
        }
    } catch (const rsrefseg::Error &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

bool writeText(const QString &path, const std::string &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text.data(), static_cast<qint64>(text.size())) ==
                                                  static_cast<qint64>(text.size());
}

} // namespace

class TestWeightFile : public QObject
{
    Q_OBJECT

  private:
    QTemporaryDir mDir;
    std::map<std::string, torch::Tensor> mSiglip;
    std::map<std::string, torch::Tensor> mShardA; // names before "text_model.embeddings.z"
    std::map<std::string, torch::Tensor> mShardB;

    // A sharded folder: two shards written from mShardA/mShardB and the given index text.
    QString makeSharded(const QString &name, const nlohmann::json &index)
    {
        const QString dir = mDir.filePath(name);
        QDir().mkpath(dir);
        SafetensorsWriter::write((dir + "/model-00001-of-00002.safetensors").toStdString(), mShardA, {{"format", "pt"}});
        SafetensorsWriter::write((dir + "/model-00002-of-00002.safetensors").toStdString(), mShardB, {{"format", "pt"}});
        writeText(dir + "/model.safetensors.index.json", index.dump(2));
        return dir;
    }
    nlohmann::json goodIndex() const
    {
        nlohmann::json index;
        index["metadata"] = {{"total_size", 123}};
        for (const auto &entry : mShardA) {
            index["weight_map"][entry.first] = "model-00001-of-00002.safetensors";
        }
        for (const auto &entry : mShardB) {
            index["weight_map"][entry.first] = "model-00002-of-00002.safetensors";
        }
        return index;
    }
    void expectFolderError(const QString &name, const nlohmann::json &index, const QString &needle)
    {
        const QString dir = makeSharded(name, index);
        const QString message = readError(dir, true);
        QVERIFY2(message.contains(dir), qPrintable(message));
        QVERIFY2(message.contains(needle), qPrintable(message + "  lacks: " + needle));
    }

  private slots:
    void initTestCase()
    {
        QVERIFY(mDir.isValid());
        mSiglip = SafetensorsFile::open((kGolden + "siglip_tiny/model.safetensors").toStdString()).tensors();
        for (const auto &entry : mSiglip) {
            (entry.first < "text_model.encoder.layers.1" ? mShardA : mShardB).insert(entry);
        }
        QVERIFY(mShardA.size() > 10 && mShardB.size() > 10);
    }

    void dispatchesOnContent()
    {
        const auto safetensors = WeightFile::readAll((kGolden + "rsrefseg_tiny/model.safetensors").toStdString());
        QCOMPARE(safetensors.size(), size_t(339));
        const auto pth = WeightFile::readAll((kGolden + "rsrefseg_tiny/model.pth").toStdString());
        QVERIFY(sameTensors(safetensors, pth));

        // The extension does not matter.
        QVERIFY(QFile::copy(kGolden + "rsrefseg_tiny/model.pth", mDir.filePath("zip.safetensors")));
        QVERIFY(QFile::copy(kGolden + "rsrefseg_tiny/model.safetensors", mDir.filePath("st.pth")));
        QVERIFY(WeightFile::isZip(mDir.filePath("zip.safetensors").toStdString()));
        QVERIFY(!WeightFile::isZip(mDir.filePath("st.pth").toStdString()));
        QVERIFY(sameTensors(WeightFile::readAll(mDir.filePath("zip.safetensors").toStdString()), safetensors));
        QVERIFY(sameTensors(WeightFile::readAll(mDir.filePath("st.pth").toStdString()), safetensors));

        const auto fp16 = WeightFile::readAll((kGolden + "rsrefseg_tiny/model_deepspeed_fp16.pth").toStdString());
        QCOMPARE(fp16.size(), size_t(339));
        QCOMPARE(fp16.at("sam_mask_decoder.model.upscale_conv1.weight").scalar_type(), torch::kFloat16);
    }

    void badPaths()
    {
        QVERIFY(readError(mDir.filePath("missing.safetensors"), false).contains("no such file"));
        QVERIFY(readError(mDir.filePath("missing"), true).contains("not a folder"));
        QDir().mkpath(mDir.filePath("emptyfolder"));
        QVERIFY(readError(mDir.filePath("emptyfolder"), false).contains("no model.safetensors.index.json"));
        QVERIFY(writeText(mDir.filePath("garbage.bin"), "garbage that is neither format"));
        const QString message = readError(mDir.filePath("garbage.bin"), false);
        QVERIFY2(message.startsWith(mDir.filePath("garbage.bin") + ": "), qPrintable(message));
    }

    void singleFileFolder()
    {
        const QString dir = mDir.filePath("single");
        QDir().mkpath(dir);
        QVERIFY(QFile::copy(kGolden + "siglip_tiny/model.safetensors", dir + "/model.safetensors"));
        QVERIFY(sameTensors(WeightFile::readHfFolder(dir.toStdString()), mSiglip));
        QVERIFY(sameTensors(WeightFile::readAll(dir.toStdString()), mSiglip)); // a folder via readAll

        const QString bin = mDir.filePath("bin");
        QDir().mkpath(bin);
        QVERIFY(QFile::copy(kGolden + "rsrefseg_tiny/model.pth", bin + "/pytorch_model.bin"));
        QCOMPARE(WeightFile::readHfFolder(bin.toStdString()).size(), size_t(339));
    }

    void shardedFolder()
    {
        const QString dir = makeSharded("sharded", goodIndex());
        QVERIFY(sameTensors(WeightFile::readHfFolder(dir.toStdString()), mSiglip));
        // The index wins over a stale single file.
        SafetensorsWriter::write((dir + "/model.safetensors").toStdString(), {{"stale", torch::ones({1})}});
        QVERIFY(sameTensors(WeightFile::readHfFolder(dir.toStdString()), mSiglip));
        // Subfolders inside the folder are fine.
        nlohmann::json index = goodIndex();
        QDir().mkpath(dir + "/sub");
        QVERIFY(QFile::copy(dir + "/model-00002-of-00002.safetensors", dir + "/sub/b.safetensors"));
        for (const auto &entry : mShardB) {
            index["weight_map"][entry.first] = "sub/../sub/b.safetensors";
        }
        writeText(dir + "/model.safetensors.index.json", index.dump());
        QVERIFY(sameTensors(WeightFile::readHfFolder(dir.toStdString()), mSiglip));
    }

    void shardedErrors()
    {
        const std::string first = mShardA.begin()->first;
        const std::string firstB = mShardB.begin()->first;

        nlohmann::json index = goodIndex();
        index["weight_map"][firstB] = "model-00003-of-00002.safetensors";
        expectFolderError("missingshard", index, "shard 'model-00003-of-00002.safetensors' does not exist");

        index = goodIndex();
        index["weight_map"][firstB] = "../sharded/model-00002-of-00002.safetensors";
        expectFolderError("escape", index, "is not inside the folder");

        index = goodIndex();
        index["weight_map"][firstB] = (mDir.filePath("sharded") + "/model-00002-of-00002.safetensors").toStdString();
        expectFolderError("absolute", index, "is not inside the folder");

        index = goodIndex();
        index["weight_map"][first] = "model-00002-of-00002.safetensors"; // it is in shard 1
        expectFolderError("wrongshard", index, "missing tensor '" + QString::fromStdString(first) + "'");

        index = goodIndex();
        index["weight_map"].erase(firstB);
        expectFolderError("unlisted", index, "tensor '" + QString::fromStdString(firstB) + "' is not listed");

        index = goodIndex();
        index.erase("weight_map");
        expectFolderError("noweightmap", index, "no \"weight_map\"");

        index = goodIndex();
        index["weight_map"][first] = 5;
        expectFolderError("notstring", index, "is not a string");

        // A tensor present in both shards.
        {
            const QString dir = makeSharded("twice", goodIndex());
            auto b = mShardB;
            b[first] = mShardA.at(first);
            SafetensorsWriter::write((dir + "/model-00002-of-00002.safetensors").toStdString(), b);
            const QString message = readError(dir, true);
            QVERIFY2(message.contains("tensor '" + QString::fromStdString(first) + "' is also in shard"),
                     qPrintable(message));
        }
        // A name listed twice in the index text.
        {
            const QString dir = makeSharded("duplicate", goodIndex());
            std::string text = goodIndex().dump();
            const std::string entry = "\"" + first + "\":\"model-00001-of-00002.safetensors\"";
            text.replace(text.find(entry), entry.size(), entry + "," + entry);
            writeText(dir + "/model.safetensors.index.json", text);
            const QString message = readError(dir, true);
            QVERIFY2(message.contains("'" + QString::fromStdString(first) + "' is listed twice"), qPrintable(message));
        }
        // Invalid JSON, and a broken shard.
        {
            const QString dir = makeSharded("badjson", goodIndex());
            writeText(dir + "/model.safetensors.index.json", "{\"weight_map\": {");
            QVERIFY(readError(dir, true).contains("invalid JSON"));
            writeText(dir + "/model.safetensors.index.json", goodIndex().dump());
            writeText(dir + "/model-00002-of-00002.safetensors", "short");
            const QString message = readError(dir, true);
            QVERIFY2(message.contains("model-00002-of-00002.safetensors: not a safetensors file"), qPrintable(message));
        }
        // A symbolic link that points out of the folder.
        {
            const QString dir = makeSharded("symlink", goodIndex());
            QVERIFY(QFile::remove(dir + "/model-00002-of-00002.safetensors"));
            QVERIFY(QFile::link(mDir.filePath("sharded/model-00002-of-00002.safetensors"),
                                dir + "/model-00002-of-00002.safetensors"));
            QVERIFY(readError(dir, true).contains("is not inside the folder"));
        }
    }
};

QTEST_APPLESS_MAIN(TestWeightFile)
#include "test_weightfile.moc"
