// BatchDialog: a folder of rasters x a list of queries through the worker with the CLI's
// BatchRunner: outputs per raster and query, a manifest, a log with the summary; a second
// run with "resume" skips everything; invalid input is reported in the log, not run.
#include "ui/appsettings.h"
#include "ui/batchdialog.h"
#include "ui/jobprogresspanel.h"

#include "uitestsupport.h"

#include <QDirIterator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rsrefseg;

class TestBatchDialog : public QObject
{
    Q_OBJECT
  private slots:
    void runsAFolderAndResumes()
    {
        QTemporaryDir dir;
        QDir().mkpath(dir.filePath(QStringLiteral("in")));
        uitest::writeRedSquareRaster(dir.filePath(QStringLiteral("in/a.tif")), 128, 0, 0, 32);
        uitest::writeRedSquareRaster(dir.filePath(QStringLiteral("in/b.tif")), 128, 64, 64, 32);
        AppSettings settings(dir.filePath(QStringLiteral("s.ini")));
        settings.setTileSize(64);
        settings.setOverlap(0);
        SegmentationWorker worker(uitest::fixedFactory(std::make_shared<ColourTestModel>()));

        auto *d = new BatchDialog(&worker, &settings);
        d->setInputFolder(dir.filePath(QStringLiteral("in")));
        d->setOutputFolder(dir.filePath(QStringLiteral("out")));
        d->setQueries({QStringLiteral("red"), QStringLiteral("# a comment"), QStringLiteral("bright things")});
        QString error;
        const BatchRunner::Options o = d->options(&error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(int(o.queries.size()), 2);
        QSignalSpy done(d, &BatchDialog::batchFinished);
        QVERIFY(d->startBatch());
        QVERIFY(done.wait(30000));
        QVERIFY(done.first().at(0).toBool());
        QVERIFY2(d->progressPanel()->logText().contains(QStringLiteral("4 done, 0 failed, 0 skipped")),
                 qPrintable(d->progressPanel()->logText()));
        int masks = 0;
        for (QDirIterator it(dir.filePath(QStringLiteral("out")), {QStringLiteral("*.tif")}, QDir::Files,
                             QDirIterator::Subdirectories);
             it.hasNext(); it.next())
            ++masks;
        QCOMPARE(masks, 4);

        d->setResume(true);
        QVERIFY(d->startBatch());
        QVERIFY(done.wait(30000));
        QVERIFY(d->progressPanel()->logText().contains(QStringLiteral("0 done, 0 failed, 4 skipped")));
        delete d;
    }

    void invalidInputIsExplainedNotRun()
    {
        QTemporaryDir dir;
        AppSettings settings(dir.filePath(QStringLiteral("s.ini")));
        SegmentationWorker worker(uitest::fixedFactory(std::make_shared<ColourTestModel>()));
        BatchDialog d(&worker, &settings);
        d.setInputFolder(dir.filePath(QStringLiteral("missing")));
        d.setOutputFolder(dir.filePath(QStringLiteral("out")));
        d.setQueries({QStringLiteral("red")});
        QCOMPARE(d.startBatch(), 0);
        QVERIFY(d.progressPanel()->logText().contains(QStringLiteral("raster folder")));
        d.setInputFolder(dir.path());
        d.setQueries({});
        QCOMPARE(d.startBatch(), 0);
        QVERIFY(d.progressPanel()->logText().contains(QStringLiteral("at least one query")));
        QVERIFY(worker.isIdle());
    }
};

QTEST_MAIN(TestBatchDialog)
#include "test_batchdialog.moc"
