// Tests GemmaTokenizer (RSRefSeg 2) against transformers v4.45.2's slow GemmaTokenizer
// (tests/data/golden/rsrefseg2/tokenizer_cases.json, fixture README §7): ids, attention masks
// and pieces exact for every text under all four add_bos/add_eos settings, the padded batch,
// the 64-position rule upstream lacks, and GemmaTokenizerSettings read from tokenizer_config.json.
#include "common/error.h"
#include "text/gemmatokenizer.h"
#include "text/gemmatokenizersettings.h"

#include "tokenizercases.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include "testpaths.h"

using rsrefseg::Error;
using rsrefseg::GemmaTokenizer;
using rsrefseg::GemmaTokenizerSettings;

using tokenizercases::toIds;
using tokenizercases::toStrings;

namespace {

std::string fixture(const std::string &name)
{
    return rsrefseg::test::testDataDir() + "/golden/rsrefseg2/" + name;
}

QJsonObject cases()
{
    QFile f(QString::fromStdString(fixture("tokenizer_cases.json")));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read tokenizer_cases.json");
    return QJsonDocument::fromJson(f.readAll()).object();
}

// "add_bos_token=true,add_eos_token=false" -> the options it names.
GemmaTokenizer::Options optionsOf(const QString &setting)
{
    GemmaTokenizer::Options o;
    o.addBos = setting.contains("add_bos_token=true");
    o.addEos = setting.contains("add_eos_token=true");
    o.maxPositions = 0; // the fixture is upstream's: no 64-position rule
    return o;
}

template <typename F> QString errorOf(F &&f)
{
    try {
        f();
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

GemmaTokenizerSettings parse(const char *json)
{
    return GemmaTokenizerSettings::parse(json, "cfg.json");
}

} // namespace

class TestGemmaTokenizer : public QObject
{
    Q_OBJECT

  private slots:
    void everyCaseUnderEverySetting()
    {
        const QJsonObject settings = cases().value("settings").toObject();
        QCOMPARE(settings.size(), 4);
        int checked = 0;
        for (const QString &setting : settings.keys()) {
            const GemmaTokenizer t(fixture("tokenizer.model"), optionsOf(setting));
            for (const auto &c : settings.value(setting).toObject().value("cases").toArray()) {
                const QJsonObject o = c.toObject();
                const QByteArray text = QByteArray::fromHex(o.value("text_utf8_hex").toString().toLatin1());
                const GemmaTokenizer::Encoding e = t.encode(text.toStdString());
                const QString where = setting + ": " + QString::fromUtf8(text);
                QVERIFY2(e.ids == toIds(o.value("input_ids")), qPrintable(where));
                QVERIFY2(e.attentionMask == toIds(o.value("attention_mask")), qPrintable(where));
                QVERIFY2(t.tokenize(text.toStdString()) == toStrings(o.value("pieces")), qPrintable(where));
                QVERIFY(!e.truncated);
                ++checked;
            }
        }
        QCOMPARE(checked, 4 * 13);
    }

    void batchIsPaddedOnTheRightWithPad()
    {
        const QJsonObject settings = cases().value("settings").toObject();
        for (const QString &setting : settings.keys()) {
            const QJsonObject b = settings.value(setting).toObject().value("batch_case").toObject();
            std::vector<std::string> texts;
            for (const auto &t : b.value("texts").toArray())
                texts.push_back(t.toString().toStdString());
            const GemmaTokenizer t(fixture("tokenizer.model"), optionsOf(setting));
            const GemmaTokenizer::BatchEncoding batch = t.encodeBatch(texts);
            const QJsonArray ids = b.value("input_ids").toArray();
            const QJsonArray mask = b.value("attention_mask").toArray();
            QCOMPARE(batch.ids.size(), size_t(2));
            for (int r = 0; r < 2; ++r) {
                QVERIFY2(batch.ids[r] == toIds(ids[r]), qPrintable(setting));
                QVERIFY2(batch.attentionMask[r] == toIds(mask[r]), qPrintable(setting));
            }
        }
    }

    void longTextKeepsItsFramingAndWarns()
    {
        // The fixture's long sentence has 95 ids with BOS only ("fits_text_model_64": false).
        const QJsonObject settings = cases().value("settings").toObject();
        for (const QString &setting : settings.keys()) {
            const QJsonArray list = settings.value(setting).toObject().value("cases").toArray();
            const QJsonObject longCase = list.last().toObject();
            QVERIFY(!longCase.value("fits_text_model_64").toBool());
            GemmaTokenizer::Options o = optionsOf(setting);
            o.maxPositions = 64;
            const GemmaTokenizer t(fixture("tokenizer.model"), o);
            const GemmaTokenizer::Encoding e = t.encode(longCase.value("text").toString().toStdString());
            QCOMPARE(e.ids.size(), size_t(64));
            QVERIFY(e.truncated);
            QVERIFY2(e.warning.find("more than the text model's 64 positions") != std::string::npos, e.warning.c_str());
            // The upstream ids without the 64 rule, cut: framing kept, the first pieces in order.
            std::vector<int64_t> upstream = toIds(longCase.value("input_ids"));
            std::vector<int64_t> expected(upstream.begin(), upstream.begin() + (o.addEos ? 63 : 64));
            if (o.addEos)
                expected.push_back(1);
            QVERIFY2(e.ids == expected, qPrintable(setting));
            QCOMPARE(e.attentionMask, std::vector<int64_t>(64, 1));
        }
    }

    void specialTokensInTheTextBecomeTheirIds()
    {
        // "a ship" is a, ▁s, h, i, p = 322 282 325 326 338 in the fixture; sentencepiece splits
        // words at spaces, so the chunks around a literal special encode the same way.
        GemmaTokenizer::Options o;
        o.addBos = false;
        const GemmaTokenizer t(fixture("tokenizer.model"), o);
        const GemmaTokenizer::Encoding e = t.encode("a<eos> ship<unk>");
        QCOMPARE(e.ids, (std::vector<int64_t>{322, 1, 282, 325, 326, 338, 3}));
        QCOMPARE(e.pieces[1], std::string("<eos>"));
        QCOMPARE(e.pieces.back(), std::string("<unk>"));
    }

    void refusesBadInput()
    {
        const GemmaTokenizer t(fixture("tokenizer.model"), GemmaTokenizer::Options{});
        QVERIFY(errorOf([&] { t.encode("\xC3\x28"); }).contains("not valid UTF-8"));
        // A SigLIP (T5) model is not a Gemma model: named, with the piece that is missing.
        const std::string siglip = rsrefseg::test::testDataDir() + "/golden/siglip_tiny/spiece.model";
        const QString message = errorOf([&] { GemmaTokenizer(siglip, GemmaTokenizer::Options{}); });
        QVERIFY2(message.contains("is not a Gemma tokenizer model") && message.contains("spiece.model"), qPrintable(message));
        QVERIFY(errorOf([&] { GemmaTokenizer(fixture("missing.model"), GemmaTokenizer::Options{}); }).contains("missing.model"));
    }

    void settingsFromTheFixturesConfig()
    {
        const GemmaTokenizerSettings s = GemmaTokenizerSettings::read(fixture("tokenizer_config.json"));
        QVERIFY(s.addBos);
        QVERIFY(!s.addEos);
        QVERIFY(s.notes.empty());
    }

    void settingsWithoutFlagsTakeTheDefaultsWithANote()
    {
        const GemmaTokenizerSettings s = parse(R"({"tokenizer_class": "GemmaTokenizer"})");
        QVERIFY(s.addBos);
        QVERIFY(!s.addEos);
        QCOMPARE(s.notes.size(), size_t(2));
        QVERIFY(QString::fromStdString(s.notes[0]).contains("has no add_bos_token"));
        const GemmaTokenizerSettings both = parse(R"({"add_bos_token": false, "add_eos_token": true})");
        QVERIFY(!both.addBos);
        QVERIFY(both.addEos);
        QVERIFY(both.notes.empty());
    }

    void badSettingsAreNamed()
    {
        QVERIFY(errorOf([] { parse(R"({"add_bos_token": "yes"})"); }).contains("cfg.json: field 'add_bos_token'"));
        QVERIFY(errorOf([] { parse("[1, 2]"); }).contains("expected a JSON object"));
        QVERIFY(errorOf([] { parse("{"); }).contains("cfg.json: invalid JSON"));
        QVERIFY(errorOf([] { parse(R"({"padding_side": "left"})"); }).contains("not supported"));
        QVERIFY(errorOf([] { GemmaTokenizerSettings::read("/nonexistent/tokenizer_config.json"); })
                    .contains("/nonexistent/tokenizer_config.json"));
    }
};

QTEST_GUILESS_MAIN(TestGemmaTokenizer)
#include "test_gemmatokenizer.moc"
