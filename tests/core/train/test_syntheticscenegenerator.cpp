// Tests of SyntheticSceneGenerator: determinism, unambiguous sentences with same-class
// distractors, distinct targets per scene, and masks that match what was drawn.
#include "common/addresssanitizer.h"
#include "common/error.h"
#include "train/cocorle.h"
#include "train/syntheticscenegenerator.h"

#include <QtTest/QtTest>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>

using namespace rsrefseg;

namespace {

bool sameImage(const cv::Mat &a, const cv::Mat &b)
{
    if (a.size() != b.size() || a.type() != b.type())
        return false;
    cv::Mat diff;
    cv::absdiff(a, b, diff);
    return cv::countNonZero(diff.reshape(1)) == 0;
}

// The palette colour nearest to the per-channel median colour under the mask (the median
// ignores small dark details such as windscreens).
SceneColour dominantColour(const cv::Mat &image, const cv::Mat &mask)
{
    std::array<std::vector<int>, 3> channels;
    for (int r = 0; r < image.rows; ++r)
        for (int c = 0; c < image.cols; ++c)
            if (mask.at<std::uint8_t>(r, c))
                for (int i = 0; i < 3; ++i)
                    channels[static_cast<std::size_t>(i)].push_back(image.at<cv::Vec3b>(r, c)[i]);
    cv::Scalar mean;
    for (int i = 0; i < 3; ++i) {
        auto &v = channels[static_cast<std::size_t>(i)];
        std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
        mean[i] = v[v.size() / 2];
    }
    SceneColour best = SceneColour::White;
    double bestDistance = 1e18;
    for (SceneColour c : {SceneColour::White, SceneColour::Grey, SceneColour::Red, SceneColour::Blue,
                          SceneColour::Green, SceneColour::Yellow, SceneColour::Black}) {
        const cv::Vec3b p = sceneColourRgb(c);
        double d = 0;
        for (int i = 0; i < 3; ++i)
            d += (mean[i] - p[i]) * (mean[i] - p[i]);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best;
}

} // namespace

class TestSyntheticSceneGenerator : public QObject
{
    Q_OBJECT

  private slots:
    void deterministicForASeed()
    {
        SyntheticSceneGenerator::Options options;
        options.expressionsPerScene = 2;
        const SyntheticSceneGenerator a(2024, options), b(2024, options), other(2025, options);
        // Order of generation does not matter: scene 5 is scene 5.
        const SyntheticSample b5 = b.generate(5);
        const SyntheticSample b3 = b.generate(3);
        for (std::uint64_t i : {3u, 5u}) {
            const SyntheticSample s = a.generate(i);
            const SyntheticSample &t = i == 3 ? b3 : b5;
            QVERIFY(sameImage(s.scene.image, t.scene.image));
            QCOMPARE(s.scene.objects.size(), t.scene.objects.size());
            for (std::size_t k = 0; k < s.scene.objects.size(); ++k) {
                QCOMPARE(s.scene.objects[k].box, t.scene.objects[k].box);
                QVERIFY(sameImage(s.scene.objects[k].mask, t.scene.objects[k].mask));
            }
            QCOMPARE(s.referrals.size(), t.referrals.size());
            for (std::size_t k = 0; k < s.referrals.size(); ++k) {
                QCOMPARE(s.referrals[k].objectIndex, t.referrals[k].objectIndex);
                QCOMPARE(s.referrals[k].sentence, t.referrals[k].sentence);
            }
        }
        QVERIFY(!sameImage(a.generate(3).scene.image, other.generate(3).scene.image));
        QVERIFY(!sameImage(a.generate(3).scene.image, a.generate(4).scene.image));
    }

