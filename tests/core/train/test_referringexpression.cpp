// Tests of ReferringExpression: the grammar (parse/sentence) and its meaning on hand-made scenes.
#include "train/referringexpression.h"

#include <QtTest/QtTest>

#include <opencv2/core.hpp>

#include <algorithm>
#include <sstream>

using rsrefseg::ReferringExpression;
using rsrefseg::SceneColour;
using rsrefseg::SceneObject;
using rsrefseg::SceneObjectClass;
using rsrefseg::SceneSize;
using rsrefseg::SyntheticScene;
using Matching = ReferringExpression::Matching;
using Hits = std::vector<std::size_t>;

namespace {

SceneObject object(SceneObjectClass c, SceneColour colour, SceneSize size, cv::Rect box,
                   int roadSide = 0)
{
    SceneObject o;
    o.objectClass = c;
    o.colour = colour;
    o.size = size;
    o.box = box;
    o.mask = cv::Mat::ones(box.size(), CV_8UC1);
    o.area = static_cast<std::uint64_t>(box.area());
    o.roadSide = roadSide;
    return o;
}

// 512 x 512, a vertical road at x ~ 256, a lake.
SyntheticScene handMadeScene()
{
    using C = SceneObjectClass;
    using K = SceneColour;
    SyntheticScene s;
    s.width = s.height = 512;
    s.road = rsrefseg::SceneRoad::Vertical;
    s.water = rsrefseg::SceneWater::Lake;
    s.objects = {
        object(C::Building, K::Red, SceneSize::Small, {100, 100, 20, 20}, -1),     // 0
        object(C::Building, K::Red, SceneSize::Small, {400, 100, 20, 20}, 1),      // 1
        object(C::Building, K::White, SceneSize::Large, {250, 400, 40, 40}, 1),    // 2
        object(C::Vehicle, K::Blue, SceneSize::Small, {105, 160, 10, 5}, -1),      // 3
        object(C::Vehicle, K::Blue, SceneSize::Small, {400, 300, 10, 5}, 1),       // 4
        object(C::StorageTank, K::White, SceneSize::Small, {50, 450, 20, 15}, -1), // 5: 300 px
        object(C::StorageTank, K::White, SceneSize::Large, {450, 450, 40, 30}, 1), // 6: 1200 px
        object(C::Court, K::Green, SceneSize::Small, {390, 180, 30, 20}, 1),       // 7
    };
    s.objects[3].waterDistance = 5;  // next to the lake
    s.objects[4].waterDistance = 80; // far from it
    s.objects[3].roadDistance = 120;
    s.objects[4].roadDistance = 8;
    return s;
}

Hits resolve(const SyntheticScene &scene, const char *sentence, Matching m = Matching::Strict)
{
    const auto e = ReferringExpression::parse(sentence);
    if (!e)
        return {999};
    return e->resolve(scene, m);
}

} // namespace

class TestReferringExpression : public QObject
{
    Q_OBJECT

  private slots:
    void parseAndWriteBack_data()
    {
        QTest::addColumn<QString>("sentence");
        for (const char *s :
             {"the largest white storage tank", "the small blue vehicle below the building",
              "the ship at the top right", "the red building left of the road",
              "the vehicle near the lake", "the court in the center", "the smallest ship",
              "the plane next to the green court", "the large vehicle right of the river",
              "the building above the road", "the grey storage tank at the bottom left",
              "the yellow vehicle on the right", "the black vehicle at the top",
              "the storage tank next to the road"})
            QTest::newRow(s) << QString(s);
    }

    void parseAndWriteBack()
    {
        QFETCH(QString, sentence);
        const auto e = ReferringExpression::parse(sentence.toStdString());
        QVERIFY(e.has_value());
        QCOMPARE(QString::fromStdString(e->sentence()), sentence);
        // Every word is in the vocabulary.
        const auto vocabulary = ReferringExpression::vocabulary();
        std::istringstream words(sentence.toStdString());
        for (std::string w; words >> w;)
            QVERIFY2(std::binary_search(vocabulary.begin(), vocabulary.end(), w), w.c_str());
    }

    void parseDetails()
    {
        auto e = ReferringExpression::parse("  The SMALL blue   vehicle below the Building ");
        QVERIFY(e.has_value());
        QCOMPARE(e->objectClass, SceneObjectClass::Vehicle);
        QVERIFY(e->size == SceneSize::Small);
        QVERIFY(e->colour == SceneColour::Blue);
        QCOMPARE(e->relation, ReferringExpression::Relation::Below);
        QCOMPARE(e->landmark, ReferringExpression::Landmark::Object);
        QCOMPARE(e->landmarkClass, SceneObjectClass::Building);
        QVERIFY(!e->landmarkColour.has_value());
        // "next to" and "near" mean the same; water is written with "near".
        e = ReferringExpression::parse("the vehicle next to the lake");
        QVERIFY(e.has_value());
        QCOMPARE(QString::fromStdString(e->sentence()), QString("the vehicle near the lake"));
    }

