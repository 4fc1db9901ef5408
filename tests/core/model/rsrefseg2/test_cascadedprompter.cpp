// Tests CascadedPrompter (RSRefSeg 2's prompter, ../shared/RSREFSEG2.md §3) against the golden
// io.safetensors of tests/data/golden/rsrefseg2: with the fixture's tiny config and the
// `prompter.` weights of model_merged.safetensors, every `prompter.*` intermediate (textpool with
// L = 34 tokens, the three steps layer by layer, S, the dense conv, cosine and D) from the golden
// SigLIP outputs V, T, p. Also: textpool for token counts that 3 does not divide, the factored
// dense cosine against the literal upsampled one, image-batch broadcast, bf16 error, bad inputs,
// and the full-size key/shape layout against the manifest of the released model.
#include "../goldentest.h"

#include "common/error.h"
#include "model/rsrefseg2/cascadedprompter.h"
#include "model/rsrefseg2/rsrefseg2config.h"
#include "model/weights/statedictloader.h"

#include <torch/torch.h>

#include <QtTest>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <set>

using namespace rsrefseg;
using namespace goldentest;

namespace {

// float32 port vs the float32 golden (README §11 suggests atol 1e-4 + rtol 1e-4). Measured max
// abs diff per tensor (both dense paths; the test prints them): Q1_init 0, step0 Q1/Q2 <= 8.1e-07,
// step1 Q1 <= 1.2e-06, step1 X <= 1.9e-06, step2 X/Q2/R <= 1.2e-06, S 7.2e-07,
// refined_img_feat_map 1.1e-06, dense_conv.0-3 <= 1.9e-06, dense_upsampled 1.2e-06,
// dense_cosine 1.5e-07, D 3.9e-07. Bound: 5e-6 absolute (2.6x the largest).
constexpr double kAtol = 5e-6;
constexpr double kRtol = 0.0;
// Factored vs upsampled dense cosine (float32, random inputs, M in {1, 5, 32, 37, 256}):
// s in {4, 7}: measured max abs diff 2.7e-07 on cosines in [-1, 1]; bound 7e-7 (2.6x).
constexpr double kFactoredMaxAbs = 7e-7;
// bf16 module and inputs vs the float32 golden (both dense paths: the cosine runs in float32):
// measured max abs diff on D 0.0071 (|D| <= 0.91) and on S 0.030 (|S| <= 1.76); bounds 2.8x and 2.5x.
constexpr double kBf16DMaxAbs = 0.02;
constexpr double kBf16SMaxAbs = 0.075;

struct Fixture
{
    RSRefSeg2Config config;
    std::map<std::string, torch::Tensor> io;
    torch::Tensor logitScale, logitBias;
};

const Fixture &fixture()
{
    static const Fixture f = [] {
        Fixture x;
        x.config = RSRefSeg2Config::fromFile(goldenPath("rsrefseg2/config.json"));
        x.io = loadTensors("rsrefseg2/io.safetensors");
        const auto weights = loadTensors("rsrefseg2/model_merged.safetensors");
        x.logitScale = weights.at("clip_text_encoder.logit_scale");
        x.logitBias = weights.at("clip_text_encoder.logit_bias");
        return x;
    }();
    return f;
}

CascadedPrompter loadPrompter()
{
    const std::string prefix = "prompter.";
    std::map<std::string, torch::Tensor> subtree;
    for (const auto &item : loadTensors("rsrefseg2/model_merged.safetensors")) {
        if (item.first.compare(0, prefix.size(), prefix) == 0)
            subtree.emplace(item.first.substr(prefix.size()), item.second);
    }
    CascadedPrompter prompter(fixture().config.prompter);
    StateDictLoader::load(*prompter, subtree, "model_merged.safetensors (prompter.)");
    prompter->eval();
    return prompter;
}

PrompterOutput run(CascadedPrompter &prompter, const torch::Tensor &v, const torch::Tensor &t, const torch::Tensor &p,
                   std::map<std::string, torch::Tensor> *trace = nullptr, int64_t m = 32)
{
    const Fixture &f = fixture();
    const auto dtype = v.scalar_type();
    return prompter->forward(v, t, p, f.logitScale.to(dtype), f.logitBias.to(dtype), m, trace);
}

std::set<std::string> goldenPrompterNames()
{
    std::set<std::string> names;
    for (const auto &item : fixture().io) {
        if (item.first.compare(0, 9, "prompter.") == 0)
            names.insert(item.first);
    }
    return names;
}

int64_t valueCount(const std::vector<int64_t> &shape)
{
    int64_t n = 1;
    for (const int64_t d : shape)
        n *= d;
    return n;
}

} // namespace