    void sentencesResolveToTheirTargets()
    {
        SyntheticSceneGenerator::Options options;
        options.expressionsPerScene = 3;
        const SyntheticSceneGenerator generator(7, options);
        const auto vocabulary = ReferringExpression::vocabulary();
        std::set<std::string> sentences;
        int located = 0, related = 0, superlative = 0, attributeOnly = 0;
        std::set<SceneObjectClass> targetClasses;
        for (std::uint64_t i = 0; i < 40; ++i) {
            const SyntheticSample s = generator.generate(i);
            const SyntheticScene &scene = s.scene;
            QCOMPARE(scene.image.type(), CV_8UC3);
            QCOMPARE(scene.image.cols, 512);
            QCOMPARE(scene.image.rows, 512);
            QCOMPARE(s.referrals.size(), std::size_t(3));

            // Objects are disjoint, inside the image, with tight boxes.
            cv::Mat coverage = cv::Mat::zeros(512, 512, CV_8UC1);
            for (std::size_t k = 0; k < scene.objects.size(); ++k) {
                const SceneObject &o = scene.objects[k];
                QVERIFY(o.area > 0);
                QCOMPARE(o.area, static_cast<std::uint64_t>(cv::countNonZero(o.mask)));
                QCOMPARE(cv::boundingRect(o.mask), cv::Rect(0, 0, o.box.width, o.box.height));
                cv::Mat overlap;
                cv::bitwise_and(coverage(o.box), o.mask, overlap);
                QCOMPARE(cv::countNonZero(overlap), 0);
                cv::Mat covered = coverage(o.box);
                covered |= o.mask;
            }

            std::set<std::size_t> targets;
            for (const SyntheticReferral &r : s.referrals) {
                const SceneObject &target = scene.objects[r.objectIndex];
                targets.insert(r.objectIndex);
                targetClasses.insert(target.objectClass);
                sentences.insert(r.sentence);
                // Same-class distractors exist.
                const auto sameClass = std::count_if(
                    scene.objects.begin(), scene.objects.end(),
                    [&](const SceneObject &o) { return o.objectClass == target.objectClass; });
                QVERIFY2(sameClass >= 2, r.sentence.c_str());
                // The sentence, read back from text, selects exactly its target.
                const auto parsed = ReferringExpression::parse(r.sentence);
                QVERIFY2(parsed.has_value(), r.sentence.c_str());
                QVERIFY(*parsed == r.expression);
                QCOMPARE(parsed->resolve(scene, ReferringExpression::Matching::Strict),
                         std::vector<std::size_t>{r.objectIndex});
                QCOMPARE(parsed->resolve(scene, ReferringExpression::Matching::Loose),
                         std::vector<std::size_t>{r.objectIndex});
                // Small vocabulary.
                std::istringstream words(r.sentence);
                for (std::string w; words >> w;)
                    QVERIFY2(std::binary_search(vocabulary.begin(), vocabulary.end(), w), w.c_str());
                // The RLE of the target decodes to the drawn target mask, and that mask covers
                // pixels painted in the target's colour.
                const cv::Mat mask = scene.objectMask(r.objectIndex);
                const CocoRle rle = CocoRle::encode(mask);
                const cv::Mat decoded = CocoRle::fromString(rle.toString(), 512, 512).decode();
                QCOMPARE(cv::countNonZero(decoded != mask), 0);
                QCOMPARE(rle.area(), target.area);
                QCOMPARE(rle.boundingBox(),
                         (std::array<double, 4>{double(target.box.x), double(target.box.y),
                                                double(target.box.width),
                                                double(target.box.height)}));
                QVERIFY2(dominantColour(scene.image, mask) == target.colour, r.sentence.c_str());

                located += parsed->location != ReferringExpression::Location::None;
                related += parsed->relation != ReferringExpression::Relation::None;
                superlative += parsed->superlative != ReferringExpression::Superlative::None;
                attributeOnly += parsed->location == ReferringExpression::Location::None &&
                                 parsed->relation == ReferringExpression::Relation::None &&
                                 parsed->superlative == ReferringExpression::Superlative::None;
            }
            // Several expressions on one scene select different targets.
            QCOMPARE(targets.size(), std::size_t(3));
        }
        qInfo("120 sentences: %d with a location, %d with a relation, %d superlatives, "
              "%d attributes only; %zu distinct; %zu target classes",
              located, related, superlative, attributeOnly, sentences.size(),
              targetClasses.size());
        // All kinds of expression occur, and the sentences are varied.
        QVERIFY(located > 0 && related > 0 && superlative > 0 && attributeOnly > 0);
        QVERIFY(related + located > attributeOnly / 2);
        QVERIFY(sentences.size() > 60);
        QVERIFY(targetClasses.size() >= 5);
    }