    void parseRejects_data()
    {
        QTest::addColumn<QString>("text");
        for (const char *s : {"", "the", "a red building", "the red", "red building",
                              "the building left the road", "the largest ship at the top",
                              "the smallest vehicle left of the road", "the building at the middle",
                              "the building extra", "the storage building", "the tank",
                              "the building left of", "the building left of the",
                              "the building next the road", "the building near the big road",
                              "the red red building", "the large small building"})
            QTest::newRow(s[0] ? s : "(empty)") << QString(s);
    }

    void parseRejects()
    {
        QFETCH(QString, text);
        QVERIFY(!ReferringExpression::parse(text.toStdString()).has_value());
    }

    void vocabularyIsSmall()
    {
        const auto v = ReferringExpression::vocabulary();
        QVERIFY(std::is_sorted(v.begin(), v.end()));
        QVERIFY(v.size() < 45);
        for (const char *w : {"storage", "tank", "largest", "near", "center", "grey", "river"})
            QVERIFY2(std::find(v.begin(), v.end(), w) != v.end(), w);
    }

    void attributesAndSuperlatives()
    {
        const SyntheticScene s = handMadeScene();
        QCOMPARE(resolve(s, "the red building"), (Hits{0, 1}));
        QCOMPARE(resolve(s, "the white building"), (Hits{2}));
        QCOMPARE(resolve(s, "the large building"), (Hits{2}));
        QCOMPARE(resolve(s, "the small blue vehicle"), (Hits{3, 4}));
        QCOMPARE(resolve(s, "the ship"), (Hits{}));
        QCOMPARE(resolve(s, "the largest white storage tank"), (Hits{6}));
        QCOMPARE(resolve(s, "the smallest storage tank"), (Hits{5}));
        QVERIFY(ReferringExpression::parse("the largest storage tank")->identifies(s, 6));
        QVERIFY(!ReferringExpression::parse("the red building")->identifies(s, 0));
        // A 1.2x area ratio is not enough for a superlative: nobody strictly, both loosely.
        SyntheticScene close = s;
        close.objects[5].area = 1000;
        QCOMPARE(resolve(close, "the largest storage tank"), (Hits{}));
        QCOMPARE(resolve(close, "the largest storage tank", Matching::Loose), (Hits{5, 6}));
        // A superlative over one candidate claims nothing.
        QCOMPARE(resolve(s, "the largest court"), (Hits{}));
    }

    void locations()
    {
        SyntheticScene s = handMadeScene();
        QCOMPARE(resolve(s, "the red building on the left"), (Hits{0}));
        QCOMPARE(resolve(s, "the red building at the top right"), (Hits{1}));
        QCOMPARE(resolve(s, "the building at the top"), (Hits{0, 1}));
        QCOMPARE(resolve(s, "the storage tank at the bottom left"), (Hits{5}));
        QCOMPARE(resolve(s, "the building in the center"), (Hits{}));
        // 5 px inside the left third: not clearly left (margin 20), but arguably left.
        s.objects[0].box.x = static_cast<int>(512.0 / 3 - 5 - 10);
        QCOMPARE(resolve(s, "the red building on the left"), (Hits{}));
        QCOMPARE(resolve(s, "the red building on the left", Matching::Loose), (Hits{0}));
        QVERIFY(!ReferringExpression::parse("the red building on the left")->identifies(s, 0));
    }

    void relations()
    {
        const SyntheticScene s = handMadeScene();
        QCOMPARE(resolve(s, "the vehicle left of the road"), (Hits{3}));
        QCOMPARE(resolve(s, "the vehicle right of the road"), (Hits{4}));
        QCOMPARE(resolve(s, "the vehicle above the road"), (Hits{})); // the road is vertical
        QCOMPARE(resolve(s, "the vehicle next to the road"), (Hits{4}));
        QCOMPARE(resolve(s, "the vehicle near the lake"), (Hits{3}));
        QCOMPARE(resolve(s, "the vehicle near the river"), (Hits{})); // there is no river
        // Object landmarks must be named uniquely.
        QCOMPARE(resolve(s, "the vehicle below the building"), (Hits{}));   // three buildings
        QCOMPARE(resolve(s, "the vehicle below the red building"), (Hits{})); // two red ones
        QCOMPARE(resolve(s, "the vehicle below the white building"), (Hits{}));
        QCOMPARE(resolve(s, "the vehicle below the court"), (Hits{4}));
        QCOMPARE(resolve(s, "the red building left of the court"), (Hits{})); // too far away
        QCOMPARE(resolve(s, "the red building left of the court", Matching::Loose), (Hits{0}));
        QCOMPARE(resolve(s, "the building above the green court"), (Hits{1}));
        QVERIFY(ReferringExpression::parse("the vehicle below the court")->identifies(s, 4));
        QVERIFY(ReferringExpression::parse("the vehicle left of the road")->identifies(s, 3));
    }
};

QTEST_APPLESS_MAIN(TestReferringExpression)
#include "test_referringexpression.moc"