class TestCascadedPrompter : public QObject
{
    Q_OBJECT

  private Q_SLOTS:
    void initTestCase() { torch::manual_seed(0); }

    void goldenTraceBothDensePaths()
    {
        c10::InferenceMode inference;
        CascadedPrompter prompter = loadPrompter();
        QVERIFY(prompter->densePromptPath() == DensePromptPath::Factored); // the default
        const Fixture &f = fixture();
        QCOMPARE(f.io.at("siglip.T").size(1), int64_t{34}); // 3 does not divide L: overlapping bins
        QCOMPARE(f.config.maskInputSize(), int64_t{32});
        for (const DensePromptPath path : {DensePromptPath::Factored, DensePromptPath::Upsampled}) {
            prompter->setDensePromptPath(path);
            std::map<std::string, torch::Tensor> trace;
            const PrompterOutput out = run(prompter, f.io.at("siglip.V"), f.io.at("siglip.T"), f.io.at("siglip.p"),
                                           &trace, f.config.maskInputSize());
            std::set<std::string> expected = goldenPrompterNames();
            if (path == DensePromptPath::Factored)
                expected.erase("prompter.dense_upsampled"); // never materialised
            std::set<std::string> traced;
            for (const auto &item : trace)
                traced.insert(item.first);
            QVERIFY(traced == expected);
            for (const std::string &name : expected) {
                const Comparison cmp = compare(trace.at(name), f.io.at(name), kAtol, kRtol);
                qInfo().noquote() << (path == DensePromptPath::Factored ? "factored " : "upsampled ") +
                                         cmp.describe(name);
                QVERIFY2(cmp.close(), qPrintable(cmp.describe(name)));
            }
            QVERIFY(out.sparse.is_same(trace.at("prompter.S")));
            QVERIFY(out.dense.is_same(trace.at("prompter.D")));
            QCOMPARE(out.refinedImage.sizes().vec(), (std::vector<int64_t>{1, 32, 4, 4}));
        }
    }

    void textPoolForAnyTokenCount()
    {
        // adaptive_avg_pool1d to 3 bins (bin i = tokens floor(iL/3) .. ceil((i+1)L/3)-1); LibTorch's
        // own adaptive_avg_pool1d is the reference here.
        c10::InferenceMode inference;
        CascadedPrompter prompter = loadPrompter();
        const Fixture &f = fixture();
        for (const int64_t length : {1, 2, 3, 4, 5, 7, 8, 34, 64}) {
            const torch::Tensor text = torch::randn({2, length, 32});
            std::map<std::string, torch::Tensor> trace;
            run(prompter, f.io.at("siglip.V"), text, torch::randn({2, 32}), &trace);
            const torch::Tensor expected = torch::adaptive_avg_pool1d(text.permute({0, 2, 1}), 3).permute({0, 2, 1});
            const Comparison cmp = compare(trace.at("prompter.Q1_init"), expected, 1e-6, 1e-6);
            QVERIFY2(cmp.close(), qPrintable(cmp.describe("Q1_init L=" + std::to_string(length))));
        }
    }

