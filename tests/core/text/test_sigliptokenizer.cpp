// Tests SiglipTokenizer against transformers v4.45.2 (tests/data/golden/siglip_tiny/
// tokenizer_cases.json, golden README §7) and the long-input rule of SiglipTokenizer::encode (keep the first ids, end with EOS, warn).
#include "common/error.h"
#include "text/sigliptokenizer.h"

#include "tokenizercases.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <fstream>
#include <memory>
#include <thread>
#include "testpathsqt.h"

using rsrefseg::Error;
using rsrefseg::SiglipTokenizer;

using tokenizercases::toIds;
using tokenizercases::toStrings;

namespace {

const std::string kModel = rsrefseg::test::testDataDir() + "/golden/siglip_tiny/spiece.model";
const QString kCases = rsrefseg::test::qTestDataDir() + "/golden/siglip_tiny/tokenizer_cases.json";

QByteArray hexToBytes(const QString &hex)
{
    return QByteArray::fromHex(hex.toLatin1());
}

template <typename T> QString show(const std::vector<T> &values)
{
    QStringList parts;
    for (const auto &v : values) {
        if constexpr (std::is_same_v<T, std::string>)
            parts << QString::fromStdString(v);
        else
            parts << QString::number(v);
    }
    return "[" + parts.join(", ") + "]";
}

template <typename F> QString errorOf(F &&f)
{
    try {
        f();
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return QString();
}

} // namespace

class TestSiglipTokenizer : public QObject
{
    Q_OBJECT

    QJsonObject mGolden;
    std::unique_ptr<SiglipTokenizer> mTokenizer;

    QJsonArray cases() const { return mGolden.value("cases").toArray(); }

    void addCaseRows()
    {
        QTest::addColumn<int>("index");
        const QJsonArray all = cases();
        for (int i = 0; i < all.size(); ++i) {
            const QString text = all[i].toObject().value("text").toString();
            QTest::newRow(qPrintable(QString("%1: %2").arg(i).arg(text.left(40)))) << i;
        }
    }

  private slots:
    void initTestCase()
    {
        QFile file(kCases);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(kCases));
        mGolden = QJsonDocument::fromJson(file.readAll()).object();
        QVERIFY(cases().size() >= 25);
        mTokenizer = std::make_unique<SiglipTokenizer>(kModel);
        const QJsonObject special = mGolden.value("special").toObject();
        QCOMPARE(mTokenizer->eosId(), special.value("eos_token_id").toInteger());
        QCOMPARE(mTokenizer->padId(), special.value("pad_token_id").toInteger());
        QCOMPARE(mTokenizer->unkId(), special.value("unk_token_id").toInteger());
        QCOMPARE(int64_t(mTokenizer->vocabSize()), special.value("vocab_size").toInteger());
        QCOMPARE(mTokenizer->options().maxPositions, 64);
        // The fixture's text_utf8_hex is what the text field says (guards the JSON reading).
        for (const auto &c : cases()) {
            const QJsonObject o = c.toObject();
            QCOMPARE(o.value("text").toString().toUtf8(), hexToBytes(o.value("text_utf8_hex").toString()));
        }
    }

    void goldenCase_data() { addCaseRows(); }
    void goldenCase()
    {
        QFETCH(int, index);
        const QJsonObject c = cases()[index].toObject();
        const std::string text = hexToBytes(c.value("text_utf8_hex").toString()).toStdString();
        const auto ids = toIds(c.value("input_ids"));
        const auto mask = toIds(c.value("attention_mask"));
        const auto pieces = toStrings(c.value("pieces"));

        const SiglipTokenizer::Encoding e = mTokenizer->encode(text);
        QCOMPARE(e.pieces.size(), e.ids.size());
        QCOMPARE(e.attentionMask.size(), e.ids.size());
        QCOMPARE(e.ids.back(), int64_t(1));

        if (c.value("fits_text_model").toBool()) {
            QVERIFY2(e.ids == ids, qPrintable(show(e.ids) + " != " + show(ids)));
            QVERIFY(e.attentionMask == mask);
            // The fixture's pieces are tokenize()'s (no EOS); ours carry "</s>" for an added EOS.
            QCOMPARE(mTokenizer->tokenize(text), pieces);
            auto expected = pieces;
            if (ids.size() == pieces.size() + 1)
                expected.push_back("</s>");
            QVERIFY2(e.pieces == expected, qPrintable(show(e.pieces) + " != " + show(expected)));
            QVERIFY(!e.truncated);
            QVERIFY(e.warning.empty());
        } else {
            // Longer than the text tower's 64 positions: first 63 ids, then EOS, and a warning.
            QVERIFY(ids.size() > 64);
            std::vector<int64_t> expected(ids.begin(), ids.begin() + 63);
            expected.push_back(1);
            QVERIFY2(e.ids == expected, qPrintable(show(e.ids) + " != " + show(expected)));
            QVERIFY(e.attentionMask == std::vector<int64_t>(64, 1));
            std::vector<std::string> expectedPieces(pieces.begin(), pieces.begin() + 63);
            expectedPieces.push_back("</s>");
            QVERIFY(e.pieces == expectedPieces);
            QVERIFY(e.truncated);
            QVERIFY(!e.warning.empty());
            const QString warning = QString::fromStdString(e.warning);
            QVERIFY2(warning.contains("64") && warning.contains("63"), qPrintable(warning));
            // The untruncated token list is the fixture's (up to upstream's 127).
            const auto all = mTokenizer->tokenize(text);
            QCOMPARE(all.size(), pieces.size());
            QVERIFY(all == pieces);
        }
    }