    void twoSentencesTwoTargets()
    {
        // The API a later test relies on: one scene, two sentences, two different objects.
        SyntheticSceneGenerator::Options options;
        options.expressionsPerScene = 2;
        const SyntheticSample s = SyntheticSceneGenerator(99, options).generate(0);
        QCOMPARE(s.referrals.size(), std::size_t(2));
        const auto first = ReferringExpression::parse(s.referrals[0].sentence);
        const auto second = ReferringExpression::parse(s.referrals[1].sentence);
        QVERIFY(first && second);
        const auto a = first->resolve(s.scene, ReferringExpression::Matching::Strict);
        const auto b = second->resolve(s.scene, ReferringExpression::Matching::Strict);
        QCOMPARE(a.size(), std::size_t(1));
        QCOMPARE(b.size(), std::size_t(1));
        QVERIFY(a.front() != b.front());
        QVERIFY(cv::countNonZero(s.scene.objectMask(a.front()) & s.scene.objectMask(b.front())) == 0);
    }

    void otherSizesAndLimits()
    {
        for (int size : {256, 1024}) {
            SyntheticSceneGenerator::Options options;
            options.size = size;
            const SyntheticSample s = SyntheticSceneGenerator(3, options).generate(1);
            QCOMPARE(s.scene.image.cols, size);
            QCOMPARE(s.scene.width, size);
            QCOMPARE(s.referrals.size(), std::size_t(1));
            QVERIFY(ReferringExpression::parse(s.referrals[0].sentence)
                        ->identifies(s.scene, s.referrals[0].objectIndex));
        }
        SyntheticSceneGenerator::Options options;
        options.expressionsPerScene = SyntheticSceneGenerator::kMaxExpressionsPerScene;
        const SyntheticSample many = SyntheticSceneGenerator(5, options).generate(0);
        QCOMPARE(many.referrals.size(), std::size_t(SyntheticSceneGenerator::kMaxExpressionsPerScene));
        for (int bad : {0, SyntheticSceneGenerator::kMaxExpressionsPerScene + 1}) {
            SyntheticSceneGenerator::Options o;
            o.expressionsPerScene = bad;
            QVERIFY_THROWS_EXCEPTION(Error, SyntheticSceneGenerator(1, o));
        }
        for (int bad : {SyntheticSceneGenerator::kMinSize - 1, SyntheticSceneGenerator::kMaxSize + 1}) {
            SyntheticSceneGenerator::Options o;
            o.size = bad;
            QVERIFY_THROWS_EXCEPTION(Error, SyntheticSceneGenerator(1, o));
        }
    }

    void fast()
    {
        // Not a benchmark: the bound only catches an accidental slow path on a loaded machine.
        const SyntheticSceneGenerator generator(11);
        const auto start = std::chrono::steady_clock::now();
        constexpr int n = 30;
        for (int i = 0; i < n; ++i)
            generator.generateScene(static_cast<std::uint64_t>(i));
        const double ms = std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - start)
                              .count() /
                          n;
        qInfo("512 x 512 scene: %.2f ms (wall clock, this machine, now)", ms);
#ifdef RSREFSEG_ASAN
        QSKIP("timing bound not meaningful under AddressSanitizer (the asan preset)");
#endif
        QVERIFY(ms < 100);
    }
};

QTEST_APPLESS_MAIN(TestSyntheticSceneGenerator)
#include "test_syntheticscenegenerator.moc"