    void factoredDenseEqualsUpsampled()
    {
        c10::InferenceMode inference;
        CascadedPrompter prompter = loadPrompter();
        double worst = 0.0;
        for (const int64_t m : {1, 5, 32, 37, 256}) {
            for (const int64_t grid : {4, 7}) { // 7: img_pe resized
                const torch::Tensor v = torch::randn({2, grid * grid, 32});
                const torch::Tensor t = torch::randn({2, 9, 32});
                const torch::Tensor p = torch::randn({2, 32});
                std::map<std::string, torch::Tensor> a, b;
                prompter->setDensePromptPath(DensePromptPath::Factored);
                run(prompter, v, t, p, &a, m);
                prompter->setDensePromptPath(DensePromptPath::Upsampled);
                run(prompter, v, t, p, &b, m);
                const Comparison cmp =
                    compare(a.at("prompter.dense_cosine"), b.at("prompter.dense_cosine"), kFactoredMaxAbs, 0.0);
                QVERIFY2(cmp.close(), qPrintable(cmp.describe("dense_cosine M=" + std::to_string(m) +
                                                              " s=" + std::to_string(grid))));
                worst = std::max(worst, cmp.maxAbs);
            }
        }
        qInfo() << "factored vs upsampled cosine, max abs diff" << worst;
    }

    void imageBatchBroadcast()
    {
        // One cached image (batch 1) with two texts equals each text run alone, and equals the
        // image repeated to the text batch.
        c10::InferenceMode inference;
        CascadedPrompter prompter = loadPrompter();
        const Fixture &f = fixture();
        const torch::Tensor v = f.io.at("siglip.V");
        const torch::Tensor t = torch::cat({f.io.at("siglip.T"), f.io.at("siglip.T").flip(1)}, 0);
        const torch::Tensor p = torch::cat({f.io.at("siglip.p"), -f.io.at("siglip.p")}, 0);
        const PrompterOutput both = run(prompter, v, t, p);
        QCOMPARE(both.sparse.sizes().vec(), (std::vector<int64_t>{2, 9, 32}));
        QCOMPARE(both.dense.sizes().vec(), (std::vector<int64_t>{2, 1, 32, 32}));
        QCOMPARE(both.refinedImage.sizes().vec(), (std::vector<int64_t>{2, 32, 4, 4}));
        const PrompterOutput repeated = run(prompter, v.repeat({2, 1, 1}), t, p);
        QVERIFY(torch::allclose(both.dense, repeated.dense, 1e-5, 1e-5));
        QVERIFY(torch::allclose(both.sparse, repeated.sparse, 1e-5, 1e-5));
        for (int64_t i = 0; i < 2; ++i) {
            const PrompterOutput one = run(prompter, v, t.narrow(0, i, 1), p.narrow(0, i, 1));
            QVERIFY(torch::allclose(both.dense.narrow(0, i, 1), one.dense, 1e-5, 1e-5));
            QVERIFY(torch::allclose(both.sparse.narrow(0, i, 1), one.sparse, 1e-5, 1e-5));
            QVERIFY(torch::allclose(both.refinedImage.narrow(0, i, 1), one.refinedImage, 1e-5, 1e-5));
        }
        QVERIFY((both.dense[0] - both.dense[1]).abs().max().item<double>() > 1e-2);
    }

    void bfloat16AgainstFloat32Golden()
    {
        c10::InferenceMode inference;
        CascadedPrompter prompter = loadPrompter();
        prompter->to(torch::kBFloat16);
        const Fixture &f = fixture();
        const auto bf = [](const torch::Tensor &x) { return x.to(torch::kBFloat16); };
        for (const DensePromptPath path : {DensePromptPath::Factored, DensePromptPath::Upsampled}) {
            prompter->setDensePromptPath(path);
            const PrompterOutput out =
                run(prompter, bf(f.io.at("siglip.V")), bf(f.io.at("siglip.T")), bf(f.io.at("siglip.p")));
            QCOMPARE(out.dense.scalar_type(), torch::kBFloat16);
            QCOMPARE(out.sparse.scalar_type(), torch::kBFloat16);
            const Comparison d = compare(out.dense, f.io.at("prompter.D"), kBf16DMaxAbs, 0.0);
            const Comparison s = compare(out.sparse, f.io.at("prompter.S"), kBf16SMaxAbs, 0.0);
            qInfo().noquote() << "bf16 " + d.describe("prompter.D");
            qInfo().noquote() << "bf16 " + s.describe("prompter.S");
            QVERIFY2(d.close(), qPrintable(d.describe("bf16 D")));
            QVERIFY2(s.close(), qPrintable(s.describe("bf16 S")));
        }
    }