    // Without the 64-position rule the ids are upstream's exactly, long inputs included
    // (max_length=128: 127 tokens + EOS).
    void upstreamTruncation_data() { addCaseRows(); }
    void upstreamTruncation()
    {
        QFETCH(int, index);
        static const SiglipTokenizer upstream(kModel, [] {
            SiglipTokenizer::Options o;
            o.maxPositions = 0;
            return o;
        }());
        const QJsonObject c = cases()[index].toObject();
        const auto ids = toIds(c.value("input_ids"));
        const auto e = upstream.encode(c.value("text").toString().toStdString());
        QVERIFY2(e.ids == ids, qPrintable(show(e.ids) + " != " + show(ids)));
        QVERIFY(e.attentionMask == toIds(c.value("attention_mask")));
        const bool cutByUpstream = toStrings(c.value("pieces")).size() + 1 > 128;
        QCOMPARE(e.truncated, cutByUpstream);
    }

    void canonicalText_data() { addCaseRows(); }
    void canonicalText()
    {
        QFETCH(int, index);
        const QJsonObject c = cases()[index].toObject();
        const std::string text = c.value("text").toString().toStdString();
        QCOMPARE(QString::fromStdString(SiglipTokenizer::canonicalizeText(SiglipTokenizer::lowerCase(text))),
                 c.value("canonical_text_whole_string").toString());
    }

    void batchCase()
    {
        const QJsonObject b = mGolden.value("batch_case").toObject();
        std::vector<std::string> texts;
        for (const auto &t : b.value("texts").toArray())
            texts.push_back(t.toString().toStdString());
        const auto batch = mTokenizer->encodeBatch(texts);
        const QJsonArray ids = b.value("input_ids").toArray();
        const QJsonArray mask = b.value("attention_mask").toArray();
        QCOMPARE(batch.ids.size(), size_t(ids.size()));
        QCOMPARE(batch.rows.size(), texts.size());
        QCOMPARE(batch.length, size_t(ids[0].toArray().size()));
        for (int i = 0; i < ids.size(); ++i) {
            QVERIFY2(batch.ids[size_t(i)] == toIds(ids[i]), qPrintable(show(batch.ids[size_t(i)])));
            QVERIFY(batch.attentionMask[size_t(i)] == toIds(mask[i]));
            QVERIFY(batch.rows[size_t(i)].ids == mTokenizer->encode(texts[size_t(i)]).ids);
        }
        QVERIFY(!batch.truncated);

        QCOMPARE(mTokenizer->encodeBatch({}).ids.size(), size_t(0));

        // A long row is cut to 64 and flags the batch.
        const std::string longText = cases()[cases().size() - 1].toObject().value("text").toString().toStdString();
        const auto mixed = mTokenizer->encodeBatch({"plane", longText});
        QCOMPARE(mixed.length, size_t(64));
        QVERIFY(mixed.truncated);
        QCOMPARE(mixed.ids[0].size(), size_t(64));
        QCOMPARE(mixed.ids[0][0], int64_t(mTokenizer->encode("plane").ids[0]));
        QCOMPARE(mixed.ids[0][2], int64_t(1)); // padding
        QCOMPARE(mixed.attentionMask[0][1], int64_t(1));
        QCOMPARE(mixed.attentionMask[0][2], int64_t(0));
    }

