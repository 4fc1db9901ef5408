// ReferringRefs on refs(unc).p pickles written here as Python 2 writes them (protocol 2, str and
// unicode, memo hits): every field read back; hostile pickles (os.system, builtins.eval through
// STACK_GLOBAL, a persistent id) refused by name without running anything; truncated and
// wrong-typed pickles named.
#include "core/data/picklewriter.h"
#include "data/referringrefs.h"

#include "common/error.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

using namespace rsrefseg;
using pickletest::Py;

namespace {

Py oneRef(Py refId)
{
    return Py::dict({{"image_id", Py::integer(2934)},
                     {"split", Py::str("train")},
                     {"sentences", Py::list({Py::dict({{"tokens", Py::list({Py::str("the"), Py::str("field")})},
                                                       {"raw", Py::str("The baseball field on the top")},
                                                       {"sent_id", Py::integer(2934)},
                                                       {"sent", Py::str("The baseball field on the top")}})})},
                     {"file_name", Py::str("02934.jpg")},
                     {"category_id", Py::integer(4)},
                     {"ann_id", Py::integer(2934)},
                     {"sent_ids", Py::list({Py::integer(2934)})},
                     {"ref_id", std::move(refId)}});
}

QString errorOf(const std::string &bytes)
{
    try {
        ReferringRefs::parse(bytes.data(), bytes.size(), "refs(unc).p");
    } catch (const Error &e) {
        return QString::fromStdString(e.what());
    }
    return QString();
}

} // namespace

class TestReferringRefs : public QObject
{
    Q_OBJECT

  private slots:
    void readsEveryField()
    {
        Py second = oneRef(Py::integer(70000)); // BININT2 / BININT
        second.pairs[0].second = Py::integer(3000000000LL); // LONG1 (a Python 2 long)
        second.pairs[2].second.items[0].pairs[3].second = Py::unicode("the tank\xc3\xa9");
        const std::string bytes = pickletest::dumps(Py::list({oneRef(Py::integer(7)), second}));
        // The second ref's keys come from the memo (BINGET), as in cPickle's output.
        QCOMPARE(bytes.find("file_name", bytes.find("file_name") + 1), std::string::npos);
        const std::vector<ReferringRef> refs = ReferringRefs::parse(bytes.data(), bytes.size(), "refs(unc).p");
        QCOMPARE(refs.size(), std::size_t(2));
        const ReferringRef &a = refs[0];
        QCOMPARE(a.index, std::size_t(0));
        QCOMPARE(a.refId, std::int64_t(7));
        QCOMPARE(a.annId, std::int64_t(2934));
        QCOMPARE(a.imageId, std::int64_t(2934));
        QCOMPARE(a.categoryId, std::int64_t(4));
        QCOMPARE(a.split, std::string("train"));
        QCOMPARE(a.fileName, std::string("02934.jpg"));
        QCOMPARE(a.sentences.size(), std::size_t(1));
        QCOMPARE(a.sentences[0].sentId, std::int64_t(2934));
        QCOMPARE(a.sentences[0].sent, std::string("The baseball field on the top"));
        QCOMPARE(refs[1].refId, std::int64_t(70000));
        QCOMPARE(refs[1].imageId, std::int64_t(3000000000LL));
        QCOMPARE(refs[1].sentences[0].sent, std::string("the tank\xc3\xa9"));
        QCOMPARE(QString::fromStdString(refs[1].label()), QString("ref 1 (ref_id 70000)"));
    }

    void longStringsAndLatin1()
    {
        const std::string longSentence(300, 'x'); // BINSTRING (4-byte length)
        Py ref = oneRef(Py::integer(1));
        ref.pairs[2].second.items[0].pairs[3].second = Py::str(longSentence);
        ref.pairs[3].second = Py::str("caf\xe9.jpg"); // Latin-1 bytes in a Python 2 str
        const std::string bytes = pickletest::dumps(Py::list({ref}));
        const auto refs = ReferringRefs::parse(bytes.data(), bytes.size(), "refs(unc).p");
        QCOMPARE(refs[0].sentences[0].sent, longSentence);
        QCOMPARE(refs[0].fileName, std::string("caf\xc3\xa9.jpg"));
    }

