// AtomicOutput: what a writer puts at tempPath() (a hidden folder next to the final path)
// appears at the final path only at commit(), a family of files (a Shapefile's) moves
// together, an output destroyed uncommitted leaves nothing, and every refusal (existing
// output, missing folder, a folder as path, a clash in the family, nothing written) names the
// problem and changes nothing on disk.
#include "common/error.h"
#include "geo/atomicoutput.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace rsrefseg;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QStringList entries(const QString &dir)
{
    QStringList l = QDir(dir).entryList(QDir::Hidden | QDir::AllEntries | QDir::NoDotAndDotDot);
    l.sort();
    return l;
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

} // namespace

class TestAtomicOutput : public QObject
{
    Q_OBJECT
  private:
    QTemporaryDir mDir;
    int mCase = 0;

    QString freshDir()
    {
        const QString d = mDir.filePath(QString::number(++mCase));
        QDir().mkpath(d);
        return d;
    }

    // Expects the constructor to throw an Error containing `part`.
    static bool refuses(const QString &path, bool overwrite, const QString &part)
    {
        try {
            AtomicOutput out(path.toStdString(), overwrite);
        } catch (const Error &e) {
            if (QString::fromUtf8(e.what()).contains(part))
                return true;
            qWarning("unexpected message: %s", e.what());
            return false;
        }
        qWarning("no exception for %s", qPrintable(path));
        return false;
    }

  private slots:
    void initTestCase() { QVERIFY(mDir.isValid()); }

    void appearsOnlyAtCommit()
    {
        const QString dir = freshDir();
        const QString target = dir + QStringLiteral("/mask.tif");
        AtomicOutput out(target.toStdString(), false);
        QCOMPARE(qs(out.finalPath()), target);
        // The temporary file has the final name, in a hidden folder of the same folder.
        const QFileInfo temp(qs(out.tempPath()));
        QCOMPARE(temp.fileName(), QStringLiteral("mask.tif"));
        QVERIFY(temp.dir().dirName().startsWith(QStringLiteral(".mask.tif")));
        QCOMPARE(QFileInfo(temp.dir().absolutePath()).dir().absolutePath(), QFileInfo(dir).absoluteFilePath());
        QVERIFY(writeFile(temp.filePath(), "pixels"));
        QVERIFY(!QFileInfo::exists(target));
        QCOMPARE(entries(dir), QStringList{temp.dir().dirName()});
        out.commit();
        QCOMPARE(readFile(target), QByteArray("pixels"));
        QCOMPARE(entries(dir), QStringList{QStringLiteral("mask.tif")}); // the hidden folder is gone
        out.commit(); // a second commit changes nothing
        QCOMPARE(entries(dir), QStringList{QStringLiteral("mask.tif")});
    }

    void familyMovesTogether()
    {
        const QString dir = freshDir();
        AtomicOutput out((dir + QStringLiteral("/roofs.shp")).toStdString(), false);
        const QFileInfo temp(qs(out.tempPath()));
        for (const QString &ext : {QStringLiteral("shp"), QStringLiteral("shx"), QStringLiteral("dbf"), QStringLiteral("prj")})
            QVERIFY(writeFile(temp.dir().filePath(QStringLiteral("roofs.") + ext), ext.toUtf8()));
        out.commit();
        QCOMPARE(entries(dir), (QStringList{QStringLiteral("roofs.dbf"), QStringLiteral("roofs.prj"),
                                            QStringLiteral("roofs.shp"), QStringLiteral("roofs.shx")}));
        QCOMPARE(readFile(dir + QStringLiteral("/roofs.dbf")), QByteArray("dbf"));
    }

    void destroyedUncommittedLeavesNothing()
    {
        const QString dir = freshDir();
        {
            AtomicOutput out((dir + QStringLiteral("/v.gpkg")).toStdString(), false);
            QVERIFY(writeFile(qs(out.tempPath()), "half written"));
        }
        QCOMPARE(entries(dir), QStringList());
    }

