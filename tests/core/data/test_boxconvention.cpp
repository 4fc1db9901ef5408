// BoxConvention: which reading of a four-number box its mask supports, on hand-made boxes.
#include "data/boxconvention.h"

#include <QtTest>

using namespace rsrefseg;
using Reading = BoxConvention::Reading;

class TestBoxConvention : public QObject
{
    Q_OBJECT

  private slots:
    void classifies()
    {
        // RRSIS-D's example box (a vehicle): as x, y, w, h it would leave an 800 px image.
        const std::array<double, 4> mask{588, 592, 45, 31};
        QVERIFY(BoxConvention::classify({588, 592, 633, 623}, mask) == Reading::Corners);
        QVERIFY(BoxConvention::classify({588, 592, 45, 31}, mask) == Reading::CornerSize);
        QVERIFY(BoxConvention::classify({589, 593, 632, 624}, mask) == Reading::Corners); // a pixel off
        QVERIFY(BoxConvention::classify({0, 0, 10, 10}, {0, 0, 10, 10}) == Reading::Either);
        QVERIFY(BoxConvention::classify({100, 100, 120, 120}, mask) == Reading::Neither);
        QVERIFY(BoxConvention::classify({588, 592, 633, 623}, {0, 0, 0, 0}) == Reading::Neither); // empty mask
        const auto xywh = BoxConvention::cornersToXywh({588, 592, 633, 623});
        QCOMPARE(xywh, (std::array<double, 4>{588, 592, 45, 31}));
        QCOMPARE(BoxConvention::iou({0, 0, 2, 2}, {1, 0, 2, 2}), 2.0 / 6.0);
        QCOMPARE(QString(BoxConvention::name(Reading::Corners)), QString("x1,y1,x2,y2"));
    }
};

QTEST_GUILESS_MAIN(TestBoxConvention)
#include "test_boxconvention.moc"