    void emptyInputsGiveEos_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("empty") << "";
        QTest::newRow("spaces") << "   ";
        QTest::newRow("tabs and newlines") << "\t\n \r\n";
        QTest::newRow("unicode spaces") << QString::fromUtf8("\u3000\u00a0\u2003");
        QTest::newRow("punctuation") << "!!!";
        QTest::newRow("all ASCII punctuation") << "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
        QTest::newRow("underline") << QString::fromUtf8("\u2581");
    }
    void emptyInputsGiveEos()
    {
        QFETCH(QString, text);
        const auto e = mTokenizer->encode(text.toStdString());
        QVERIFY2(e.ids == std::vector<int64_t>{1}, qPrintable(show(e.ids)));
        QVERIFY(e.attentionMask == std::vector<int64_t>{1});
        QVERIFY(e.pieces == std::vector<std::string>{"</s>"});
    }

    void lowerCaseIsPythons()
    {
        // Python: ''.join(c.lower() for c in s) -- transformers lower-cases one character at a
        // time (regex "(.+?)"), so a final capital sigma becomes 'σ', not 'ς'.
        const std::string upper = "\xC3\x89"
                                  "COLE \xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91 "
                                  "\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3 \xC4\xB0stanbul "
                                  "\xC3\x80\xC3\x87\xC3\x91 \xEF\xBC\xB4\xEF\xBD\x81";
        const std::string lower = "\xC3\xA9"
                                  "cole \xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1 "
                                  "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x83 i\xCC\x87stanbul "
                                  "\xC3\xA0\xC3\xA7\xC3\xB1 \xEF\xBD\x94\xEF\xBD\x81";
        QVERIFY2(SiglipTokenizer::hasUnicodeLowerCase(), "no C.UTF-8 locale on this machine");
        QCOMPARE(QString::fromStdString(SiglipTokenizer::lowerCase(upper)), QString::fromStdString(lower));
        // The tokenizer applies it: upper-case non-ASCII text encodes like its lower case.
        QVERIFY(mTokenizer->encode("CAF\xC3\x89 NEAR THE HARBOR").ids ==
                mTokenizer->encode("caf\xC3\xA9 near the harbor").ids);
        QVERIFY(mTokenizer
                    ->encode("NA\xC3\x8FVE FA\xC3\x87"
                             "ADE")
                    .ids == mTokenizer
                                ->encode("na\xC3\xAFve fa\xC3\xA7"
                                         "ade")
                                .ids);
    }

    void specialTokensAfterLowerCasing()
    {
        // transformers lower-cases before splitting on special tokens, so "</S>" and "<UNK>"
        // become the special tokens too.
        QVERIFY(mTokenizer->encode("the tank </S> on the left").ids ==
                mTokenizer->encode("the tank </s> on the left").ids);
        QVERIFY(mTokenizer->encode("A <UNK> OBJECT").ids == mTokenizer->encode("a <unk> object").ids);
        // A text ending in the EOS literal gets no second EOS.
        const auto e = mTokenizer->encode("plane </s>");
        QCOMPARE(e.ids.back(), int64_t(1));
        QVERIFY(e.ids[e.ids.size() - 2] != 1);
        // A leading special token loses the '▁' in front of it.
        QCOMPARE(mTokenizer->tokenize("</s> plane").front(), std::string("</s>"));
    }

    void invalidUtf8IsAnError()
    {
        for (const std::string &bad : {std::string("\xC3"),
                                       std::string("a\xFF"
                                                   "b"),
                                       std::string("\xED\xA0\x80"), std::string("\xC0\xAF")}) {
            const QString message = errorOf([&] { mTokenizer->encode(bad); });
            QVERIFY2(message.contains("UTF-8"), qPrintable(message));
        }
    }

    void threadsGiveIdenticalIds()
    {
        std::vector<std::string> texts;
        std::vector<std::vector<int64_t>> expected;
        for (const auto &c : cases()) {
            texts.push_back(c.toObject().value("text").toString().toStdString());
            expected.push_back(mTokenizer->encode(texts.back()).ids);
        }
        std::atomic<int> mismatches{0};
        std::atomic<int> failures{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < 200; ++i) {
                    const size_t k = size_t(t * 7 + i) % texts.size();
                    try {
                        if (mTokenizer->encode(texts[k]).ids != expected[k])
                            ++mismatches;
                    } catch (...) {
                        ++failures;
                    }
                }
            });
        }
        for (auto &thread : threads)
            thread.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(mismatches.load(), 0);
    }

    void missingModelIsAnError()
    {
        const QString message = errorOf([] { (void)SiglipTokenizer("/nonexistent/spiece.model"); });
        QVERIFY2(message.contains("/nonexistent/spiece.model"), qPrintable(message));
    }

    void nonModelFileIsAnError()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string path = dir.filePath("spiece.model").toStdString();
        {
            std::ofstream out(path, std::ios::binary);
            out << "not a model";
        }
        const QString message = errorOf([&] { (void)SiglipTokenizer(path); });
        QVERIFY2(message.contains(QString::fromStdString(path)), qPrintable(message));
    }

    void missingPluginIsAnError()
    {
        SiglipTokenizer::Options options;
        options.pluginPath = "/nonexistent/plugins/librsrefseg_spm.so";
        const QString message = errorOf([&] { (void)SiglipTokenizer(kModel, options); });
        QVERIFY2(message.contains("/nonexistent/plugins/librsrefseg_spm.so"), qPrintable(message));
        QVERIFY2(message.contains("plugin"), qPrintable(message));
    }

    void badOptionsAreAnError()
    {
        SiglipTokenizer::Options options;
        options.maxPositions = 1;
        QVERIFY(errorOf([&] { (void)SiglipTokenizer(kModel, options); }).contains("maxPositions"));
        options = SiglipTokenizer::Options();
        options.maxLength = 1;
        QVERIFY(errorOf([&] { (void)SiglipTokenizer(kModel, options); }).contains("maxLength"));

        // A smaller text tower: the same rule at its own size.
        options = SiglipTokenizer::Options();
        options.maxPositions = 4;
        const SiglipTokenizer small(kModel, options);
        const auto e = small.encode("the white storage tank on the left");
        QVERIFY(e.ids == (std::vector<int64_t>{3, 79, 60, 1}));
        QVERIFY(e.truncated);
    }
};

QTEST_APPLESS_MAIN(TestSiglipTokenizer)
#include "test_sigliptokenizer.moc"