    // Two outputs for one path at once do not share a temporary folder.
    void concurrentOutputsAreSeparate()
    {
        const QString dir = freshDir();
        AtomicOutput a((dir + QStringLiteral("/x.tif")).toStdString(), true);
        AtomicOutput b((dir + QStringLiteral("/x.tif")).toStdString(), true);
        QVERIFY(a.tempPath() != b.tempPath());
        QVERIFY(writeFile(qs(a.tempPath()), "a"));
        QVERIFY(writeFile(qs(b.tempPath()), "b"));
        a.commit();
        b.commit();
        QCOMPARE(readFile(dir + QStringLiteral("/x.tif")), QByteArray("b"));
        QCOMPARE(entries(dir), QStringList{QStringLiteral("x.tif")});
    }

    void existingOutputNeedsOverwrite()
    {
        const QString dir = freshDir();
        const QString target = dir + QStringLiteral("/mask.tif");
        QVERIFY(writeFile(target, "old"));
        QVERIFY(refuses(target, false, QStringLiteral("already exists")));
        QCOMPARE(entries(dir), QStringList{QStringLiteral("mask.tif")});
        QCOMPARE(readFile(target), QByteArray("old"));
        {
            AtomicOutput out(target.toStdString(), true);
            QVERIFY(writeFile(qs(out.tempPath()), "new"));
            QCOMPARE(readFile(target), QByteArray("old")); // until commit
            out.commit();
        }
        QCOMPARE(readFile(target), QByteArray("new"));
    }

    void refusesPathsItCannotWrite()
    {
        const QString dir = freshDir();
        QVERIFY(refuses(dir + QStringLiteral("/missing/mask.tif"), false, QStringLiteral("does not exist")));
        QDir().mkpath(dir + QStringLiteral("/sub"));
        QVERIFY(refuses(dir + QStringLiteral("/sub"), true, QStringLiteral("is a directory")));
        QVERIFY(refuses(dir + QStringLiteral("/sub/"), true, QStringLiteral("no file name")));
        QCOMPARE(entries(dir), QStringList{QStringLiteral("sub")});
        QCOMPARE(entries(dir + QStringLiteral("/sub")), QStringList());
    }

    // Commit checks every name of the family before moving any: a clash moves nothing.
    void clashInTheFamilyMovesNothing()
    {
        const QString dir = freshDir();
        QVERIFY(writeFile(dir + QStringLiteral("/roofs.dbf"), "someone else's"));
        auto out = std::make_unique<AtomicOutput>((dir + QStringLiteral("/roofs.shp")).toStdString(), false);
        const QFileInfo temp(qs(out->tempPath()));
        QVERIFY(writeFile(temp.filePath(), "shp"));
        QVERIFY(writeFile(temp.dir().filePath(QStringLiteral("roofs.dbf")), "dbf"));
        QVERIFY(writeFile(temp.dir().filePath(QStringLiteral("roofs.aaa")), "aaa")); // no clash: would move if names were not all checked first
        QVERIFY_THROWS_EXCEPTION(Error, out->commit());
        QCOMPARE(readFile(dir + QStringLiteral("/roofs.dbf")), QByteArray("someone else's"));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/roofs.shp")));
        QVERIFY(!QFileInfo::exists(dir + QStringLiteral("/roofs.aaa")));
        out.reset();
        QCOMPARE(entries(dir), QStringList{QStringLiteral("roofs.dbf")});
    }

    void nothingWrittenIsAnError()
    {
        const QString dir = freshDir();
        {
            AtomicOutput out((dir + QStringLiteral("/empty.tif")).toStdString(), false);
            try {
                out.commit();
                QFAIL("no exception");
            } catch (const Error &e) {
                QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("produced no file")), e.what());
            }
        }
        QCOMPARE(entries(dir), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestAtomicOutput)
#include "test_atomicoutput.moc"