    void refusesGlobalsWithoutRunningThem()
    {
        QTemporaryDir dir;
        const std::string marker = dir.filePath("ran").toStdString();
        const std::string hostile = pickletest::osSystemPickle(marker);
        const QString error = errorOf(hostile);
        QVERIFY2(error.contains("refusing to load global 'os.system'"), qPrintable(error));
        QVERIFY2(error.contains("refs(unc).p"), qPrintable(error));
        QVERIFY(!std::filesystem::exists(marker));
        // Protocol 4's STACK_GLOBAL, a global allowed in checkpoints, and a persistent id.
        const std::string stackGlobal = std::string("\x80\x04\x8c\x08" "builtins\x8c\x04" "eval\x93)R.", 22);
        QVERIFY2(errorOf(stackGlobal).contains("refusing to load global 'builtins.eval'"), qPrintable(errorOf(stackGlobal)));
        const std::string ordered = "\x80\x02" "ccollections\nOrderedDict\n)R.";
        QVERIFY2(errorOf(ordered).contains("'collections.OrderedDict'"), qPrintable(errorOf(ordered)));
        const std::string persistent = "\x80\x02K\x01Q.";
        QVERIFY2(errorOf(persistent).contains("persistent id"), qPrintable(errorOf(persistent)));
    }

    void truncatedAtEveryByte()
    {
        const std::string bytes = pickletest::dumps(Py::list({oneRef(Py::integer(7))}));
        for (std::size_t n = 0; n + 1 < bytes.size(); ++n) {
            const QString error = errorOf(bytes.substr(0, n));
            QVERIFY2(!error.isEmpty(), qPrintable(QString("prefix %1 accepted").arg(n)));
            QVERIFY2(error.startsWith("refs(unc).p"), qPrintable(error));
        }
        const QString half = errorOf(bytes.substr(0, bytes.size() / 2));
        QVERIFY2(half.contains("truncated pickle") || half.contains("runs past the end"), qPrintable(half));
    }

    void namesTheRefAndField()
    {
        Py noAnn = oneRef(Py::integer(55));
        noAnn.pairs.erase(noAnn.pairs.begin() + 5); // ann_id
        QCOMPARE(errorOf(pickletest::dumps(Py::list({oneRef(Py::integer(1)), noAnn}))),
                 QString("refs(unc).p: ref 1 (ref_id 55): \"ann_id\" is missing"));
        Py badSplit = oneRef(Py::integer(56));
        badSplit.pairs[1].second = Py::integer(3);
        QCOMPARE(errorOf(pickletest::dumps(Py::list({badSplit}))),
                 QString("refs(unc).p: ref 0 (ref_id 56): \"split\" is not a string"));
        Py noSentences = oneRef(Py::integer(57));
        noSentences.pairs[2].second = Py::list({});
        QVERIFY(errorOf(pickletest::dumps(Py::list({noSentences}))).contains("\"sentences\" is empty"));
        QVERIFY(errorOf(pickletest::dumps(Py::dict({}))).contains("expected a list of refs"));
        QVERIFY(errorOf(pickletest::dumps(Py::list({}))).contains("holds no refs"));
        QVERIFY(errorOf(pickletest::dumps(Py::list({Py::integer(1)}))).contains("ref 0 is not a dict"));
    }

    void readsFiles()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("refs(unc).p").toStdString();
        QVERIFY_THROWS_EXCEPTION(Error, ReferringRefs::read(path));
        const std::string bytes = pickletest::dumps(Py::list({oneRef(Py::integer(9))}));
        std::ofstream(path, std::ios::binary) << bytes;
        QCOMPARE(ReferringRefs::read(path).at(0).refId, std::int64_t(9));
    }
};

QTEST_GUILESS_MAIN(TestReferringRefs)
#include "test_referringrefs.moc"