    void badInputsAreRefused()
    {
        c10::InferenceMode inference;
        CascadedPrompter prompter = loadPrompter();
        const Fixture &f = fixture();
        const torch::Tensor v = f.io.at("siglip.V"), t = f.io.at("siglip.T"), p = f.io.at("siglip.p");
        const auto errorFor = [&](const torch::Tensor &v2, const torch::Tensor &t2, const torch::Tensor &p2,
                                  int64_t m = 32) { return errorOf([&] { run(prompter, v2, t2, p2, nullptr, m); }); };
        QString e = errorFor(v.squeeze(0), t, p);
        QVERIFY2(e.contains("image tokens") && e.contains("[batch, s*s, 32]"), qPrintable(e));
        e = errorFor(v.narrow(1, 0, 15), t, p);
        QVERIFY2(e.contains("15") && e.contains("square"), qPrintable(e));
        e = errorFor(v, t.narrow(2, 0, 16), p);
        QVERIFY2(e.contains("text tokens"), qPrintable(e));
        e = errorFor(v, t.narrow(1, 0, 0), p);
        QVERIFY2(e.contains("text tokens"), qPrintable(e));
        e = errorFor(v.repeat({2, 1, 1}), t.repeat({3, 1, 1}), p.repeat({3, 1}));
        QVERIFY2(e.contains("image batch 2") && e.contains("text batch 3"), qPrintable(e));
        e = errorFor(v, t, p.repeat({2, 1}));
        QVERIFY2(e.contains("text pooler"), qPrintable(e));
        e = errorFor(v, t, p, 0);
        QVERIFY2(e.contains("mask input size"), qPrintable(e));
        e = errorFor(v.to(torch::kFloat64), t, p);
        QVERIFY2(e.contains("dtype"), qPrintable(e));
        e = errorOf([&] { prompter->forward(v, t, p, torch::zeros({2}), f.logitBias, 32); });
        QVERIFY2(e.contains("logit scale"), qPrintable(e));

        CascadedPrompterConfig bad = f.config.prompter;
        bad.query2Order.push_back("cross_attn_text_prompt_1");
        e = errorOf([&] { CascadedPrompter unused(bad); });
        QVERIFY2(e.contains("cross_attn_text_prompt_1") && e.contains("PITCrossAttentionBlock"), qPrintable(e));
        bad = f.config.prompter;
        bad.twoQueryOrder.push_back("norm_query1_1");
        e = errorOf([&] { CascadedPrompter unused(bad); });
        QVERIFY2(e.contains("norm_query1_1") && e.contains("twice"), qPrintable(e));
        bad = f.config.prompter;
        bad.twoQueryOrder.push_back("mlp_query3_1");
        e = errorOf([&] { CascadedPrompter unused(bad); });
        QVERIFY2(e.contains("mlp_query3_1") && e.contains("TwoQueryTextCrossAttentionBlock"), qPrintable(e));
    }

    void otherImageGridResizesThePe()
    {
        // Upstream resizes img_pe (bicubic, align_corners=True) for another token grid.
        c10::InferenceMode inference;
        CascadedPrompter prompter = loadPrompter();
        const Fixture &f = fixture();
        const PrompterOutput out = run(prompter, torch::randn({1, 36, 32}), f.io.at("siglip.T"), f.io.at("siglip.p"));
        QCOMPARE(out.refinedImage.sizes().vec(), (std::vector<int64_t>{1, 32, 6, 6}));
        QVERIFY(torch::isfinite(out.dense).all().item<bool>());
    }

    void fullSizeLayoutIsTheManifest()
    {
        // The released model's prompter: every `prompter.*` key of the merged manifest with its
        // shape, nothing else; ~82.8 M parameters (RSREFSEG2.md §3).
        std::ifstream in(goldenPath("rsrefseg2/manifests/rsrefseg2-full.merged.keys.json"));
        QVERIFY(in.good());
        const nlohmann::json manifest = nlohmann::json::parse(in);
        std::map<std::string, std::vector<int64_t>> expected;
        int64_t expectedValues = 0;
        for (const auto &entry : manifest) {
            const std::string name = entry.at("name").get<std::string>();
            if (name.compare(0, 9, "prompter.") != 0)
                continue;
            expected[name.substr(9)] = entry.at("shape").get<std::vector<int64_t>>();
            expectedValues += valueCount(expected[name.substr(9)]);
        }
        QCOMPARE(expected.size(), size_t{374});

        CascadedPrompter prompter(RSRefSeg2Config::full().prompter);
        std::map<std::string, std::vector<int64_t>> actual;
        int64_t parameters = 0, values = 0;
        for (const auto &item : prompter->named_parameters()) {
            actual[item.key()] = item.value().sizes().vec();
            parameters += item.value().numel();
        }
        for (const auto &item : prompter->named_buffers())
            actual[item.key()] = item.value().sizes().vec();
        for (const auto &item : actual)
            values += valueCount(item.second);
        for (const auto &item : expected)
            QVERIFY2(actual.count(item.first) && actual.at(item.first) == item.second, item.first.c_str());
        for (const auto &item : actual)
            QVERIFY2(expected.count(item.first), item.first.c_str());
        QCOMPARE(values, expectedValues);
        qInfo() << "full-size prompter parameters:" << parameters;
        QVERIFY(std::abs(static_cast<double>(parameters) - 82.8e6) < 0.05e6);
        QCOMPARE(prompter->named_buffers()["dense_prompt_conv.1.num_batches_tracked"].scalar_type(), torch::kInt64);
    }

    void fullSizeTiming()
    {
        // Not a test of speed (no wall-clock asserts): prints the full-size per-query time when
        // RSREFSEG_PROMPTER_BENCH is set.
        if (!std::getenv("RSREFSEG_PROMPTER_BENCH"))
            QSKIP("set RSREFSEG_PROMPTER_BENCH=1 to time the full-size prompter");
        torch::set_num_threads(2);
        c10::InferenceMode inference;
        const RSRefSeg2Config full = RSRefSeg2Config::full();
        CascadedPrompter prompter(full.prompter);
        prompter->eval();
        for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
            prompter->to(dtype);
            const torch::Tensor v = torch::randn({1, 1024, 1152}).to(dtype);
            const torch::Tensor t = torch::randn({1, 16, 1152}).to(dtype);
            const torch::Tensor p = torch::randn({1, 1152}).to(dtype);
            std::vector<torch::Tensor> dense;
            for (const DensePromptPath path : {DensePromptPath::Factored, DensePromptPath::Upsampled}) {
                prompter->setDensePromptPath(path);
                double best = 1e9;
                for (int i = 0; i < 3; ++i) {
                    const auto start = std::chrono::steady_clock::now();
                    dense.push_back(
                        prompter->forward(v, t, p, torch::ones({1}).to(dtype), torch::zeros({1}).to(dtype), 256).dense);
                    best =
                        std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
                }
                qInfo() << c10::toString(dtype) << (path == DensePromptPath::Factored ? "factored" : "upsampled")
                        << "ms:" << best * 1e3;
            }
            qInfo()
                << "factored vs upsampled D, max abs diff"
                << (dense.front().to(torch::kFloat32) - dense.back().to(torch::kFloat32)).abs().max().item<double>();
        }
    }
};

QTEST_GUILESS_MAIN(TestCascadedPrompter)
#include "test_cascadedprompter.moc"
